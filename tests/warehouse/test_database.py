"""Opening the working database: the file's name inside DuckDB, read-only use, row group size."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.session import open_warehouse
from flows.settings import Settings
from warehouse.database import connect

STORED = (
    "SELECT row_group_id, column_id, segment_id, block_id, block_offset "
    "FROM pragma_storage_info('ctgov.t') WHERE row_group_id = 0 ORDER BY ALL"
)


def _append(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.execute(
        "INSERT INTO ctgov.t SELECT 'NCT' || lpad(i::VARCHAR, 8, '0'), repeat(i::VARCHAR, 40) "
        "FROM range(?) r(i)",
        [rows],
    )
    con.execute("CHECKPOINT")


def test_the_file_is_the_default_database_under_its_stem(tmp_path: Path) -> None:
    # As `duckdb.connect(path)` names it, so unqualified and schema-qualified names resolve alike.
    path = tmp_path / 'it\'s a "warehouse".duckdb'
    con = connect(path)
    con.execute("CREATE SCHEMA ctgov")
    con.execute("CREATE TABLE ctgov.t (nct_id VARCHAR, text VARCHAR)")
    _append(con, 10)
    assert con.execute("SELECT current_database()").fetchall() == [('it\'s a "warehouse"',)]
    con.close()
    reader = connect(path, read_only=True)
    assert reader.execute("SELECT count(*) FROM ctgov.t").fetchall() == [(10,)]
    reader.close()
    plain = duckdb.connect(str(path), read_only=True)  # an analyst's plain DuckDB
    assert plain.execute("SELECT count(*) FROM ctgov.t").fetchall() == [(10,)]
    plain.close()


def test_row_groups_have_the_configured_size(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb", row_group_size=4096)
    con.execute("CREATE SCHEMA ctgov")
    con.execute("CREATE TABLE ctgov.t (nct_id VARCHAR, text VARCHAR)")
    _append(con, 10_000)
    groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('ctgov.t')")
    assert groups.fetchall() == [(3,)]
    con.close()


def test_a_checkpoint_leaves_the_stored_row_groups_in_place(tmp_path: Path) -> None:
    # Under DuckDB's own 122,880, the second checkpoint merges the first one's 20,000 rows with
    # its own and rewrites them; with the configured size (`Settings.duckdb_row_group_size`) the
    # first checkpoint's row group is a whole one and keeps its blocks.
    settings = Settings(data_dir=tmp_path)
    with open_warehouse(settings, tmp_path / "w.duckdb") as con:
        con.execute("CREATE TABLE ctgov.t (nct_id VARCHAR, text VARCHAR)")
        _append(con, settings.duckdb_row_group_size - 100)
        first = con.execute(STORED).fetchall()
        _append(con, settings.duckdb_row_group_size - 100)
        assert con.execute(STORED).fetchall() == first
    default = duckdb.connect(str(tmp_path / "default.duckdb"))
    default.execute("CREATE SCHEMA ctgov")
    default.execute("CREATE TABLE ctgov.t (nct_id VARCHAR, text VARCHAR)")
    _append(default, settings.duckdb_row_group_size - 100)
    first = default.execute(STORED).fetchall()
    _append(default, settings.duckdb_row_group_size - 100)
    assert default.execute(STORED).fetchall() != first
    default.close()
