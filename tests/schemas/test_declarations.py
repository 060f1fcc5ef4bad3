"""Every declared table renders to valid DuckDB DDL and Arrow; the generated docs are current."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from schemas.dictionary import overview, render
from schemas.tables import ALL_TABLES, ALL_VIEWS, CTGOV_TABLES
from warehouse.database import enforces_primary_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def memory_db():
    con = duckdb.connect()
    for schema in {t.schema for t in ALL_TABLES} | {v.schema for v in ALL_VIEWS}:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table in ALL_TABLES:
        con.execute(table.duckdb_ddl(enforce_primary_key=enforces_primary_key(table)))
    yield con
    con.close()


def test_every_ddl_runs_and_an_empty_arrow_table_inserts(memory_db):
    for table in ALL_TABLES:
        memory_db.register("empty", table.empty())
        memory_db.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM empty")
        memory_db.unregister("empty")
        cols = [
            r[0]
            for r in memory_db.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index",
                [table.schema, table.name],
            ).fetchall()
        ]
        assert tuple(cols) == table.column_names


def test_every_view_binds(memory_db):
    for view in ALL_VIEWS:
        memory_db.execute(view.ddl())
        memory_db.execute(f"SELECT * FROM {view.qualified_name} LIMIT 0")


def test_names_follow_the_conventions():
    for table in ALL_TABLES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", table.name), table.name
        assert table.grain and table.primary_key, table.qualified_name
        for col in table.columns:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", col.name), (table.name, col.name)
            assert col.doc.strip(), (table.name, col.name)
    names = [t.name for t in ALL_TABLES]
    assert len(names) == len(set(names)), (
        "table names must be unique across schemas (Parquet folders)"
    )


def test_every_ctgov_table_but_studies_starts_with_aact_id_then_nct_id():
    for table in CTGOV_TABLES:
        if table.primary_key == ("nct_id",) and table.name in {"studies", "calculated_values"}:
            assert table.column_names[0] == "nct_id"
        else:
            assert table.column_names[:2] == ("id", "nct_id"), table.name


def test_data_dictionary_is_current():
    # Regenerate with: python -m schemas.dictionary > docs/data-dictionary.md
    assert (ROOT / "docs" / "data-dictionary.md").read_text() == render(ALL_TABLES)


def test_readme_outputs_table_is_current():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- outputs:start -->")[1].split("<!-- outputs:end -->")[0]
    assert block.strip() == overview([t for t in ALL_TABLES if t.schema != "pipeline"]).strip()
