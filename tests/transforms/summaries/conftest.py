"""Fixtures of the summary tests: the generation date, every sample page (made once), golden files.

`pytest tests/transforms/summaries --update-golden` rewrites tests/golden/summaries/ from the
current generator; review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from transforms.summaries import Summary, summarize

GENERATED_ON = dt.date(2026, 11, 24)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/summaries/ from the current summary generator",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


@pytest.fixture(scope="session")
def generated_on() -> dt.date:
    return GENERATED_ON


@pytest.fixture(scope="session")
def sample_summaries(sample_studies: dict[str, dict[str, Any]]) -> dict[str, Summary]:
    """The summary of every sample study, generated once for the session."""
    return {
        nct: summarize(record, generated_on=GENERATED_ON) for nct, record in sample_studies.items()
    }
