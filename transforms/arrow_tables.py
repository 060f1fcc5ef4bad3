"""Row dicts → Arrow tables of a declared schema, tolerating leaf values of the wrong type.

The fast path converts a whole column at once. Only when that fails is the column converted value by
value: a value that cannot take the declared type becomes null and is reported as a `TypeIssue`, so
one drifted leaf never sinks a batch and never passes silently (the raw record keeps the value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pyarrow as pa

from schemas.table import Column, Table

_CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError)


class TypeIssue(NamedTuple):
    """A value that did not fit its declared column type."""

    table: str
    column: str
    source: str | None
    nct_id: str | None
    value: str


def arrow_table(table: Table, rows: Sequence[Mapping[str, Any]]) -> tuple[pa.Table, list[TypeIssue]]:
    """Build `table`'s Arrow table from `rows`; missing keys are nulls, unknown keys are an error."""
    issues: list[TypeIssue] = []
    arrays = [_column_array(table, col, rows, issues) for col in table.columns]
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema()), issues


def _column_array(
    table: Table, col: Column, rows: Sequence[Mapping[str, Any]], issues: list[TypeIssue]
) -> pa.Array:
    name = col.name
    values = [row.get(name) for row in rows]
    try:
        return pa.array(values, type=col.type)
    except _CONVERSION_ERRORS:
        pass
    kept: list[Any] = []
    for row, value in zip(rows, values, strict=True):
        try:
            pa.array([value], type=col.type)
        except _CONVERSION_ERRORS:
            issues.append(
                TypeIssue(
                    table.qualified_name, name, col.source, row.get("nct_id"), repr(value)[:200]
                )
            )
            value = None
        kept.append(value)
    return pa.array(kept, type=col.type)


def unknown_keys(table: Table, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Row keys that `table` does not declare (a transform bug; checked by the tests)."""
    declared = set(table.column_names)
    return {key for row in rows for key in row if key not in declared}
