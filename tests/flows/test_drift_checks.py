"""The upstream data-model check end to end: /studies/metadata → schema_drift → status."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from flows.commands.publish import run_publish
from flows.ctgov_client import ApiError, CtgovClient
from flows.drift_checks import LAST_CHECK_KEY, check_metadata, last_metadata_check
from flows.pipeline import open_warehouse, run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import fast_settings, trialsync
from warehouse.database import fetch_one

LIMITATIONS = "resultsSection.moreInfoModule.limitationsAndCaveats"
NOW = dt.datetime(2026, 11, 24, 9, 30)
DAY = dt.timedelta(days=1)


@pytest.fixture
def server(sample_dir: Path) -> Iterator[ReplayServer]:
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


@pytest.fixture
def renamed_metadata(sample_dir: Path) -> bytes:
    """The real capture with limitationsAndCaveats.description renamed (AACT #925's change)."""
    nodes: list[dict[str, Any]] = orjson.loads(
        (sample_dir / "spec" / "studies-metadata_2024-10.json").read_bytes()
    )
    nodes = copy.deepcopy(nodes)
    node: dict[str, Any] = {"children": nodes}
    for name in LIMITATIONS.split("."):
        node = next(n for n in node["children"] if n["name"] == name)
    leaf = next(n for n in node["children"] if n["name"] == "description")
    leaf["name"] = "descriptionText"
    return orjson.dumps(nodes)


def client_for(server: ReplayServer) -> CtgovClient:
    return CtgovClient(
        server.base_url, requests_per_second=1000, backoff_initial=0.01, backoff_max=0.05
    )


def drift_rows(con) -> list[tuple[Any, ...]]:
    return con.execute(
        "SELECT path, kind, occurrences, first_run_id, last_run_id, example_value "
        "FROM pipeline.schema_drift WHERE kind LIKE '%metadata_path' ORDER BY kind, path"
    ).fetchall()


def test_client_fetches_the_metadata_tree_with_retries(server):
    # A 503 then a truncated body: both are retried by the client's usual policy.
    server.faults.add("503", on=1, path="/studies/metadata")
    server.faults.add("truncated", on=2, path="/studies/metadata")
    nodes = client_for(server).metadata()
    assert [n["name"] for n in nodes][:2] == ["protocolSection", "resultsSection"]
    assert len(server.requests_to("/studies/metadata")) == 3


def test_the_served_capture_gives_no_drift_and_is_checked_once_a_day(server, data_dir):
    settings = fast_settings(data_dir, server.base_url)
    client = client_for(server)
    with open_warehouse(settings) as con:
        assert check_metadata(con, client, "run-1", every=DAY, now=NOW) == []
        assert last_metadata_check(con) == NOW
        assert (
            check_metadata(con, client, "run-2", every=DAY, now=NOW + dt.timedelta(hours=23)) == []
        )
        assert len(server.requests_to("/studies/metadata")) == 1  # the second was skipped
        check_metadata(con, client, "run-3", every=DAY, now=NOW + dt.timedelta(hours=25))
        assert len(server.requests_to("/studies/metadata")) == 2
        assert drift_rows(con) == []


def test_a_renamed_leaf_is_recorded_merged_and_shown_by_status(server, data_dir, renamed_metadata):
    settings = fast_settings(data_dir, server.base_url)
    run_sync(settings, Scope())
    server.metadata = renamed_metadata  # the registry renames a field
    client = client_for(server)
    with open_warehouse(settings) as con:
        # every=0: check whatever the sync itself may have checked already
        found = check_metadata(con, client, "run-a", every=dt.timedelta(0))
        assert [(d.path, d.kind) for d in found] == [
            (f"{LIMITATIONS}.descriptionText", "new_metadata_path"),
            (f"{LIMITATIONS}.description", "vanished_metadata_path"),
        ]
        assert drift_rows(con) == [
            (
                f"{LIMITATIONS}.descriptionText",
                "new_metadata_path",
                1,
                "run-a",
                "run-a",
                "LimitationsAndCaveatsDescription (markup)",
            ),
            (
                f"{LIMITATIONS}.description",
                "vanished_metadata_path",
                1,
                "run-a",
                "run-a",
                "ctgov.studies.limitations_and_caveats",
            ),
        ]
        # The next day's check sees it again: the same rows, merged as the loader merges drift.
        check_metadata(con, client, "run-b", every=dt.timedelta(0))
        assert [(r[2], r[3], r[4]) for r in drift_rows(con)] == [(2, "run-a", "run-b")] * 2
    run_publish(settings)
    done = trialsync("status", "--format", "csv", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert f"{LIMITATIONS}.descriptionText,new_metadata_path,2" in done.stdout
    assert f"{LIMITATIONS}.description,vanished_metadata_path,2" in done.stdout


@pytest.mark.parametrize(
    "breakage",
    [
        # The endpoint gone (404 is never retried) and a body that lists no field at all: neither
        # is drift, and neither may fail the sync; the check is simply tried again next run.
        pytest.param("missing", id="404"),
        pytest.param("empty", id="no fields"),
    ],
)
def test_an_unusable_metadata_answer_is_not_drift_and_is_retried_next_run(
    server, data_dir, breakage, caplog
):
    server.metadata = None if breakage == "missing" else b"[]"
    settings = fast_settings(data_dir, server.base_url)
    with open_warehouse(settings) as con:
        assert check_metadata(con, client_for(server), "run-1", every=DAY, now=NOW) == []
        assert (
            fetch_one(con, "SELECT value FROM pipeline.meta WHERE key = ?", [LAST_CHECK_KEY])
            is None
        )
        assert drift_rows(con) == []
    assert "could not check the API's field list" in caplog.text


def test_client_raises_api_error_for_a_missing_endpoint(server):
    server.metadata = None
    with pytest.raises(ApiError, match="404"):
        client_for(server).metadata()
