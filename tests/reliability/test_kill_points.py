"""SIGKILL at chosen points of a sync, then a re-run: the clean result, and a readable publication.

Each case starts from the first sync's data folder (published), runs the second sync through the
real CLI under `killpoint`, which kills the process at one exact point, and then checks:

* right after the kill, the warehouse holds whole batches only (no study torn between its rows
  and its history, no duplicate key), and the first sync's publication is still in place and
  whole (manifest, every Parquet file's sha256 and rows, the analyst database's counts);
* re-running the sync succeeds and the warehouse holds exactly what one undisturbed second sync
  holds (every registry and history row; only run ids differ), with no duplicate key anywhere;
* the new publication is whole and is the re-run's.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from tests.reliability.conftest import run_at_point, scenario_settings
from tests.support.publication import read_publication
from tests.support.warehouse import (
    RUN_BOOKKEEPING,
    content_snapshot,
    duplicate_keys,
    scalar,
    torn_studies,
)


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: the NTH call of TARGET, `before`/`after`/`during=<s>` it."""

    target: str
    nth: int
    when: str
    slow_page: int | None = None  # make this page's response slow (for a kill mid-request)
    recovers_landed: bool = False  # the re-run must load pages the killed run landed


KILL_POINTS = [
    # Page 3 is slow to answer; the kill lands while the client waits for its bytes.
    pytest.param(
        KillPoint("flows.ctgov_client:CtgovClient._page", 3, "during=0.5", slow_page=3),
        id="during-fetch",
    ),
    # Page 2's file is on disk but has no manifest row yet: the re-run must adopt it.
    pytest.param(
        KillPoint("warehouse.raw:RunLanding.write_page", 2, "after", recovers_landed=True),
        id="page-written-not-recorded",
    ),
    # Page 2 is landed and recorded, not loaded: the re-run loads it from disk.
    pytest.param(
        KillPoint("warehouse.raw:RunLanding.record_page", 2, "after", recovers_landed=True),
        id="after-landing",
    ),
    # Batch 2's registry rows are deleted and re-inserted, its history not yet: no COMMIT.
    pytest.param(
        KillPoint("warehouse.loader:_write_history", 2, "before", recovers_landed=True),
        id="inside-load-transaction",
    ),
    # Half-way through diffing the edited studies against their stored versions.
    pytest.param(
        KillPoint("transforms.changes:change_events", 5, "before", recovers_landed=True),
        id="during-change-detection",
    ),
    # The new snapshot's Parquet is exported (the summaries still being written into it).
    pytest.param(
        KillPoint("warehouse.summary_files:write_summary_files", 1, "before"),
        id="publish-after-parquet-export",
    ),
    # The new snapshot is complete, with its manifest; `published` not switched yet.
    pytest.param(
        KillPoint("warehouse.files:swap_symlink", 1, "before"), id="publish-before-switch"
    ),
]


def run_killed(
    point: KillPoint, data_dir: Path, api_url: str, mark: Path
) -> subprocess.CompletedProcess[str]:
    """A sync through the CLI, killed at `point`."""
    args = ("sync", "--api-url", api_url, "--data-dir", str(data_dir))
    return run_at_point(point.target, point.nth, point.when, mark, *args)


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_sync_killed_at_any_point_reruns_to_the_clean_result(
    point: KillPoint, base_copy, clean, scenario, tmp_path
):
    db = base_copy / DB_NAME
    before = read_publication(base_copy)
    assert before.problems == []
    mark = tmp_path / "killed-at"
    with scenario.serve(2) as server:
        if point.slow_page:
            server.faults.add("slow", on=point.slow_page, delay=5.0)
        killed = run_killed(point, base_copy, server.base_url, mark)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert mark.read_text().startswith(point.target), "killed somewhere else"

        # Nothing has run since the kill: the warehouse holds whole batches only, and the first
        # sync's publication is still whole.
        assert torn_studies(db) == [] and duplicate_keys(db) == {}
        during = read_publication(base_copy)
        assert during.problems == []
        assert during.snapshot == before.snapshot and during.manifest == before.manifest

        server.faults.clear()
        report = run_sync(scenario_settings(base_copy, server.base_url), Scope())

    assert report.status == "succeeded"
    if point.recovers_landed:
        assert report.recovered_pages >= 1, "the re-run should load what the killed run landed"
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.second
    assert duplicate_keys(db) == {} and torn_studies(db) == []
    assert scalar(db, "SELECT count(*) FROM pipeline.runs WHERE status = 'running'") == 1
    after = read_publication(base_copy)
    assert after.problems == []
    assert after.run_id == report.run_id


@pytest.mark.slow
def test_a_first_sync_killed_mid_walk_reruns_to_the_clean_first_sync(
    scenario, clean, data_dir, tmp_path
):
    mark = tmp_path / "killed-at"
    point = KillPoint("warehouse.raw:RunLanding.record_page", 3, "after")
    with scenario.serve(1) as server:
        killed = run_killed(point, data_dir, server.base_url, mark)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        report = run_sync(scenario_settings(data_dir, server.base_url), Scope())
    assert report.status == "succeeded" and report.recovered_pages >= 1
    db = data_dir / DB_NAME
    assert duplicate_keys(db) == {}
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.first
