"""Replaying is idempotent: the same pages loaded twice, or a rebuild, add no change event."""

from __future__ import annotations

import copy

import pytest

from flows.ingest import RunMeta, load_page
from flows.loading import parse_page
from flows.pipeline import DB_NAME, open_warehouse, run_rebuild, run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import content_snapshot, fast_settings, scalar
from warehouse.raw import RawStore


@pytest.fixture
def server(sample_dir):
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


def _edited(record: dict, day: str) -> dict:
    """A real record edited the way the registry does: new post date, status and a site closed."""
    edited = copy.deepcopy(record)
    status = edited["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
    status["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    for site in edited["protocolSection"].get("contactsLocationsModule", {}).get("locations", []):
        site["status"] = "ACTIVE_NOT_RECRUITING"
    return edited


@pytest.fixture
def history(server, data_dir, sample_studies):
    """A warehouse with a baseline and one sync of real edits: events to replay."""
    settings = fast_settings(data_dir, server.base_url, bootstrap_from_bulk=False, page_size=200)
    run_sync(settings, Scope(), publish=False)
    recruiting = [
        r
        for r in sample_studies.values()
        if r["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    ][:25]
    server.upsert_studies([_edited(r, "2026-11-23") for r in recruiting])
    server.set_data_timestamp("2026-11-23T09:00:04")
    report = run_sync(settings, Scope(), publish=False)
    assert report.outcome.events["status_changed"] == 25
    assert report.outcome.events["sites_changed"] > 25
    return settings


def test_loading_the_same_pages_again_adds_no_event(history, data_dir):
    db = data_dir / DB_NAME
    before = content_snapshot(db)
    events = scalar(db, "SELECT count(*) FROM history.change_events")
    raw = RawStore(data_dir / "raw")
    with open_warehouse(history) as con:
        for run in raw.iter_runs():
            meta = RunMeta.from_dict(run.meta)
            for landed in raw.iter_landed(run.run_id):
                outcome = load_page(con, landed, parse_page(raw.read_page(landed)), meta)
                assert outcome.events == {}
                assert set(outcome.actions) <= {"unchanged", "stale"}
    assert scalar(db, "SELECT count(*) FROM history.change_events") == events
    assert content_snapshot(db) == before


def test_a_full_resync_adds_no_event(history, data_dir, sample_studies):
    db = data_dir / DB_NAME
    before = content_snapshot(db)
    report = run_sync(history, Scope(full=True), publish=False)
    assert report.outcome.events == {}
    assert report.outcome.actions == {"unchanged": len(sample_studies)}
    assert content_snapshot(db) == before


def test_a_rebuild_reproduces_every_event(history, data_dir):
    db = data_dir / DB_NAME
    before = content_snapshot(db)
    assert len(before["history.change_events"]) > 50
    report = run_rebuild(history, publish=False)
    assert report.outcome.events["status_changed"] == 25  # the same events, made again ...
    assert content_snapshot(db) == before  # ... with the same ids, times and values
