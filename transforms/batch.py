"""A batch of study records as one nested Arrow array, and the few operations tables are built from.

Building ~60 tables by walking parsed dicts in Python cost about 8x the JSON parse (profiled: path
lookups, a dict per row, then Arrow reading every dict back). Here the batch is converted once, in
C++, to the record's Arrow type (`schemas.study.arrow`); each table is then a handful of Arrow
kernels over that array: pick a field, unnest a list, take the NCT id of each row's study.

A `Level` is a set of rows: the studies themselves, or the items of a list inside them, each row
knowing its study and its position in every list above it (`ordinals`). Positions count every item
as listed, so a null or malformed item keeps its siblings' positions (as in the row dicts before).
Helpers on plain columns (ranges, repeats, reorders, per-value rules) are in `transforms.columns`.

Values of the wrong type would make the conversion fail or, worse, be changed silently (2.5 into
an integer column becomes 2). Records whose drift check found wrong types (`strict`) are first made
to conform: each such value becomes null and is reported as a `TypeIssue` against the columns that
read it; the raw record keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from schemas.study.arrow import study_arrow_type
from schemas.table import Column, Table
from schemas.tables import CTGOV_TABLES
from transforms._ids import stable_ids
from transforms.arrow_tables import CONVERSION_ERRORS, TypeIssue, declared_schema, fitted_values
from transforms.columns import arange

_INT64 = (-(2**63), 2**63 - 1)
_T = TypeVar("_T")


@dataclass(frozen=True)
class Level:
    """Rows at one depth of the batch: studies, or the items of a list inside them.

    Attributes:
        values: The rows' objects (a StructArray), or the items of a list of scalars.
        study: For each row, the index of its study in the batch.
        ordinals: For each row, its position in each list above it, outermost first.
        nct_ids: The batch's NCT ids, indexed by `study`.
        parent_row: For each row, its row in the level it was unnested from (`each`), if any.
    """

    values: pa.Array
    study: pa.Array
    ordinals: tuple[pa.Array, ...]
    nct_ids: pa.Array
    parent_row: pa.Array | None = None
    # Fields, lists, NCT ids and ids already computed for this level: several tables read the same
    # list (locations feed four), and each kernel call costs ~10 us whatever the batch size.
    _memo: dict[object, Any] = dataclass_field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def nct_id(self) -> pa.Array:
        """Each row's NCT id."""
        return self.shared("nct_id", lambda: self.nct_ids.take(self.study))

    @property
    def ordinal(self) -> pa.Array:
        """Each row's position in its own list."""
        return self.ordinals[-1]

    def ids(self, table: str) -> pa.Array:
        """`stable_ids(table, nct_id, *ordinals)`: the ids of a table with a row per list item.

        Kept, as child tables take them down as their foreign key (`.take(child.parent_row)`)
        rather than hash the same keys again.
        """
        return self.shared(("ids", table), lambda: stable_ids(table, self.nct_id, *self.ordinals))

    def shared(self, key: object, make: Callable[[], _T]) -> _T:
        """`make()`, run once per level for `key`: derived rows or indexes several tables read."""
        if key not in self._memo:
            self._memo[key] = make()
        found: _T = self._memo[key]
        return found

    def field(self, path: str) -> pa.Array:
        """The value at a dotted path below each row; null where anything on the way is missing.

        A step into a struct without nulls takes the child as it is (about 2 us); a struct with
        nulls has its validity merged into its children's, all of them in one call (`flatten`),
        as tables read several fields of one object. Every step is kept, so sibling paths (a
        module's fields) share the steps above them.
        """
        found = self._memo.get(("field", path))
        if found is not None:
            return found
        parent, _, key = path.rpartition(".")
        values = self.field(parent) if parent else self.values
        found = self._fields(parent, values)[key] if values.null_count else values.field(key)
        self._memo["field", path] = found
        return found

    def _fields(self, path: str, struct: pa.StructArray) -> dict[str, pa.Array]:
        """The fields of the struct at `path`, each null where the struct is (one `flatten`)."""
        return self.shared(
            ("fields", path), lambda: dict(zip(struct.type.names, struct.flatten(), strict=True))
        )

    def each(self, path: str = "", *, keep_nulls: bool = False) -> Level:
        """One row per item of the list at `path` below each row (`""`: the rows are lists).

        Null items (a null, or a value of the wrong type made null) give no row unless
        `keep_nulls`; either way the other items keep their positions.
        """
        key = ("each", path, keep_nulls)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._unnest(path, keep_nulls)
        return found

    def _unnest(self, path: str, keep_nulls: bool) -> Level:
        lists = self.field(path) if path else self.values
        items = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists)
        starts = lists.offsets.take(parent)
        first = lists.offsets[0].as_py() if len(lists) else 0
        position = pc.subtract(arange(len(items), first), starts)
        level = Level(
            items,
            self.study.take(parent),
            (*(o.take(parent) for o in self.ordinals), position),
            self.nct_ids,
            parent,
        )
        return level.where(pc.is_valid(items)) if items.null_count and not keep_nulls else level

    def where(self, mask: pa.Array) -> Level:
        """The rows where `mask` is true."""
        return Level(
            self.values.filter(mask),
            self.study.filter(mask),
            tuple(o.filter(mask) for o in self.ordinals),
            self.nct_ids,
            None if self.parent_row is None else self.parent_row.filter(mask),
        )

    def parents(self, depth: int) -> pa.Array:
        """Each row's position in the list `depth` levels up (0: the outermost list)."""
        return self.ordinals[depth]


def study_order(levels: Sequence[Level]) -> pa.Array:
    """Indices that put the rows of several levels, concatenated in that order, in study order.

    Within a study the rows stay level by level, each level's in its own order: Arrow's
    `sort_indices` is stable. This is how a table fed by several lists (lead sponsor, then
    collaborators) keeps AACT's row order.
    """
    return pc.sort_indices(pa.concat_arrays([level.study for level in levels]))


def study_level(
    records: Sequence[tuple[str, Mapping[str, Any]]], strict: frozenset[str] = frozenset()
) -> tuple[Level, list[TypeIssue]]:
    """The batch as the study-level rows; `strict` records are made to conform first."""
    record_type = study_arrow_type()
    issues: list[TypeIssue] = []
    dicts = [_conforming(r, n, record_type, issues) if n in strict else r for n, r in records]
    try:
        values = pa.array(dicts, type=record_type)
    except CONVERSION_ERRORS:
        # Only a record the drift check missed gets here: find it and make it conform.
        values = pa.concat_arrays(
            [
                _one(nct_id, d, record_type, issues)
                for (nct_id, _), d in zip(records, dicts, strict=True)
            ]
        )
    n = len(records)
    study = arange(n)
    nct_ids = pa.array([nct_id for nct_id, _ in records], pa.string())
    return Level(values, study, (), nct_ids), issues


def _one(
    nct_id: str, record: Mapping[str, Any], record_type: pa.StructType, issues: list[TypeIssue]
) -> pa.Array:
    try:
        return pa.array([record], type=record_type)
    except CONVERSION_ERRORS:
        return pa.array([_conforming(record, nct_id, record_type, issues)], type=record_type)


def _conforming(
    record: Any, nct_id: str, record_type: pa.StructType, issues: list[TypeIssue]
) -> dict[str, Any]:
    """The record with every value that does not fit the type nulled (and reported)."""
    found: list[tuple[str, Any]] = []
    clean = _conform(record, record_type, "", found)
    readers = column_readers()
    for path, value in found:
        for table, column in readers.get(path, ()):
            issues.append(TypeIssue(table, column, path, nct_id, repr(value)[:200]))
    return clean if isinstance(clean, dict) else {}


def _conform(value: Any, arrow_type: pa.DataType, path: str, found: list[tuple[str, Any]]) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(arrow_type):
        if type(value) is not dict:
            found.append((path, value))
            return None
        prefix = f"{path}." if path else ""
        return {
            f.name: _conform(value.get(f.name), f.type, f"{prefix}{f.name}", found)
            for f in arrow_type
        }
    if pa.types.is_list(arrow_type):
        if type(value) is not list:
            found.append((path, value))
            return None
        item = f"{path}[]"
        return [_conform(v, arrow_type.value_type, item, found) for v in value]
    if _fits(value, arrow_type):
        return value
    found.append((path, value))
    return None


def _fits(value: Any, arrow_type: pa.DataType) -> bool:
    if pa.types.is_string(arrow_type):
        return type(value) is str
    if pa.types.is_boolean(arrow_type):
        return type(value) is bool
    if pa.types.is_integer(arrow_type):
        return type(value) is int and _INT64[0] <= value <= _INT64[1]
    if pa.types.is_floating(arrow_type):
        return type(value) is float or (type(value) is int and abs(value) < 2**53)
    return False


@cache
def column_readers() -> dict[str, tuple[tuple[str, str], ...]]:
    """Record leaf path -> the (table, column) pairs that hold it (from the declared sources)."""
    readers: dict[str, list[tuple[str, str]]] = {}
    for table in CTGOV_TABLES:
        for column in table.columns:
            for source in column.sources:
                readers.setdefault(source, []).append((table.qualified_name, column.name))
    return {path: tuple(pairs) for path, pairs in readers.items()}


def table_of(table: Table, length: int, columns: Mapping[str, Any]) -> pa.Table:
    """`table`'s Arrow table from one entry per declared column.

    An entry is an Arrow array, a Python sequence, or None for a column of nulls. A missing or
    unknown column name is a transform bug and raises, so no column is left empty by accident.
    A value the column's type cannot hold (an integer beyond an int32 column's range) becomes
    null and is reported (`reported_issues`), never sinking the batch.
    """
    names = table.column_names
    if set(columns) != set(names):
        missing = sorted(set(names) - set(columns))
        unknown = sorted(set(columns) - set(names))
        raise ValueError(f"{table.qualified_name}: missing {missing}, unknown {unknown}")
    arrays = []
    for col in table.columns:
        value = columns[col.name]
        if value is None:
            arrays.append(pa.nulls(length, col.type))
            continue
        try:
            if isinstance(value, pa.Array):
                arrays.append(value if value.type == col.type else value.cast(col.type))
            else:
                arrays.append(pa.array(value, type=col.type))
        except CONVERSION_ERRORS:
            arrays.append(_fitted(table, col, value, columns.get("nct_id")))
    return pa.Table.from_arrays(arrays, schema=declared_schema(table))


def _fitted(table: Table, col: Column, values: Any, nct_ids: Any) -> pa.Array:
    """`values` as `col`'s type: what does not fit becomes null and goes to `reported_issues`."""
    listed = values.to_pylist() if isinstance(values, pa.Array) else list(values)
    if nct_ids is None:
        owners: list[Any] = [None] * len(listed)
    else:
        owners = nct_ids.to_pylist() if isinstance(nct_ids, pa.Array) else list(nct_ids)
    sink = _ISSUES.get()
    return fitted_values(table, col, listed, owners, [] if sink is None else sink)


_ISSUES: ContextVar[list[TypeIssue] | None] = ContextVar("batch_type_issues", default=None)


@contextmanager
def reported_issues() -> Iterator[list[TypeIssue]]:
    """Collect the values `table_of` had to null while building a batch's tables.

    A context, not a return value, so that each table builder stays `Level -> pa.Table`.
    """
    issues: list[TypeIssue] = []
    token = _ISSUES.set(issues)
    try:
        yield issues
    finally:
        _ISSUES.reset(token)
