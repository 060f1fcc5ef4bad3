"""Summaries in the warehouse: made once, remade only when their inputs change, published."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import typer
from typer.testing import CliRunner

from flows.commands import summarize as summarize_command
from flows.loading import load_records
from flows.pipeline import open_warehouse
from flows.settings import Settings
from flows.summarizing import summarize_studies
from transforms.versions import LoadContext

T0 = dt.datetime(2026, 11, 20, 9, 0, 5)
DAY = dt.date(2026, 11, 24)
IDS = ["NCT00003454", "NCT05803083", "NCT02795884", "NCT04267848", "NCT00934284", "NCT03630471"]


def _ctx(run: str, when: dt.datetime = T0) -> LoadContext:
    return LoadContext(run_id=run, source="api", data_timestamp=when, fetched_at=when)


@pytest.fixture
def warehouse(data_dir, sample_studies):
    with open_warehouse(Settings(data_dir=data_dir)) as con:
        load_records(con, [sample_studies[n] for n in IDS], _ctx("run-1"))
        yield con


def _pages(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT nct_id, generated_on, page_sha256, input_hash, is_verified FROM pub.summaries"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_every_study_gets_a_verified_page_once(warehouse):
    first = summarize_studies(warehouse, None, generated_on=DAY)
    assert (first.generated, first.unchanged, first.failed) == (len(IDS), 0, [])
    pages = _pages(warehouse)
    assert sorted(pages) == sorted(IDS) and all(p[3] for p in pages.values())
    second = summarize_studies(warehouse, None, generated_on=DAY + dt.timedelta(days=1))
    assert (second.generated, second.unchanged) == (0, len(IDS))
    assert _pages(warehouse) == pages  # untouched: same generation date, same bytes


def _edit(record, path, value):
    out = copy.deepcopy(record)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    status = out["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"] = {"date": "2026-11-21", "type": "ACTUAL"}
    return out


def test_only_a_study_whose_page_inputs_changed_is_regenerated(warehouse, sample_studies):
    summarize_studies(warehouse, None, generated_on=DAY)
    before = _pages(warehouse)
    later = DAY + dt.timedelta(days=2)
    # An edit the page shows (the sponsor's summary) and one it does not (the detailed description).
    used = _edit(
        sample_studies["NCT05803083"],
        ["protocolSection", "descriptionModule", "briefSummary"],
        "New text.",
    )
    unused = _edit(
        sample_studies["NCT00003454"],
        ["protocolSection", "descriptionModule", "detailedDescription"],
        "New details.",
    )
    outcome = load_records(warehouse, [used, unused], _ctx("run-2", T0 + dt.timedelta(days=1)))
    assert outcome.actions["new_version"] == 2
    result = summarize_studies(warehouse, None, generated_on=later)
    assert result.generated == 1 and result.unchanged == len(IDS) - 1
    after = _pages(warehouse)
    assert after["NCT05803083"][0] == later and after["NCT05803083"][1] != before["NCT05803083"][1]
    assert after["NCT00003454"] == before["NCT00003454"]
    assert {k: v for k, v in after.items() if k != "NCT05803083"} == {
        k: v for k, v in before.items() if k != "NCT05803083"
    }
    doc = json.loads(
        warehouse.execute(
            "SELECT document FROM pub.summaries WHERE nct_id = 'NCT05803083'"
        ).fetchall()[0][0]
    )
    assert any(
        q.get("text") == "New text."
        for s in doc["sections"]
        for p in s["parts"]
        for q in p["items"]
    )


def test_named_studies_are_forced(warehouse):
    summarize_studies(warehouse, None, generated_on=DAY)
    result = summarize_studies(
        warehouse,
        ["nct5803083", "NCT09999999"],
        generated_on=DAY + dt.timedelta(days=3),
        force=True,
    )
    assert result.generated == 1 and result.missing == ["NCT09999999"]
    assert _pages(warehouse)["NCT05803083"][0] == DAY + dt.timedelta(days=3)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, so the command is called by name as in `trialsync`
    summarize_command.register(app)
    return app


def test_the_command_regenerates_and_publishes_table_and_files(data_dir, sample_studies):
    with open_warehouse(Settings(data_dir=data_dir)) as con:
        load_records(con, [sample_studies[n] for n in IDS[:3]], _ctx("run-1"))
    runner, app = CliRunner(), _app()
    result = runner.invoke(app, ["summarize", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "regenerated 3" in result.output
    published = data_dir / "published"
    assert list((published / "parquet" / "summaries").glob("*.parquet"))
    again = runner.invoke(app, ["summarize", IDS[0], "--data-dir", str(data_dir), "--no-publish"])
    assert again.exit_code == 0 and "regenerated 1" in again.output
    bad = runner.invoke(app, ["summarize", "NCT123", "--all", "--data-dir", str(data_dir)])
    assert bad.exit_code != 0
