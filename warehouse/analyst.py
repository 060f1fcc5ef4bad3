"""The published analyst database: DuckDB views over the snapshot's Parquet, plus AACT's names.

Why views, not a copy: the file is created in milliseconds, holds no data of its own (the Parquet
is the single copy), and any DuckDB client can open it read-only while a sync runs, because the sync
never touches a published snapshot. AACT users find every ctgov table both as `ctgov.<table>` and
unqualified (`studies`), so their queries run unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from schemas.table import Table, sql_string
from schemas.view import View
from warehouse.publish import parquet_dir


def _quoted_path(path: Path) -> str:
    text = str(path)
    if "'" in text:
        raise ValueError(f"refusing a data folder path containing a quote: {text!r}")
    return f"'{text}'"


def analyst_statements(
    snapshot_dir: Path, tables: Sequence[Table], views: Sequence[View]
) -> list[str]:
    """Statements that build the analyst database for a snapshot at `snapshot_dir`."""
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {s}"
        for s in sorted({t.schema for t in tables} | {v.schema for v in views})
    ]
    for table in tables:
        files = _quoted_path(parquet_dir(snapshot_dir, table) / "**" / "*.parquet")
        hive = "true" if table.partition_by else "false"
        statements.append(
            f"CREATE VIEW {table.qualified_name} AS SELECT * FROM read_parquet({files}, "
            f"hive_partitioning = {hive}, union_by_name = true)"
        )
        comment = sql_string(table.comment())
        statements.append(f"COMMENT ON VIEW {table.qualified_name} IS {comment}")
    statements += [view.ddl() for view in views]
    # AACT habits: unqualified names for the normalized tables and AACT's views.
    relations: list[Table | View] = [*tables, *views]
    statements += [
        f"CREATE VIEW main.{obj.name} AS SELECT * FROM {obj.qualified_name}"
        for obj in relations
        if obj.schema == "ctgov"
    ]
    return statements
