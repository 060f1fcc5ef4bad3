"""The reliability scenario: real sample records served over HTTP, two syncs, their clean result.

A subset of the sample (every 16th study, so that each sync takes seconds) is served by the replay
server. The first sync loads it; then the registry moves on: some studies are edited (status,
enrollment, title, conditions, dates, sites, eligibility, phases) and some new ones appear, all
posted on 2026-11-23 after a data refresh. The second sync is incremental and so detects changes.

`clean` runs both syncs once per session, undisturbed, and keeps their data folders: the
reference every fault, kill and failure is compared with. Tests start from a copy of the first
folder (`base_copy`), disturb the second sync, and must end with the same content.
"""

from __future__ import annotations

import copy
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from replay.server import DEFAULT_DATA_TIMESTAMP, ReplayServer
from tests.support.publication import Publication, read_publication
from tests.support.warehouse import (
    ROOT,
    RUN_BOOKKEEPING,
    cli_env,
    content_snapshot,
    fast_settings,
)

PAGE_SIZE = 5  # small pages: a sync of the subset is many requests and many load transactions
EDIT_DAY = "2026-11-23"
REFRESHED_AT = "2026-11-23T09:00:04"
SUBSET_STEP = 16
EDITED = 12
ADDED = 4
# The CLI's environment for every sync of the scenario (the first one pages too: no bulk ZIP).
SYNC_ENV = {
    "TRIALSYNC_PAGE_SIZE": str(PAGE_SIZE),
    "TRIALSYNC_BOOTSTRAP_FROM_BULK": "false",
    "TRIALSYNC_READ_TIMEOUT": "5",
    # The plain commands: the same steps the Prefect flows wrap, without a Prefect server's
    # start-up in every subprocess.
    "TRIALSYNC_ORCHESTRATION": "plain",
}


def sync_env(**extra: str) -> dict[str, str]:
    """`cli_env` with the scenario's settings."""
    return cli_env(**SYNC_ENV, **extra)


def scenario_settings(data_dir: Path, api_url: str, **overrides: Any) -> Any:
    """In-process settings equal to the CLI's under `SYNC_ENV`."""
    values: dict[str, Any] = {"page_size": PAGE_SIZE, "bootstrap_from_bulk": False}
    return fast_settings(data_dir, api_url, **{**values, **overrides})


@dataclass(frozen=True)
class Scenario:
    """The records served before and after the registry moved on."""

    first: list[dict[str, Any]]
    second: list[dict[str, Any]]
    metadata: Path

    @contextmanager
    def serve(self, stage: int) -> Iterator[ReplayServer]:
        """A replay server serving the registry as it is at `stage` (1 or 2)."""
        records = self.first if stage == 1 else self.second
        stamp = DEFAULT_DATA_TIMESTAMP if stage == 1 else REFRESHED_AT
        with ReplayServer(records, metadata_path=self.metadata, data_timestamp=stamp) as server:
            yield server


def _edit(record: dict[str, Any], n: int) -> dict[str, Any]:
    """A copy of a real record edited the way the registry edits one (kind of edit chosen by n)."""
    out = copy.deepcopy(record)
    section = out["protocolSection"]
    status = section.setdefault("statusModule", {})
    status["lastUpdatePostDateStruct"] = {"date": EDIT_DAY, "type": "ACTUAL"}
    kind = n % 8
    if kind == 0:
        new = "TERMINATED" if status.get("overallStatus") != "TERMINATED" else "COMPLETED"
        status["overallStatus"] = new
        status["whyStopped"] = "Sponsor decision"
    elif kind == 1:
        design = section.setdefault("designModule", {})
        enrollment = design.setdefault("enrollmentInfo", {"type": "ESTIMATED"})
        enrollment["count"] = int(enrollment.get("count") or 0) + 7
    elif kind == 2:
        ident = section["identificationModule"]
        ident["briefTitle"] = f"{ident.get('briefTitle', '')} (amended)"
    elif kind == 3:
        conditions = section.setdefault("conditionsModule", {})
        conditions["conditions"] = [*conditions.get("conditions", []), "Reliability Testing"]
    elif kind == 4:
        status["completionDateStruct"] = {"date": "2027-06", "type": "ESTIMATED"}
    elif kind == 5:
        where = section.setdefault("contactsLocationsModule", {})
        where["locations"] = where.get("locations", [])[:-1] or [
            {"facility": "Added Site", "city": "Lyon", "country": "France"}
        ]
    elif kind == 6:
        elig = section.setdefault("eligibilityModule", {})
        elig["eligibilityCriteria"] = (
            elig.get("eligibilityCriteria", "") + "\n* Able to attend weekly visits"
        )
    else:
        section.setdefault("designModule", {})["phases"] = ["PHASE3"]
    return out


def _posted_on_edit_day(record: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out["protocolSection"].setdefault("statusModule", {})["lastUpdatePostDateStruct"] = {
        "date": EDIT_DAY,
        "type": "ACTUAL",
    }
    return out


@pytest.fixture(scope="session")
def scenario(sample_dir: Path, sample_studies: dict[str, dict[str, Any]]) -> Scenario:
    ids = sorted(sample_studies)
    first_ids = ids[::SUBSET_STEP]
    rest = [i for i in ids if i not in set(first_ids)]
    added_ids = rest[:: len(rest) // ADDED][:ADDED]
    first = [sample_studies[i] for i in first_ids]
    edited = {i: _edit(sample_studies[i], n) for n, i in enumerate(first_ids[::3][:EDITED])}
    second = [edited.get(i, sample_studies[i]) for i in first_ids]
    second += [_posted_on_edit_day(sample_studies[i]) for i in added_ids]
    metadata = sorted((sample_dir / "spec").glob("studies-metadata_*.json"))[-1]
    return Scenario(first, second, metadata)


@dataclass(frozen=True)
class CleanRun:
    """The data folders and content of both syncs run undisturbed."""

    first_dir: Path
    second_dir: Path
    first: dict[str, list[str]]
    second: dict[str, list[str]]
    first_publication: Publication
    second_publication: Publication


@pytest.fixture(scope="session")
def clean(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    root = tmp_path_factory.mktemp("clean")
    first_dir, second_dir = root / "first", root / "second"
    with scenario.serve(1) as server:
        run_sync(scenario_settings(first_dir, server.base_url), Scope())
    shutil.copytree(first_dir, second_dir, symlinks=True)
    with scenario.serve(2) as server:
        report = run_sync(scenario_settings(second_dir, server.base_url), Scope())
    # The scenario must exercise what the tests claim: additions, new versions and events.
    assert report.outcome.actions["add"] == ADDED, report.outcome.actions
    assert report.outcome.actions["new_version"] == EDITED, report.outcome.actions
    assert sum(report.outcome.events.values()) >= EDITED + ADDED, report.outcome.events
    return CleanRun(
        first_dir,
        second_dir,
        content_snapshot(first_dir / DB_NAME, ignore=RUN_BOOKKEEPING),
        content_snapshot(second_dir / DB_NAME, ignore=RUN_BOOKKEEPING),
        read_publication(first_dir),
        read_publication(second_dir),
    )


@pytest.fixture
def base_copy(clean: CleanRun, tmp_path: Path) -> Path:
    """A data folder holding the first sync, published, ready for the second."""
    target = tmp_path / "data"
    shutil.copytree(clean.first_dir, target, symlinks=True)
    return target


def point_command(target: str, nth: int, when: str, mark: Path, *args: str) -> list[str]:
    """The command running `trialsync ARGS` under `tests.reliability.killpoint` (see there)."""
    runner = [sys.executable, "-m", "tests.reliability.killpoint"]
    return [*runner, target, str(nth), when, str(mark), "--", *args]


def run_at_point(
    target: str, nth: int, when: str, mark: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`trialsync ARGS`, killed (or its disk filled, or paused) at the NTH call of TARGET."""
    return subprocess.run(
        point_command(target, nth, when, mark, *args),
        capture_output=True,
        text=True,
        env=env or sync_env(),
        timeout=180,
        cwd=ROOT,
    )


@pytest.fixture
def cli() -> Iterator[Any]:
    """`trialsync ARGS` run in this process (typer's runner) with the scenario's environment.

    For commands whose process does not matter (messages, exit codes): no interpreter start-up.
    The root logger, which a command configures, is put back as it was afterwards.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def invoke(*args: str, **env: str) -> Any:
        return CliRunner().invoke(app, list(args), env={**SYNC_ENV, **env})

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)


def error_lines(stderr: str) -> list[str]:
    """The `error:` lines a command printed."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]
