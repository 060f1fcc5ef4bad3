"""Row dicts → Arrow tables of a declared schema, tolerating leaf values of the wrong type.

The fast path converts a whole column at once. Only when that fails is the column converted value by
value: a value that cannot take the declared type becomes null and is reported as a `TypeIssue`, so
one drifted leaf never sinks a batch and never passes silently (the raw record keeps the value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import pyarrow as pa

from schemas.table import Column, Table

CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError)


class TypeIssue(NamedTuple):
    """A value that did not fit its declared column type."""

    table: str
    column: str
    source: str | None
    nct_id: str | None
    value: str


def arrow_table(
    table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[pa.Table, list[TypeIssue]]:
    """Build `table`'s Arrow table from `rows`.

    Missing keys are nulls, unknown keys are ignored here (the tests check `unknown_keys` on every
    builder).
    """
    schema, row_type = _arrow_types(table)
    try:
        # The usual case, all in C++: each row dict is read straight into the column builders.
        # Transposing in Python first costs more than the conversion itself on a 30,000-row
        # table (the rows no longer fit in the CPU cache).
        rows_array = pa.array(rows, type=row_type)
    except CONVERSION_ERRORS:
        pass
    else:
        return pa.Table.from_arrays(rows_array.flatten(), schema=schema), []
    issues: list[TypeIssue] = []
    columns = _transpose(table, rows)
    arrays = [
        _column_array(table, col, values, rows, issues)
        for col, values in zip(table.columns, columns, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema), issues


_ARROW_TYPES: dict[int, tuple[Table, pa.Schema, pa.StructType]] = {}


def _arrow_types(table: Table) -> tuple[pa.Schema, pa.StructType]:
    """`table`'s Arrow schema and the struct type of one row, rendered once per table.

    Keyed by identity: tables are module constants, and hashing a frozen `Table` hashes every
    column (longer than building a small table).
    """
    cached = _ARROW_TYPES.get(id(table))
    if cached is None or cached[0] is not table:
        schema = table.arrow_schema()
        cached = _ARROW_TYPES[id(table)] = (table, schema, pa.struct(list(schema)))
    return cached[1], cached[2]


def declared_schema(table: Table) -> pa.Schema:
    """`table`'s Arrow schema, rendered once per table."""
    return _arrow_types(table)[0]


def _transpose(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[Sequence[Any]]:
    """Rows → columns, for the value-by-value fallback.

    When every row has every column the work is done in C (`itemgetter` + `zip`); rows with missing
    keys take the per-key path.
    """
    names = table.column_names
    if not rows:
        return [() for _ in names]
    try:
        picked = map(itemgetter(*names), rows)
        columns: list[Sequence[Any]] = (
            list(zip(*picked, strict=True)) if len(names) > 1 else [tuple(v for v in picked)]
        )
    except KeyError:
        return [[row.get(name) for row in rows] for name in names]
    return columns


def _column_array(
    table: Table,
    col: Column,
    values: Sequence[Any],
    rows: Sequence[Mapping[str, Any]],
    issues: list[TypeIssue],
) -> pa.Array:
    try:
        return pa.array(values, type=col.type)
    except CONVERSION_ERRORS:
        return fitted_values(table, col, values, [row.get("nct_id") for row in rows], issues)


def fitted_values(
    table: Table,
    col: Column,
    values: Sequence[Any],
    owners: Sequence[str | None],
    issues: list[TypeIssue],
) -> pa.Array:
    """`values` as `col`'s type, value by value: what does not fit becomes null and is reported.

    `owners` holds each value's NCT id, for the report.
    """
    kept: list[Any] = []
    for owner, value in zip(owners, values, strict=True):
        try:
            pa.array([value], type=col.type)
        except CONVERSION_ERRORS:
            issues.append(
                TypeIssue(table.qualified_name, col.name, col.source, owner, repr(value)[:200])
            )
            value = None
        kept.append(value)
    return pa.array(kept, type=col.type)


def unknown_keys(table: Table, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Row keys that `table` does not declare (a transform bug; checked by the tests)."""
    declared = set(table.column_names)
    return {key for row in rows for key in row if key not in declared}
