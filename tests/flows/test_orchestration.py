"""The Prefect flows, run for real on the session's Prefect test server against the replay server.

Business logic is tested elsewhere without the engine; these few tests prove the orchestration:
the whole `sync` flow twice (the second changes nothing), its artifacts and events, the shared
API rate limit, retried API tasks, and a failed run that leaves everything as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter
from prefect.events.worker import EventsWorker

from flows.ctgov_client import ApiUnavailable
from flows.orchestration import Caller, publish_flow, started_by, sync_flow
from flows.pipeline import DB_NAME
from flows.runs import RunReport
from flows.settings import Settings
from replay.server import ReplayServer
from tests.support.warehouse import content_snapshot, fast_settings, scalar

pytestmark = pytest.mark.prefect


# Enough real studies for every code path, few enough that a flow run takes seconds, not minutes.
SERVED = 80


@pytest.fixture
def served(sample_studies) -> dict[str, dict[str, Any]]:
    return dict(sorted(sample_studies.items())[:SERVED])


@pytest.fixture
def server(served):
    with ReplayServer(list(served.values())) as srv:
        yield srv


def _sync(settings: Settings, **params: Any) -> RunReport:
    with started_by(Caller(settings)):
        return sync_flow(**params)


def _artifacts(key: str) -> list[Any]:
    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )


def _events(name: str, since: dt.datetime, expected: int) -> list[Any]:
    EventsWorker.drain_all()
    flt = EventFilter(
        event=EventNameFilter(name=[name]),
        occurred=EventOccurredFilter(since=since, until=dt.datetime.now(dt.UTC)),
    )
    with get_client(sync_client=True) as client:
        for _ in range(50):  # the server ingests events asynchronously
            events = client.read_events(filter=flt, limit=50).events
            if len(events) >= expected:
                return events
            time.sleep(0.2)
    return events


def _status_edit(record: dict[str, Any], day: str, status: str) -> dict[str, Any]:
    edited = copy.deepcopy(record)
    module = edited["protocolSection"]["statusModule"]
    module["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
    module["overallStatus"] = status
    return edited


def test_sync_flow_end_to_end_twice_then_a_status_change(prefect_backend, server, data_dir, served):
    started = dt.datetime.now(dt.UTC)
    settings = fast_settings(data_dir, server.base_url, page_size=30)
    first = _sync(settings)
    assert first.status == "succeeded"
    assert first.outcome.actions["add"] == len(served)
    assert first.summaries and first.summaries["generated"] == len(served)
    db = data_dir / DB_NAME
    before = content_snapshot(db)

    second = _sync(settings)
    assert second.outcome.actions["add"] == second.outcome.actions["new_version"] == 0
    assert not second.outcome.events
    assert content_snapshot(db) == before

    reports = {a.data for a in _artifacts("sync-report")}
    assert any(first.run_id in r and f"studies add | {len(served)} |" in r for r in reports), (
        reports
    )
    assert any(second.run_id in r for r in reports)
    with get_client(sync_client=True) as client:  # the API rate limit lives on the server
        limit = client.read_global_concurrency_limit_by_name(settings.api_rate_limit_name)
    assert limit.limit == 1 and limit.slot_decay_per_second == settings.requests_per_second

    recruiting = next(
        r
        for r in served.values()
        if r["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    )
    nct = recruiting["protocolSection"]["identificationModule"]["nctId"]
    server.upsert_studies([_status_edit(recruiting, "2026-11-23", "ACTIVE_NOT_RECRUITING")])
    third = _sync(settings)
    assert third.outcome.actions["new_version"] == 1
    tables = _artifacts("sync-status-changes")
    assert any(
        {"nct_id": nct, "from": "RECRUITING", "to": "ACTIVE_NOT_RECRUITING"}.items() <= row.items()
        for t in tables
        for row in json.loads(t.data)
    ), [t.data for t in tables]
    changed = _events("trialsync.study.status-changed", started, 1)
    assert [e.resource.id for e in changed] == [f"ctgov.study.{nct}"]
    assert changed[0].payload["to"] == "ACTIVE_NOT_RECRUITING"
    runs = _events("trialsync.sync.succeeded", started, 3)
    assert {e.payload["run_id"] for e in runs} == {first.run_id, second.run_id, third.run_id}


def test_a_failed_flow_run_retries_api_tasks_then_leaves_everything_as_it_was(
    prefect_backend, server, data_dir
):
    settings = fast_settings(data_dir, server.base_url, page_size=200)
    _sync(settings)
    db = data_dir / DB_NAME
    before = content_snapshot(db)
    published = (data_dir / "published").resolve()

    failing = settings.model_copy(
        update={"max_attempts": 2, "task_retries": 1, "task_retry_delay": 0}
    )
    server.faults.add("500", every=1, path="/studies")
    seen_before = len(server.request_log)
    with pytest.raises(ApiUnavailable):
        _sync(failing)
    pages = [e for e in server.request_log[seen_before:] if e.path == "/api/v2/studies"]
    # The client's 2 attempts, run twice by the task's one retry.
    assert len(pages) == 4
    assert content_snapshot(db) == before
    assert (data_dir / "published").resolve() == published
    last_run = "SELECT {} FROM pipeline.runs ORDER BY started_at DESC LIMIT 1"
    assert scalar(db, last_run.format("status")) == "failed"
    assert scalar(db, last_run.format("error")).startswith("fetch_and_load:")
    failed = [a.data for a in _artifacts("sync-report") if "sync: failed" in a.data]
    assert failed and "**Failed at** fetch_and_load" in failed[0]


def test_publish_flow_republishes_through_the_gate(prefect_backend, server, data_dir):
    settings = fast_settings(data_dir, server.base_url, page_size=200)
    _sync(settings, publish=False)
    assert not (data_dir / "published").exists()
    with started_by(Caller(settings)):
        report = publish_flow()
    assert report.status == "succeeded"
    assert (data_dir / "published" / "manifest.json").exists()
