"""The declaration machinery: a `Table` of `Column`s renders its Arrow schema and its DuckDB DDL.

Every table trialsync writes is declared once with these classes (see `schemas/tables/`); no other
file lists a table's columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from schemas.types import JSON_METADATA_KEY, duckdb_type


@dataclass(frozen=True)
class Column:
    """One column: its name, Arrow type, nullability, a one-line doc and where its value comes from.

    `source` is the dotted path of the API record leaf the column holds (`[]` marks a list item),
    e.g. `protocolSection.conditionsModule.conditions[]`; a column fed by several leaves of the same
    meaning lists them separated by `|`. Columns computed by trialsync (ordinals, helper columns,
    hashes) have no source. The field-coverage test and the drift check read it.
    """

    name: str
    type: pa.DataType
    doc: str
    nullable: bool = True
    source: str | None = None
    is_json: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        """Every record leaf path this column holds."""
        return tuple(self.source.split("|")) if self.source else ()

    def arrow_field(self) -> pa.Field:
        """The Arrow field, with the doc (and a JSON marker) kept as field metadata."""
        metadata = {b"doc": self.doc.encode()}
        if self.is_json:
            metadata[JSON_METADATA_KEY] = b"1"
        return pa.field(self.name, self.type, nullable=self.nullable, metadata=metadata)

    def ddl(self) -> str:
        """The column's DuckDB definition."""
        sql_type = "JSON" if self.is_json else duckdb_type(self.type)
        return f"{self.name} {sql_type}" + ("" if self.nullable else " NOT NULL")


@dataclass(frozen=True, init=False)
class Table:
    """One output table: DuckDB schema, name, grain, ordered columns and primary key."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    schema: str
    grain: str
    doc: str
    partition_by: tuple[str, ...] = field(default=())

    def __init__(
        self,
        name: str,
        *columns: Column | Iterable[Column],
        primary_key: tuple[str, ...],
        schema: str = "ctgov",
        grain: str,
        doc: str = "",
        partition_by: tuple[str, ...] = (),
    ) -> None:
        flat: list[Column] = []
        for item in columns:
            flat.extend([item] if isinstance(item, Column) else item)
        names = [c.name for c in flat]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{schema}.{name}: duplicate columns {duplicates}")
        missing = [k for k in (*primary_key, *partition_by) if k not in names]
        if missing:
            raise ValueError(f"{schema}.{name}: key columns not declared: {missing}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "columns", tuple(flat))
        object.__setattr__(self, "primary_key", primary_key)
        object.__setattr__(self, "schema", schema)
        object.__setattr__(self, "grain", grain)
        object.__setattr__(self, "doc", doc)
        object.__setattr__(self, "partition_by", partition_by)

    @property
    def qualified_name(self) -> str:
        """`schema.name`, as used in SQL."""
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in declared order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The declared column called `name`."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema used by the transforms and the Parquet writer."""
        return pa.schema(
            [c.arrow_field() for c in self.columns],
            metadata={b"table": self.qualified_name.encode()},
        )

    def empty(self) -> pa.Table:
        """A zero-row Arrow table with this schema."""
        return self.arrow_schema().empty_table()

    def duckdb_ddl(self, *, enforce_primary_key: bool = True) -> str:
        """`CREATE TABLE IF NOT EXISTS` plus a comment on the table and on every column."""
        lines = [c.ddl() for c in self.columns]
        if enforce_primary_key and self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        body = ",\n    ".join(lines)
        statements = [f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n    {body}\n);"]
        comment = sql_string(self.comment())
        statements.append(f"COMMENT ON TABLE {self.qualified_name} IS {comment};")
        statements += [
            f"COMMENT ON COLUMN {self.qualified_name}.{c.name} IS {sql_string(c.doc)};"
            for c in self.columns
        ]
        return "\n".join(statements)

    def comment(self) -> str:
        """The table comment: its grain, then its doc."""
        return f"Grain: {self.grain}." + (f" {self.doc}" if self.doc else "")


def sql_string(text: str) -> str:
    """A SQL string literal, for our own text only (declared docs, paths), never registry data.

    DDL, COMMENT and ATTACH take no parameters, so these are the statements that need it.
    """
    return "'" + text.replace("'", "''") + "'"
