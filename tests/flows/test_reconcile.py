"""Reconcile end to end: real HTTP to the replay server, real raw files, real DuckDB."""

from __future__ import annotations

import copy
import datetime as dt

import duckdb
import orjson
import pytest
import typer
from typer.testing import CliRunner

from flows.commands.reconcile import register
from flows.pipeline import DB_NAME, open_warehouse, run_rebuild, run_sync
from flows.reconcile import apply_landed_removals, listing_params, run_reconcile
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import content_snapshot, fast_settings, scalar, trialsync
from warehouse.raw import RawStore

LATER = "2026-11-23T09:00:04"


@pytest.fixture
def server(sample_dir):
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


@pytest.fixture
def synced(server, data_dir):
    """A warehouse synced from the replay server (pages, not the bulk ZIP: one load path less)."""
    settings = fast_settings(data_dir, server.base_url, bootstrap_from_bulk=False)
    run_sync(settings, Scope(), publish=False)
    server.set_data_timestamp(LATER)
    return settings


def _nct(record: dict) -> str:
    return record["protocolSection"]["identificationModule"]["nctId"]


def _events(db, nct_id: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT event_type, field_path, from_version, to_version, details, detected_at "
            "FROM history.change_events WHERE nct_id = ? ORDER BY to_version, event_type",
            [nct_id],
        ).fetchall()
    finally:
        con.close()


def test_a_removed_study_is_flagged_kept_and_closed_and_a_rerun_adds_nothing(
    synced, server, data_dir, sample_studies
):
    gone = next(iter(sample_studies))
    server.remove_studies([gone])
    report = run_reconcile(synced, slice_size=0, publish=False)
    assert report.status == "succeeded"
    assert report.outcome.events == {"study_removed": 1}
    db = data_dir / DB_NAME
    removed_at = dt.datetime.fromisoformat(LATER)
    assert _events(db, gone) == [("study_removed", None, 1, 1, None, removed_at)]
    assert scalar(db, "SELECT is_removed FROM history.study_state WHERE nct_id = ?", [gone])
    assert (
        scalar(db, "SELECT removed_at FROM history.study_state WHERE nct_id = ?", [gone])
        == removed_at
    )
    version = (
        "SELECT count(*), max(valid_to), bool_and(is_removed) FROM history.study_versions "
        "WHERE nct_id = ?"
    )
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(version, [gone]).fetchall() == [(1, removed_at, True)]
    # the status timeline ends when the study left the registry
    timeline = "SELECT valid_to FROM history.status_history WHERE nct_id = ?"
    assert con.execute(timeline, [gone]).fetchall() == [(removed_at,)]
    # history kept: the registry rows of the last version stay
    assert con.execute(
        "SELECT count(*) FROM ctgov.studies WHERE nct_id = ?", [gone]
    ).fetchall() == [(1,)]
    con.close()
    before = content_snapshot(db)
    again = run_reconcile(synced, slice_size=0, publish=False)
    assert again.outcome.events == {}
    assert content_snapshot(db) == before


def test_an_id_named_in_another_record_s_aliases_is_a_merge(
    synced, server, data_dir, sample_studies
):
    survivor, duplicate = list(sample_studies.values())[1:3]
    merged = copy.deepcopy(survivor)
    merged["protocolSection"]["identificationModule"]["nctIdAliases"] = [_nct(duplicate)]
    server.remove_studies([_nct(duplicate)])
    server.upsert_studies([merged])
    report = run_reconcile(synced, slice_size=0, publish=False)
    assert report.outcome.events["study_merged"] == 1
    assert "study_removed" not in report.outcome.events
    db = data_dir / DB_NAME
    [event] = _events(db, _nct(duplicate))
    assert event[0] == "study_merged" and orjson.loads(event[4]) == {"merged_into": _nct(survivor)}
    assert scalar(
        db, "SELECT is_removed FROM history.study_state WHERE nct_id = ?", [_nct(duplicate)]
    )
    # the surviving record came back with the new alias: a new version, and the alias as an event
    survivor_events = _events(db, _nct(survivor))
    assert [(e[0], e[1], e[3]) for e in survivor_events] == [
        ("other_changed", "protocolSection.identificationModule.nctIdAliases", 2)
    ]


def test_the_rotating_slice_catches_a_derived_only_change(synced, server, data_dir, sample_studies):
    record = next(
        r
        for r in sample_studies.values()
        if r.get("derivedSection", {}).get("conditionBrowseModule", {}).get("meshes")
    )
    nct_id = _nct(record)
    edited = copy.deepcopy(record)
    # NLM re-indexes conditions without a new version of the study: lastUpdatePostDate stays.
    meshes = edited["derivedSection"]["conditionBrowseModule"]["meshes"]
    meshes.append({"id": "D009369", "term": "Neoplasms"})
    server.upsert_studies([edited])
    sync = run_sync(synced, Scope(), publish=False)
    assert sync.outcome.actions["new_version"] == 0  # the delta query cannot see it
    report = run_reconcile(synced, slice_size=len(sample_studies), publish=False)
    assert report.outcome.actions["new_version"] == 1
    db = data_dir / DB_NAME
    [event] = _events(db, nct_id)
    assert event[:4] == ("other_changed", "derivedSection.conditionBrowseModule.meshes", 1, 2)
    source = "SELECT source FROM history.study_versions WHERE nct_id = ? AND version_no = 2"
    assert scalar(db, source, [nct_id]) == "reconcile"


def test_the_slice_rotates_to_the_studies_fetched_longest_ago(synced, data_dir, sample_studies):
    db = data_dir / DB_NAME
    first = scalar(db, "SELECT max(last_fetched_at) FROM history.study_state")
    run_reconcile(synced, slice_size=200, publish=False)
    refetched = "SELECT count(*) FROM history.study_state WHERE last_fetched_at > ?"
    assert scalar(db, refetched, [first]) == 200
    second = run_reconcile(synced, slice_size=200, publish=False)
    assert second.fetched == 200 and second.outcome.actions == {"unchanged": 200}
    assert scalar(db, refetched, [first]) == 400  # 200 others, not the same 200 again


def test_a_removed_study_that_comes_back_is_added_again(synced, server, data_dir, sample_studies):
    nct_id, record = next(iter(sample_studies.items()))
    server.remove_studies([nct_id])
    run_reconcile(synced, slice_size=0, publish=False)
    server.upsert_studies([record])
    report = run_reconcile(synced, slice_size=0, publish=False)
    assert report.outcome.events == {"study_added": 1}
    db = data_dir / DB_NAME
    events = _events(db, nct_id)
    assert [(e[0], e[3]) for e in events] == [("study_removed", 1), ("study_added", 2)]
    assert orjson.loads(events[1][4]) == {"restored": True}
    state = "SELECT is_removed, removed_at, version_no FROM history.study_state WHERE nct_id = ?"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(state, [nct_id]).fetchall() == [(False, None, 2)]
    con.close()


def test_studies_the_delta_cannot_see_are_fetched(synced, server, data_dir, sample_studies):
    # a study posted with an old lastUpdatePostDate (outside every later window), and a study
    # whose newer record the warehouse missed
    first, second = list(sample_studies.values())[3:5]
    newcomer = copy.deepcopy(first)
    newcomer["protocolSection"]["identificationModule"]["nctId"] = "NCT09999901"
    outdated = copy.deepcopy(second)
    outdated["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-11-22"
    outdated["protocolSection"]["identificationModule"]["acronym"] = "MISSED"
    server.upsert_studies([newcomer, outdated])
    report = run_reconcile(synced, slice_size=0, publish=False)
    assert report.fetched == 2
    assert report.outcome.events == {"study_added": 1, "title_changed": 1}


def test_a_scoped_warehouse_lists_its_scope_and_keeps_studies_that_left_it(
    server, data_dir, sample_studies
):
    settings = fast_settings(data_dir, server.base_url, bootstrap_from_bulk=False)
    run_sync(settings, Scope.from_options(status=["RECRUITING"]), publish=False)
    db = data_dir / DB_NAME
    held = scalar(db, "SELECT count(*) FROM history.study_state")
    assert 0 < held < len(sample_studies)
    moved = next(
        r
        for r in sample_studies.values()
        if r["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    )
    edited = copy.deepcopy(moved)
    edited["protocolSection"]["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    server.upsert_studies([edited])
    report = run_reconcile(settings, slice_size=0, publish=False)
    # out of the scope's listing, but still in the registry: fetched, never flagged removed
    assert report.outcome.events == {"status_changed": 1}
    assert scalar(db, "SELECT count(*) FROM history.study_state WHERE is_removed") == 0
    assert scalar(db, "SELECT count(*) FROM history.study_state") == held


def test_listing_covers_the_whole_registry_when_any_scope_does():
    recruiting = Scope.from_options(status=["RECRUITING"]).model_dump_json()
    assert listing_params([recruiting]) == [{"filter.overallStatus": "RECRUITING"}]
    assert listing_params([recruiting, Scope().model_dump_json()]) == [{}]
    assert listing_params([]) == [{}]


def test_removals_are_landed_so_a_rebuild_can_apply_them_again(
    synced, server, data_dir, sample_studies
):
    gone = list(sample_studies)[5]
    server.remove_studies([gone])
    report = run_reconcile(synced, slice_size=3, publish=False)
    db = data_dir / DB_NAME
    original = content_snapshot(db)
    run_rebuild(synced, publish=False)
    with open_warehouse(synced) as con:
        apply_landed_removals(con, RawStore(data_dir / "raw"), report.run_id)
    assert content_snapshot(db) == original


def test_cli_reconcile_prints_the_summary(synced, server, data_dir, sample_studies):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps `reconcile` a named subcommand
    server.remove_studies([next(iter(sample_studies))])
    result = CliRunner().invoke(
        app,
        [
            "reconcile",
            "--slice",
            "5",
            "--no-publish",
            "--api-url",
            server.base_url,
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    assert "study_removed 1" in result.output and "1 removed" in result.output


def test_changes_summary_counts_real_events_and_the_status_matrix(
    synced, server, data_dir, sample_studies
):
    # `trialsync changes --summary` on what a sync and a reconcile really wrote (published)
    recruiting = [
        r
        for r in sample_studies.values()
        if r["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    ][:3]
    stopped = []
    for record, status in zip(recruiting, ["COMPLETED", "TERMINATED", "TERMINATED"], strict=True):
        edited = copy.deepcopy(record)
        module = edited["protocolSection"]["statusModule"]
        module["lastUpdatePostDateStruct"] = {"date": "2026-11-23", "type": "ACTUAL"}
        module["overallStatus"] = status
        if status == "TERMINATED":
            module["whyStopped"] = "Funding ended"
        stopped.append(edited)
    server.upsert_studies(stopped)
    server.remove_studies([list(sample_studies)[7]])
    run_sync(synced, Scope(), publish=False)
    run_reconcile(synced, slice_size=0)
    done = trialsync("changes", "--summary", "--format", "csv", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "status_changed,3,3" in lines and "study_removed,1,1" in lines
    assert "old_status,COMPLETED,TERMINATED" in lines and "RECRUITING,1,2" in lines
