"""The publishing gate: checks on the working database that must pass before anything is published.

AACT publishes whatever its load produced; its users found out months later that a column had gone
empty (issue #925, an upstream rename) or that joins pointed at the wrong rows (#1209). Here a
publication is refused, with every reason, when:

* a registry row has no study: a child table's `nct_id` is not in `ctgov.studies`, or an AACT-style
  foreign key (`facility_id`, `outcome_id`, ... see `foreign_keys`) does not resolve to its parent's
  `id`;
* a key repeats: a registry table's declared primary key (for the one-row-per-study tables that is
  `nct_id`), or its AACT `id`;
* a dataset shrank suddenly: it had at least `MIN_ROWS` rows at the last publication and lost more
  than `max_row_drop` of them (share);
* a registry column emptied: in a table of at least `MIN_ROWS` rows then and now, the column's share
  of non-NULL values fell by more than `max_fill_drop` (absolute; 0.2 = 20 points).

Tables under `MIN_ROWS` rows are left out of the two comparisons: there a single edited study
moves the numbers by percents. The comparisons are against the last publication only, so they
catch a sudden break (a full resync or bulk reload after an upstream change); a rename that
arrives study by study through daily syncs empties a column slowly, and is caught by the drift
checks instead (the new key is an `unknown_key` in the records and a `new_metadata_path` in
`/studies/metadata`, the old one a `vanished_metadata_path`).

The other schemas need no key check here: DuckDB enforces their keys on insert
(`warehouse.database.enforces_primary_key`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from schemas.table import Table
from schemas.tables import CTGOV_TABLES
from warehouse.database import fetch_one
from warehouse.publish import PublishError, TableStats

MIN_ROWS = 100
STUDIES = "studies"

# FK columns whose parent table is not the plural of the column's stem (`outcome_id` → outcomes).
_EXPLICIT_PARENTS: dict[str, str] = {"reference_id": "study_references"}


class GateFailed(PublishError):
    """The publishing gate refused the warehouse; the previous publication is unchanged."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("publishing gate failed: " + "; ".join(self.problems))


@dataclass(frozen=True)
class ForeignKey:
    """`table.column` holds the `id` of a row of `parent` (AACT's `<parent>_id` rule)."""

    table: Table
    column: str
    parent: Table


def _plural(stem: str) -> str:
    if stem.endswith("y"):
        return stem[:-1] + "ies"  # facility → facilities
    if stem.endswith("is"):
        return stem[:-2] + "es"  # outcome_analysis → outcome_analyses
    return stem + "s"


def foreign_keys(tables: Sequence[Table] = CTGOV_TABLES) -> tuple[ForeignKey, ...]:
    """Every AACT-style FK: a column `<x>_id` of the same type as the `id` of table `<x>s`.

    The type test keeps text ids that merely share the pattern (`documents.document_id`,
    `browse_leaves.leaf_id`) out.
    """
    by_name = {t.name: t for t in tables if "id" in t.column_names}
    found = []
    for table in tables:
        for column in table.columns:
            if not column.name.endswith("_id") or column.name == "nct_id":
                continue
            stem = column.name[: -len("_id")]
            parent = by_name.get(_EXPLICIT_PARENTS.get(column.name, _plural(stem)))
            if (
                parent is not None
                and parent is not table
                and column.type == parent.column("id").type
            ):
                found.append(ForeignKey(table, column.name, parent))
    return tuple(found)


def gate_problems(
    con: duckdb.DuckDBPyConnection,
    previous_manifest: Mapping[str, Any] | None,
    current_stats: Mapping[str, TableStats],
    *,
    max_row_drop: float = 0.05,
    max_fill_drop: float = 0.2,
) -> list[str]:
    """Every reason not to publish the working database now (empty: publish).

    Args:
        con: The working database.
        previous_manifest: The current publication's manifest
            (`warehouse.publish.current_manifest`), or None before the first publication.
        current_stats: `warehouse.publish.export_stats` of the datasets about to be published.
        max_row_drop: Largest tolerated loss of a dataset's rows, as a share of the previous count.
        max_fill_drop: Largest tolerated fall of a registry column's fill rate (absolute).
    """
    problems = orphan_problems(con) + duplicate_problems(con)
    if previous_manifest:
        problems += row_drop_problems(previous_manifest, current_stats, max_row_drop)
        problems += fill_drop_problems(previous_manifest, current_stats, max_fill_drop)
    return problems


def orphan_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Registry rows of no study, and FK ids that name no parent row."""
    problems = []
    for table in CTGOV_TABLES:
        if table.name == STUDIES:
            continue
        count, example = _count(
            con,
            f"SELECT count(*), min(c.nct_id) FROM {table.qualified_name} c WHERE NOT EXISTS "
            "(SELECT 1 FROM ctgov.studies s WHERE s.nct_id = c.nct_id)",
        )
        if count:
            problems.append(
                f"{table.qualified_name}: {count:,} row(s) whose nct_id is not in ctgov.studies "
                f"(e.g. {example})"
            )
    for fk in foreign_keys():
        count, example = _count(
            con,
            f"SELECT count(*), min(c.nct_id) FROM {fk.table.qualified_name} c "
            f"WHERE c.{fk.column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {fk.parent.qualified_name} p WHERE p.id = c.{fk.column})",
        )
        if count:
            problems.append(
                f"{fk.table.qualified_name}.{fk.column}: {count:,} id(s) not in "
                f"{fk.parent.qualified_name}.id (e.g. in {example})"
            )
    return problems


def duplicate_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Declared primary keys, and AACT `id`s, that repeat in a registry table."""
    problems = []
    for table in CTGOV_TABLES:
        keys = [table.primary_key]
        if "id" in table.column_names:
            keys.append(("id",))
        for key in keys:
            columns = ", ".join(key)
            count, example = _count(
                con,
                f"SELECT count(*), min(nct_id) FROM (SELECT any_value(nct_id) AS nct_id "
                f"FROM {table.qualified_name} GROUP BY {columns} HAVING count(*) > 1)",
            )
            if count:
                problems.append(
                    f"{table.qualified_name}: {count:,} duplicate value(s) of ({columns}) "
                    f"(e.g. in {example})"
                )
    return problems


def row_drop_problems(
    previous_manifest: Mapping[str, Any], current: Mapping[str, TableStats], max_row_drop: float
) -> list[str]:
    """Datasets of `MIN_ROWS`+ rows that lost more than `max_row_drop` of them."""
    problems = []
    for name, before in _previous_rows(previous_manifest).items():
        if name not in current or before < MIN_ROWS:
            continue
        now = current[name].rows
        if (before - now) / before > max_row_drop:
            problems.append(
                f"{name}: {now:,} rows, {before:,} at the last publication "
                f"(-{(before - now) / before:.1%}, more than the {max_row_drop:.0%} allowed)"
            )
    return problems


def fill_drop_problems(
    previous_manifest: Mapping[str, Any], current: Mapping[str, TableStats], max_fill_drop: float
) -> list[str]:
    """Registry columns whose fill rate fell by more than `max_fill_drop`."""
    previous_rows = _previous_rows(previous_manifest)
    previous_fill = previous_manifest.get("fill_rates") or {}
    problems = []
    for table in CTGOV_TABLES:
        now, before = current.get(table.name), previous_fill.get(table.name) or {}
        if now is None or now.rows < MIN_ROWS or previous_rows.get(table.name, 0) < MIN_ROWS:
            continue
        for column, rate in now.fill_rates.items():
            was = before.get(column)
            if isinstance(was, int | float) and was - rate > max_fill_drop:
                problems.append(
                    f"{table.qualified_name}.{column}: filled in {rate:.1%} of rows, "
                    f"{was:.1%} at the last publication (an upstream rename empties a column)"
                )
    return problems


def _previous_rows(manifest: Mapping[str, Any]) -> dict[str, int]:
    tables = manifest.get("tables") or {}
    return {
        name: int(entry["rows"])
        for name, entry in tables.items()
        if isinstance(entry, Mapping) and isinstance(entry.get("rows"), int)
    }


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, Any]:
    row = fetch_one(con, sql)
    return (int(row[0]), row[1]) if row else (0, None)
