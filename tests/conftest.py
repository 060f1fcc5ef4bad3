"""Shared fixtures: the real sample records, read from ../shared/ctgov-sample (not copied here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

# Process-wide switches for tools the tests drive (not trialsync configuration).
os.environ.setdefault("DO_NOT_TRACK", "1")  # noqa: TID251
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # noqa: TID251
# Commands run as plain calls unless a test asks for the Prefect flows: a flow run outside the
# shared test harness would start a temporary Prefect server (~10 s) per process.
os.environ.setdefault("TRIALSYNC_ORCHESTRATION", "plain")  # noqa: TID251

from flows.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The settings' sample folder (TRIALSYNC_SAMPLE_DIR, default ../shared/ctgov-sample)."""
    path = Settings().sample_dir
    if not (path / "studies").is_dir():
        pytest.fail(
            f"sample records not found at {path}; set TRIALSYNC_SAMPLE_DIR or run `make sample`"
        )
    return path


@pytest.fixture(scope="session")
def sample_studies(sample_dir: Path) -> dict[str, dict[str, Any]]:
    """Every complete sample study, keyed by NCT id (file name)."""
    return {
        p.stem: orjson.loads(p.read_bytes())
        for p in sorted((sample_dir / "studies").glob("*.json"))
    }


@pytest.fixture(scope="session")
def version_pairs(sample_dir: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The studies captured twice (older, newer), whose differences are refresh noise only."""
    pairs = {}
    for v1 in sorted((sample_dir / "versions").glob("*.v1.json")):
        nct = v1.name.split(".")[0]
        v2 = v1.with_name(f"{nct}.v2.json")
        pairs[nct] = (orjson.loads(v1.read_bytes()), orjson.loads(v2.read_bytes()))
    return pairs


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty data folder for one test."""
    path = tmp_path / "data"
    path.mkdir()
    yield path


@pytest.fixture(scope="session")
def prefect_backend() -> Iterator[None]:
    """One Prefect test server for the whole session, flow heartbeats off (see engineering.md).

    Reuses a running server when PREFECT_API_URL is set. Request it only in flow-level tests.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        if os.environ.get("PREFECT_API_URL"):  # noqa: TID251
            yield
        else:
            with prefect_test_harness(server_startup_timeout=90):
                yield
