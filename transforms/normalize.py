"""A batch of study records → one Arrow table per declared ctgov table.

Each family module (transforms/<family>.py) maps its tables to builders in `TABLE_BUILDERS`; this
module converts the batch once (`transforms.batch.study_level`) and runs them all, so adding a
table never touches the load path.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

import pyarrow as pa

from schemas.table import Table
from schemas.tables import CTGOV_TABLES
from transforms.arrow_tables import TypeIssue
from transforms.batch import Level, reported_issues, study_level

# The study-level rows of a batch -> the table (see transforms.batch).
TableBuilder = Callable[[Level], pa.Table]

FAMILY_MODULES: tuple[str, ...] = (
    "studies",
    "parties",
    "conditions",
    "arms",
    "sites",
    "references",
    "annotations",
    "results",
    "results_flow",
    "results_baseline",
    "results_outcomes",
    "results_events",
)


@cache
def builders() -> dict[Table, TableBuilder]:
    """Every table's builder, checked to cover every declared ctgov table exactly once."""
    found: dict[Table, TableBuilder] = {}
    for name in FAMILY_MODULES:
        for table, fn in import_module(f"transforms.{name}").TABLE_BUILDERS.items():
            if table in found:
                raise ValueError(f"{table.qualified_name} has two builders")
            found[table] = fn
    missing = [t.qualified_name for t in CTGOV_TABLES if t not in found]
    if missing:
        raise ValueError(f"no builder for {missing}")
    return found


@dataclass(frozen=True)
class NormalizedBatch:
    """Arrow tables for a batch, and the leaf values that did not fit their declared type."""

    tables: dict[Table, pa.Table]
    type_issues: list[TypeIssue]


def normalize(
    records: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    strict: frozenset[str] = frozenset(),
    only: Collection[Table] | None = None,
) -> NormalizedBatch:
    """Flatten `(nct_id, record)` pairs into every ctgov table (or the tables in `only`).

    Values of the wrong type in the studies named in `strict` (those whose drift check found
    one) are nulled and reported rather than converted leniently; see `transforms.batch`.
    """
    wanted = builders() if only is None else {t: builders()[t] for t in only}
    with gc_paused():
        level, issues = study_level(records, strict)
        with reported_issues() as unfit:
            tables = {table: build(level) for table, build in wanted.items()}
    return NormalizedBatch(tables, issues + unfit)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic GC while a batch's rows are alive.

    A 1000-study batch holds about a million container objects; the generational GC rescans them
    over and over and cuts throughput 2-6x (engineering reference, section 5). Parsed records are
    acyclic, so reference counting still frees everything.

    Best held for the records' whole life, from parse until they are freed: if the GC comes back
    while they are alive, its next collections walk every one of them (parsing and normalizing
    a batch took ~18% longer that way, `bench.normalize`). Used as a decorator (`@gc_paused()`),
    it covers a function whose locals, the records, are freed as it returns, before the GC
    comes back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
