"""AACT's `all_*` views and other AACT-compatibility views (being written)."""

from __future__ import annotations

from schemas.table import Table
from schemas.view import View

TABLES: tuple[Table, ...] = ()
VIEWS: tuple[View, ...] = ()
