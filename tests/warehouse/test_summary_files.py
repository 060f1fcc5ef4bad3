"""Summary files: one JSON and one HTML per study plus an escaped index, read from pub.summaries."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from schemas.tables.pub import SUMMARIES
from transforms.arrow_tables import arrow_table
from transforms.summaries import summarize, summary_row
from warehouse.database import insert_arrow
from warehouse.summary_files import write_summary_files

IDS = ("NCT00003454", "NCT05803083", "NCT04267848")


@pytest.fixture
def con(tmp_path, sample_studies):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA pub")
    con.execute(SUMMARIES.duckdb_ddl())
    rows = []
    for nct in IDS:
        record = sample_studies[nct]
        rows.append(
            summary_row(
                summarize(record, generated_on=dt.date(2026, 11, 24)), record, backend="template"
            )
        )
    rows[0]["headline"] = "<script>window.__pwned=1</script> & more"
    insert_arrow(con, SUMMARIES, arrow_table(SUMMARIES, rows)[0])
    yield con
    con.close()


def test_one_json_and_one_html_per_study_and_an_index(con, tmp_path):
    written = write_summary_files(con, tmp_path / "out")
    folder = tmp_path / "out" / "summaries"
    assert written == len(IDS)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{n}.json" for n in IDS] + [f"{n}.html" for n in IDS] + ["index.html"]
    )
    doc = json.loads((folder / "NCT05803083.json").read_text())
    assert doc["nct_id"] == "NCT05803083" and doc["meta"]["generator_version"]
    stored = con.execute("SELECT html FROM pub.summaries WHERE nct_id = 'NCT05803083'").fetchall()[
        0
    ][0]
    assert (folder / "NCT05803083.html").read_text() == stored


def test_the_index_escapes_headlines_and_links_each_page(con, tmp_path):
    write_summary_files(con, tmp_path / "out")
    index = (tmp_path / "out" / "summaries" / "index.html").read_text()
    assert (
        "<script>" not in index
        and "&lt;script&gt;window.__pwned=1&lt;/script&gt; &amp; more" in index
    )
    for nct in IDS:
        assert f'href="{nct}.html"' in index


def test_a_malformed_id_never_becomes_a_file_name(con, tmp_path):
    con.execute("UPDATE pub.summaries SET nct_id = '../../evil' WHERE nct_id = 'NCT04267848'")
    assert write_summary_files(con, tmp_path / "out") == len(IDS) - 1
    assert not (tmp_path / "evil.html").exists()
    assert not list((tmp_path / "out").rglob("*evil*"))
