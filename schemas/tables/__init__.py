"""Every table written, by layer: `ctgov` (normalized registry), `history`, `pub`, `pipeline`.

Each family module declares its tables once and lists them in `TABLES`; this package only collects
them, so the warehouse, the publisher, the data dictionary and the tests all see the same list.
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from schemas.table import Table
from schemas.view import View

# Normalized registry families, in dependency-free display order (the studies table first).
CTGOV_FAMILIES: tuple[str, ...] = (
    "studies",
    "parties",
    "conditions",
    "arms",
    "sites",
    "references",
    "annotations",
    "results",
)
OTHER_FAMILIES: tuple[str, ...] = ("history", "pipeline", "pub", "aact", "analyst")


def _collect(families: tuple[str, ...]) -> tuple[Table, ...]:
    tables: list[Table] = []
    for family in families:
        tables.extend(import_module(f"schemas.tables.{family}").TABLES)
    return tuple(tables)


def _collect_views(families: tuple[str, ...]) -> tuple[View, ...]:
    views: list[View] = []
    for family in families:
        views.extend(getattr(import_module(f"schemas.tables.{family}"), "VIEWS", ()))
    return tuple(views)


CTGOV_TABLES: tuple[Table, ...] = _collect(CTGOV_FAMILIES)
ALL_TABLES: tuple[Table, ...] = CTGOV_TABLES + _collect(OTHER_FAMILIES)
# Views declared next to the tables they read (family modules may define `VIEWS`).
ALL_VIEWS: tuple[View, ...] = _collect_views(CTGOV_FAMILIES + OTHER_FAMILIES)
SCHEMAS: tuple[str, ...] = ("ctgov", "history", "pub", "pipeline")


def by_name(qualified_name: str) -> Table:
    """The table called `schema.name`."""
    for table in ALL_TABLES:
        if table.qualified_name == qualified_name:
            return table
    raise KeyError(qualified_name)


def schema_fingerprint() -> str:
    """A short hash of every table's DDL: changes whenever any declared table changes.

    Views are left out: they hold no data and are re-created every time a database is opened.
    """
    ddl = "\n".join(t.duckdb_ddl() for t in ALL_TABLES)
    return hashlib.sha256(ddl.encode()).hexdigest()[:16]
