"""Loading one batch of records: screen, decide, normalize, write. Plain functions, no Prefect.

This is the one load path. Pages from the API, entries of the bulk ZIP and replayed raw pages all
go through `load_records`, which is why re-loading any of them is idempotent and a rebuild is
identical.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, Unpack

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from schemas.codec import compress_record
from schemas.tables.history import CHANGE_EVENTS, STUDY_STATE, STUDY_VERSIONS
from schemas.tables.pipeline import QUARANTINE, SCHEMA_DRIFT
from transforms.arrow_tables import TypeIssue, arrow_table
from transforms.changes import batch_events
from transforms.drift import summarize
from transforms.normalize import NormalizedBatch, gc_paused, normalize
from transforms.screening import ScreenedStudy, Screening, newest_per_study, screen
from transforms.versions import (
    WRITES_ROWS,
    Action,
    Decision,
    LoadContext,
    closed_versions,
    decide,
    refetched_ids,
    state_rows,
    version_rows,
)
from warehouse import state
from warehouse.loader import BatchWrite, CursorAdvance, FetchStamp, apply_batch

_OVERALL_STATUS = "protocolSection.statusModule.overallStatus"

# `(nct_id, record) pairs, *, strict=` → the batch's ctgov tables: `normalize`, or tables that
# workers built ahead of the writer (flows.sharding).
Normalizer = Callable[..., NormalizedBatch]
T = TypeVar("T")


@dataclass(frozen=True)
class CursorTarget:
    """The scope whose cursor this batch may advance."""

    scope_key: str
    scope_json: str


@dataclass
class LoadOutcome:
    """What one or more batches did (summable across a run)."""

    received: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    quarantined: int = 0
    drift: Counter[tuple[str, str]] = field(default_factory=Counter)
    type_issues: list[TypeIssue] = field(default_factory=list)
    max_last_update: dt.date | None = None
    events: Counter[str] = field(default_factory=Counter)
    status_transitions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)

    def add(self, other: LoadOutcome) -> None:
        """Fold another outcome into this one."""
        self.received += other.received
        self.events.update(other.events)
        self.status_transitions.update(other.status_transitions)
        self.actions.update(other.actions)
        self.quarantined += other.quarantined
        self.drift.update(other.drift)
        self.type_issues.extend(other.type_issues)
        if other.max_last_update and (
            self.max_last_update is None or other.max_last_update > self.max_last_update
        ):
            self.max_last_update = other.max_last_update


@dataclass(frozen=True)
class PreparedBatch:
    """A batch after every step that needs no database: parsed, screened, deduplicated.

    Built by `prepare_batch`, possibly in another thread while the writer commits the batch
    before (`prepared_ahead`). `normalized` holds every study's ctgov tables when they were built
    ahead, before the decisions; `commit_batch` then keeps the rows of the studies it writes.
    `compressed` holds each study's stored form (`schemas.codec`) when it was made ahead too.
    """

    records: Sequence[Any]
    screening: Screening
    studies: list[ScreenedStudy]
    strict: frozenset[str]
    normalized: NormalizedBatch | None = None
    compressed: Mapping[str, bytes] | None = None


def prepare_batch(records: Sequence[Any], *, normalize_ahead: bool = False) -> PreparedBatch:
    """Everything before the database: screen, deduplicate, and maybe normalize every study.

    Screening checks the envelope, hashes and walks for drift; the newest record per study is
    kept. With `normalize_ahead`, every study's ctgov tables and stored form are built before
    knowing which studies are written.

    Building ahead pays off when nearly every study is written (a bulk load, a rebuild) and the
    work can overlap the previous batch's commit; re-loading unchanged data wastes it.
    """
    with gc_paused():
        screening = screen(records)
        studies = newest_per_study(screening.studies)
        strict = frozenset(s.nct_id for s in studies if s.has_type_drift)
        if not normalize_ahead:
            return PreparedBatch(records, screening, studies, strict)
        normalized = normalize([(s.nct_id, s.record) for s in studies], strict=strict)
        compressed = {s.nct_id: compress_record(s.record) for s in studies}
    return PreparedBatch(records, screening, studies, strict, normalized, compressed)


def prepared_ahead(
    batches: Iterable[T], prepare: Callable[[T], PreparedBatch]
) -> Iterator[tuple[T, PreparedBatch]]:
    """Each batch with its prepared form; the next batch is prepared in a worker thread meanwhile.

    The caller commits one batch while the next one is parsed, screened and normalized. DuckDB
    releases the GIL while it inserts and checkpoints, so the two overlap on a 2-core machine.
    Batches are still committed one by one, in order, each in its own transaction, and each is
    decided against the warehouse as the batch before left it. An error in `prepare` surfaces
    here, for the batch it belongs to; no batch after it is committed.
    """
    with _short_gil_turns(), ThreadPoolExecutor(1, thread_name_prefix="prepare-batch") as pool:
        todo = iter(batches)
        current = next(todo, _END)
        pending = pool.submit(prepare, current) if current is not _END else None
        while pending is not None:
            following = next(todo, _END)
            prepared = pending.result()
            pending = pool.submit(prepare, following) if following is not _END else None
            yield current, prepared
            current = following


_END: Any = object()
# How long the preparing thread may hold the GIL while the writer waits for it (CPython's default
# is 5 ms). Each DuckDB call hands the GIL back when it returns, about 200 times a batch; at 5 ms a
# turn, the writer spent more time waiting than writing (measured: commits 1.4x slower with 5 ms
# than with 0.5 ms while a batch was being prepared).
_GIL_TURN_S = 0.0005


@contextmanager
def _short_gil_turns() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, _GIL_TURN_S))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class CommitOptions(TypedDict, total=False):
    """`commit_batch`'s keyword arguments, which `load_records` passes through."""

    cursor: CursorTarget | None
    pages: pa.Table | None
    page_ref: str
    emit_added: bool
    normalizer: Normalizer


def load_records(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[Any],
    ctx: LoadContext,
    **options: Unpack[CommitOptions],
) -> LoadOutcome:
    """Load one batch atomically and report what it did (`prepare_batch`, then `commit_batch`)."""
    return commit_batch(con, prepare_batch(records), ctx, **options)


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedBatch,
    ctx: LoadContext,
    *,
    cursor: CursorTarget | None = None,
    pages: pa.Table | None = None,
    page_ref: str = "",
    emit_added: bool = True,
    normalizer: Normalizer = normalize,
) -> LoadOutcome:
    """Decide each study against the warehouse and write the batch in one transaction.

    `normalizer` builds the ctgov rows of the studies to write, unless they were built ahead; a
    sharded bulk load passes one that returns what its workers already built (`flows.sharding`).
    """
    screening, studies = prepared.screening, prepared.studies
    decisions = decide(studies, state.study_states(con, [s.nct_id for s in studies]))
    previous = state.version_records(
        con,
        [
            (d.study.nct_id, d.previous_version_no or 0)
            for d in decisions
            if d.action is Action.NEW_VERSION
        ],
    )
    events = batch_events(decisions, previous, ctx, emit_added=emit_added)
    to_write = [d for d in decisions if d.action in WRITES_ROWS]
    normalized = _written_rows(prepared, to_write, normalizer)
    max_seen = max(
        (s.last_update_post_date for s in studies if s.last_update_post_date), default=None
    )
    batch = BatchWrite(
        replace_ids=[d.study.nct_id for d in to_write if d.action is not Action.ADD],
        ctgov_rows=normalized.tables,
        new_versions=_arrow(STUDY_VERSIONS, version_rows(decisions, ctx, prepared.compressed)),
        closed_versions=closed_versions(decisions, ctx),
        states=_arrow(STUDY_STATE, state_rows(decisions, ctx)),
        refetched=FetchStamp(refetched_ids(decisions), ctx.fetched_at),
        events={CHANGE_EVENTS: _arrow(CHANGE_EVENTS, events)},
        pages=pages,
        quarantine=_arrow(QUARANTINE, _quarantine_rows(screening, ctx, page_ref)),
        drift=_arrow(SCHEMA_DRIFT, _drift_rows(screening, ctx)),
        cursor=_cursor_advance(cursor, max_seen, ctx),
    )
    apply_batch(con, batch)
    outcome = _outcome(prepared.records, screening, decisions, normalized.type_issues, max_seen)
    outcome.events.update(e["event_type"] for e in events)
    outcome.status_transitions.update(
        (e["old_value"], e["new_value"]) for e in events if e["field_path"] == _OVERALL_STATUS
    )
    return outcome


def _written_rows(
    prepared: PreparedBatch, to_write: Sequence[Decision], normalizer: Normalizer
) -> NormalizedBatch:
    """The ctgov rows of the studies written: built now, or kept from those built ahead."""
    written = frozenset(d.study.nct_id for d in to_write)
    ahead = prepared.normalized
    if ahead is None:
        return normalizer(
            [(d.study.nct_id, d.study.record) for d in to_write],
            strict=prepared.strict & written,
        )
    if len(written) == len(prepared.studies):
        return ahead
    keep = pa.array(sorted(written), pa.string())
    return NormalizedBatch(
        {t: rows.filter(pc.is_in(rows["nct_id"], keep)) for t, rows in ahead.tables.items()},
        [issue for issue in ahead.type_issues if issue.nct_id in written],
    )


def _arrow(table: Any, rows: list[dict[str, Any]]) -> pa.Table:
    data, issues = arrow_table(table, rows)
    if issues:
        raise ValueError(f"{table.qualified_name}: rows of the wrong type: {issues[:3]}")
    return data


def _quarantine_rows(screening: Screening, ctx: LoadContext, page_ref: str) -> list[dict[str, Any]]:
    return [
        {
            "record_key": r.record_key,
            "nct_id": r.nct_id,
            "run_id": ctx.run_id,
            "page_ref": page_ref,
            "reason": r.reason,
            "raw_record": r.raw.decode(),
            "quarantined_at": ctx.fetched_at,
        }
        for r in screening.rejected
    ]


def _drift_rows(screening: Screening, ctx: LoadContext) -> list[dict[str, Any]]:
    return [
        {
            "path": s.path,
            "kind": s.kind,
            "occurrences": s.count,
            "example_nct_id": s.example_nct_id,
            "example_value": s.example_value,
            "first_run_id": ctx.run_id,
            "last_run_id": ctx.run_id,
        }
        for s in summarize(screening.drift)
    ]


def _cursor_advance(
    cursor: CursorTarget | None, max_seen: dt.date | None, ctx: LoadContext
) -> CursorAdvance | None:
    if cursor is None or max_seen is None:
        return None
    return CursorAdvance(cursor.scope_key, cursor.scope_json, max_seen, ctx.run_id)


def _outcome(
    records: Sequence[Any],
    screening: Screening,
    decisions: Sequence[Decision],
    type_issues: list[TypeIssue],
    max_seen: dt.date | None,
) -> LoadOutcome:
    return LoadOutcome(
        received=len(records),
        actions=Counter(d.action.value for d in decisions),
        quarantined=len(screening.rejected),
        drift=Counter((d.path, d.kind) for d in screening.drift),
        type_issues=type_issues,
        max_last_update=max_seen,
    )


def parse_page(body: bytes) -> list[Any]:
    """The `studies` of an API page body (the page was landed before this is called)."""
    page = orjson.loads(body)
    studies = page.get("studies") if isinstance(page, dict) else None
    if not isinstance(studies, list):
        raise ValueError("page body has no `studies` list")
    return studies
