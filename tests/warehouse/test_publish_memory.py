"""Publishing a table of wide rows stays inside DuckDB's memory limit, and keeps the rows' order."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.table import Column, Table
from warehouse.database import connect
from warehouse.publish import ExportSpec, publish

# Like pub.summaries: a key and a wide text column (~1 KB a row here, ~80 KB there).
WIDE = Table(
    "wide_pages",
    Column("nct_id", pa.string(), "Key.", nullable=False),
    Column("page", pa.string(), "A wide text."),
    primary_key=("nct_id",),
    schema="pub",
    grain="one row per id",
)
ROWS = 300_000  # more than two of DuckDB's storage row groups (122,880 rows each)


@pytest.mark.slow
def test_wide_rows_publish_within_a_small_memory_limit_in_order(tmp_path):
    # 300,000 rows of ~1 KB are ~300 MB of text against a 96 MB limit. Row groups of 122,880
    # rows (~120 MB), or two threads holding a storage row group each to keep the order, ran
    # out of memory here before the export bounded both.
    con = connect(tmp_path / "w.duckdb", memory_limit="96MB", threads=2)
    con.execute("CREATE SCHEMA pub")
    con.execute(WIDE.duckdb_ddl(enforce_primary_key=False))
    con.execute(
        "INSERT INTO pub.wide_pages SELECT printf('NCT%08d', i), "
        "repeat(md5(i::VARCHAR), 32) FROM range(?) t(i)",
        [ROWS],
    )
    result = publish(
        con,
        tmp_path / "data",
        run_id="run-1",
        data_timestamp=None,
        schema_version="test",
        exports=[ExportSpec(WIDE)],
        analyst_sql=lambda _snapshot: [],
    )
    assert con.execute("SELECT current_setting('threads')").fetchall() == [(2,)]
    con.close()

    (entry,) = result.manifest["tables"]["wide_pages"]["files"]
    parquet = pq.ParquetFile(result.snapshot_dir / entry["path"])
    assert parquet.metadata.num_rows == ROWS == entry["rows"]
    largest = max(
        parquet.metadata.row_group(i).total_byte_size for i in range(parquet.num_row_groups)
    )
    assert largest <= 48 * 2**20, largest
    ids = parquet.read(columns=["nct_id"]).column("nct_id").to_pylist()
    assert ids == sorted(ids) and len(set(ids)) == ROWS
