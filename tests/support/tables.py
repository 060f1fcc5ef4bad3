"""Build one family's tables from records the way a load does, for tests that inspect rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schemas.table import Table
from transforms.arrow_tables import TypeIssue
from transforms.drift import drift_observations
from transforms.normalize import normalize
from transforms.screening import TYPE_DRIFT

Row = dict[str, Any]


def table_rows(
    tables: Iterable[Table],
    records: Mapping[str, Mapping[str, Any]],
    *,
    strict: bool | None = None,
) -> tuple[dict[str, list[Row]], list[TypeIssue]]:
    """`{table name: rows}` for `records` (NCT id -> record), and the values reported as issues.

    By default, as in a load, the records whose drift check finds a wrong type are normalized
    strictly; `strict=True`/`False` forces it for every record.
    """
    pairs = list(records.items())
    if strict is None:
        chosen = frozenset(
            nct_id
            for nct_id, record in pairs
            if any(d.kind in TYPE_DRIFT for d in drift_observations(record, nct_id))
        )
    else:
        chosen = frozenset(records) if strict else frozenset()
    batch = normalize(pairs, only=list(tables), strict=chosen)
    return {t.name: arrow.to_pylist() for t, arrow in batch.tables.items()}, batch.type_issues


def study_rows(table: Table, record: Mapping[str, Any], nct_id: str = "NCT00000001") -> list[Row]:
    """`table`'s rows for one record."""
    return table_rows([table], {nct_id: record})[0][table.name]
