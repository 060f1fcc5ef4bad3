"""The sync pipeline end to end: real HTTP to the replay server, real raw files, real DuckDB."""

from __future__ import annotations

import copy
import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import DB_NAME, run_rebuild, run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import cli_env, content_snapshot, fast_settings, scalar, trialsync
from warehouse.publish import PublishError


@pytest.fixture
def server(sample_dir):
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


def _bump(record: dict, day: str, **status_changes) -> dict:
    """A copy of a real record edited the way the registry edits it: new post date + field edits."""
    edited = copy.deepcopy(record)
    status = edited["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
    status.update(status_changes)
    return edited


def test_first_sync_bootstraps_then_resyncs_with_zero_changes(server, data_dir, sample_studies):
    settings = fast_settings(data_dir, server.base_url)
    first = run_sync(settings, Scope())
    assert first.bootstrapped_from_bulk
    assert first.outcome.actions["add"] == len(sample_studies)
    db = data_dir / DB_NAME
    before = content_snapshot(db)
    second = run_sync(settings, Scope())
    assert second.outcome.actions["add"] == second.outcome.actions["new_version"] == 0
    assert content_snapshot(db) == before
    full = run_sync(settings, Scope(full=True))
    assert full.outcome.actions == {"unchanged": len(sample_studies)}
    assert content_snapshot(db) == before
    assert (data_dir / "published" / "trialsync.duckdb").exists()


def test_incremental_sync_picks_up_edits_in_the_window(server, data_dir, sample_studies):
    settings = fast_settings(data_dir, server.base_url, bootstrap_from_bulk=False)
    run_sync(settings, Scope())
    recruiting = [
        r
        for r in sample_studies.values()
        if r["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    ][:3]
    edits = [_bump(r, "2026-11-23", overallStatus="ACTIVE_NOT_RECRUITING") for r in recruiting]
    server.upsert_studies(edits)
    server.set_data_timestamp("2026-11-23T09:00:04")
    report = run_sync(settings, Scope())
    assert report.outcome.actions["new_version"] == 3
    assert report.outcome.events["status_changed"] == 3
    assert report.fetched < len(sample_studies)  # only the window, not everything
    db = data_dir / DB_NAME
    assert scalar(db, "SELECT count(*) FROM history.study_versions WHERE version_no = 2") == 3
    assert scalar(db, "SELECT max(cursor_date) FROM pipeline.cursors") == dt.date(2026, 11, 23)


def test_refresh_during_a_run_refetches_the_window(server, data_dir):
    settings = fast_settings(data_dir, server.base_url, bootstrap_from_bulk=False, page_size=50)
    calls = {"n": 0}

    def refresh_after_first_page(pages: int, studies: int) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            server.set_data_timestamp("2026-11-21T09:00:07")

    from flows.pipeline import Hooks

    report = run_sync(settings, Scope(), hooks=Hooks(pages=refresh_after_first_page))
    assert report.refreshed_during_run
    assert report.notes and "refreshed" in report.notes[0]


def test_rebuild_from_raw_equals_the_original(server, data_dir, sample_studies):
    settings = fast_settings(data_dir, server.base_url)
    run_sync(settings, Scope())
    server.upsert_studies(
        [
            _bump(r, "2026-11-23", overallStatus="COMPLETED")
            for r in list(sample_studies.values())[:5]
        ]
    )
    run_sync(settings, Scope())
    db = data_dir / DB_NAME
    original = content_snapshot(db)
    runs_before = scalar(db, "SELECT count(*) FROM pipeline.runs")
    run_rebuild(settings)
    assert content_snapshot(db) == original
    assert scalar(db, "SELECT count(*) FROM pipeline.runs") >= runs_before


def test_cli_sync_lands_everything_and_prints_a_summary(server, data_dir, sample_studies):
    done = trialsync("sync", "--api-url", server.base_url, "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stdout and "published" in done.stdout
    db = data_dir / DB_NAME
    assert scalar(db, "SELECT count(*) FROM history.study_state") == len(sample_studies)


def test_cli_reports_an_unreachable_api_in_one_line(data_dir):
    done = trialsync("sync", "--api-url", "http://127.0.0.1:9/api/v2", "--data-dir", str(data_dir))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach" in errors[0] and "make demo" in errors[0]
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_kill_9_mid_sync_then_rerun_completes_without_duplicates(server, data_dir, sample_studies):
    server.faults.add("slow", every=1, delay=0.15)  # slow pages, so the kill lands mid-walk
    env = cli_env(TRIALSYNC_PAGE_SIZE="20", TRIALSYNC_BOOTSTRAP_FROM_BULK="false")
    exe = Path(sys.executable).with_name("trialsync")
    args = [str(exe), "sync", "--api-url", server.base_url, "--data-dir", str(data_dir)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(data_dir.glob("raw/*/page-*.json.zst"))) < 8:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    landed = len(list(data_dir.glob("raw/*/page-*.json.zst")))
    assert 8 <= landed < 34, "the kill should land mid-walk"
    server.faults.clear()
    done = trialsync("sync", "--api-url", server.base_url, "--data-dir", str(data_dir), env=env)
    assert done.returncode == 0, done.stderr
    db = data_dir / DB_NAME
    assert scalar(db, "SELECT count(*) FROM history.study_state") == len(sample_studies)
    assert scalar(db, "SELECT count(*) FROM history.study_versions") == len(sample_studies)
    assert (
        scalar(db, "SELECT count(*) - count(DISTINCT (run_id, page_no)) FROM pipeline.pages") == 0
    )
    assert (
        scalar(db, "SELECT count(*) FROM pipeline.runs WHERE status = 'running'") == 1
    )  # the killed one
    # the pages the killed run landed were loaded by the re-run, not lost
    assert scalar(db, "SELECT count(DISTINCT run_id) FROM pipeline.pages") == 2


@pytest.mark.slow
def test_analyst_queries_the_publication_while_a_sync_writes(server, data_dir):
    settings = fast_settings(data_dir, server.base_url)
    run_sync(settings, Scope())
    published = data_dir / "published" / "trialsync.duckdb"
    server.faults.add("slow", every=1, delay=0.2)
    env = cli_env(TRIALSYNC_PAGE_SIZE="25")
    exe = Path(sys.executable).with_name("trialsync")
    proc = subprocess.Popen(
        [str(exe), "sync", "--full", "--api-url", server.base_url, "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    reads = 0
    while proc.poll() is None:
        reader = subprocess.run(
            [
                sys.executable,
                "-c",
                "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
                "print(c.execute('select count(*) from studies').fetchall()[0][0])",
                str(published),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert reader.returncode == 0, reader.stderr
        reads += 1
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert reads >= 3, "the sync should have been running while the analyst queried"


def test_a_failed_publish_leaves_the_previous_publication(server, data_dir, monkeypatch):
    settings = fast_settings(data_dir, server.base_url)
    run_sync(settings, Scope())
    current = (data_dir / "published").resolve()
    import warehouse.publish as publish

    def broken(path, statements):
        raise OSError("no space left on device (injected)")

    monkeypatch.setattr(publish, "_write_analyst_db", broken)
    with pytest.raises(PublishError):
        run_sync(settings, Scope(full=True))
    assert (data_dir / "published").resolve() == current
    con = duckdb.connect(str(data_dir / "published" / "trialsync.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM studies").fetchall()[0][0] > 0
    con.close()
    assert not list((data_dir / "snapshots").glob(".staging-*"))
