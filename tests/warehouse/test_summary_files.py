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


def _published(con, snapshot):
    """A snapshot as `publish` leaves it: the summary files and pub.summaries' Parquet."""
    write_summary_files(con, snapshot)
    (snapshot / "parquet" / "summaries").mkdir(parents=True)
    con.execute(
        f"COPY pub.summaries TO '{snapshot / 'parquet' / 'summaries' / 'part-0.parquet'}' "
        "(FORMAT parquet)"
    )
    return snapshot


def _regenerate(con, nct_id, html):
    con.execute(
        "UPDATE pub.summaries SET html = ?, page_sha256 = sha256(?) WHERE nct_id = ?",
        [html, html, nct_id],
    )


def test_unchanged_pages_are_links_to_the_previous_snapshot(con, tmp_path):
    previous = _published(con, tmp_path / "s1")
    _regenerate(con, "NCT05803083", "<p>regenerated</p>")
    assert write_summary_files(con, tmp_path / "s2", previous=previous) == len(IDS)
    old, new = previous / "summaries", tmp_path / "s2" / "summaries"
    for nct in IDS:
        for name in (f"{nct}.json", f"{nct}.html"):
            shared = (old / name).stat().st_ino == (new / name).stat().st_ino
            assert shared == (nct != "NCT05803083"), name
    assert (new / "NCT05803083.html").read_text() == "<p>regenerated</p>"
    assert (old / "NCT05803083.html").read_text() != "<p>regenerated</p>"
    rows = con.execute("SELECT nct_id, document, html FROM pub.summaries").fetchall()
    for nct, document, page in rows:
        assert (new / f"{nct}.json").read_text() == document
        assert (new / f"{nct}.html").read_text() == page


def test_any_change_to_a_row_makes_its_page_new(con, tmp_path):
    previous = _published(con, tmp_path / "s1")
    # The same page text, generated again on another day: the JSON's meta says so.
    con.execute(
        "UPDATE pub.summaries SET generated_on = generated_on + 1, "
        "document = replace(document, '2026-11-24', '2026-11-25') WHERE nct_id = 'NCT00003454'"
    )
    write_summary_files(con, tmp_path / "s2", previous=previous)
    new = tmp_path / "s2" / "summaries" / "NCT00003454.json"
    assert new.stat().st_ino != (previous / "summaries" / "NCT00003454.json").stat().st_ino
    assert "2026-11-25" in new.read_text()


def test_a_missing_or_unreadable_previous_page_is_written_again(con, tmp_path):
    previous = _published(con, tmp_path / "s1")
    (previous / "summaries" / "NCT04267848.html").unlink()
    write_summary_files(con, tmp_path / "s2", previous=previous)
    new = tmp_path / "s2" / "summaries"
    assert (new / "NCT04267848.html").stat().st_nlink == 1
    assert (new / "NCT04267848.json").stat().st_nlink == 1  # not half linked
    assert (new / "NCT05803083.json").stat().st_nlink == 2

    # A previous publication whose Parquet this code cannot compare: every page is written.
    for part in (previous / "parquet" / "summaries").iterdir():
        part.write_bytes(b"not parquet")
    write_summary_files(con, tmp_path / "s3", previous=previous)
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "s3" / "summaries").iterdir())
