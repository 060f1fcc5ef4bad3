"""The data dictionary (Markdown), rendered from the table declarations so it can never drift.

Regenerate with `python -m schemas.dictionary > docs/data-dictionary.md`; a test fails when the
committed file differs from what the declarations render.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.table import Table
from schemas.types import duckdb_type

_LAYERS = {
    "ctgov": "Normalized registry (current state of every study)",
    "history": "History: versions and change events",
    "pub": "Publisher outputs",
    "pipeline": "Pipeline state",
}


def overview(tables: Sequence[Table]) -> str:
    """The table of outputs (table, grain, primary key) for the README."""
    lines = ["| table | grain | primary key |", "|---|---|---|"]
    lines += [
        f"| `{t.qualified_name}` | {t.grain} | `{', '.join(t.primary_key)}` |" for t in tables
    ]
    return "\n".join(lines)


def _table_section(table: Table) -> str:
    lines = [
        f"### `{table.qualified_name}`",
        "",
        f"Grain: {table.grain}. Primary key: `{', '.join(table.primary_key)}`."
        + (f" {table.doc}" if table.doc else ""),
        "",
        "| column | type | null | source | description |",
        "|---|---|---|---|---|",
    ]
    for col in table.columns:
        sql_type = "JSON" if col.is_json else duckdb_type(col.type)
        source = "<br>".join(f"`{s}`" for s in col.sources) or "computed"
        nullable = "yes" if col.nullable else "no"
        lines.append(f"| `{col.name}` | {sql_type} | {nullable} | {source} | {col.doc} |")
    return "\n".join(lines)


def render(tables: Sequence[Table]) -> str:
    """The whole dictionary."""
    out = [
        "# trialsync data dictionary",
        "",
        "Generated from `schemas/tables/` by `python -m schemas.dictionary`; do not edit by hand.",
        "`source` is the API v2 record path a column holds (`[]` marks list items).",
        "",
        "## Tables",
        "",
        overview(tables),
    ]
    for schema, title in _LAYERS.items():
        members = [t for t in tables if t.schema == schema]
        if members:
            out += ["", f"## {title} (`{schema}`)", ""]
            out += [_table_section(t) + "\n" for t in members]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    from schemas.tables import ALL_TABLES

    sys.stdout.write(render(ALL_TABLES))
