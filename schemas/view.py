"""Views: other names and shapes over the declared tables (AACT's narrow tables, analyst views).

A view never copies data. Its SQL refers to tables by schema-qualified name, so the same view works
in the working database and in the published analyst database (whose tables are Parquet-backed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    """A named SELECT over declared tables."""

    name: str
    sql: str
    doc: str
    schema: str = "ctgov"

    @property
    def qualified_name(self) -> str:
        """`schema.name`."""
        return f"{self.schema}.{self.name}"

    def ddl(self) -> str:
        """`CREATE OR REPLACE VIEW` statement."""
        return f"CREATE OR REPLACE VIEW {self.qualified_name} AS {self.sql}"
