"""Shared fixtures: the real sample records, read from ../shared/ctgov-sample (never copied here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

from flows.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The sample folder named by the settings (TRIALSYNC_SAMPLE_DIR, default ../shared/ctgov-sample)."""
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
