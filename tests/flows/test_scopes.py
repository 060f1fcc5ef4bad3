"""Scopes: CLI options → validated selection → the `/studies` parameters of a walk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from flows.scopes import OVERALL_STATUSES, Scope, ScopeError


def test_window_starts_one_day_early_and_sorts_ascending() -> None:
    scope = Scope.from_options(cond="spine fusion", status=["recruiting", "COMPLETED"])
    assert scope.params(date(2026, 3, 1)) == {
        "query.cond": "spine fusion",
        "filter.overallStatus": "RECRUITING,COMPLETED",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2026-02-28,MAX]",
        "sort": "LastUpdatePostDate:asc",
        "countTotal": "true",
    }


def test_user_advanced_filter_is_and_combined_with_the_window() -> None:
    scope = Scope.from_options(advanced="AREA[Phase]PHASE3 OR AREA[Phase]PHASE2")
    assert scope.params(date(2026, 1, 1))["filter.advanced"] == (
        "(AREA[Phase]PHASE3 OR AREA[Phase]PHASE2) AND AREA[LastUpdatePostDate]RANGE[2025-12-31,MAX]"
    )
    assert scope.params(None)["filter.advanced"] == "AREA[Phase]PHASE3 OR AREA[Phase]PHASE2"


def test_ids_are_normalized_deduplicated_and_pipe_joined() -> None:
    scope = Scope.from_options(ids=["nct2300909", "NCT03103880,NCT02300909"])
    assert scope.ids == ("NCT02300909", "NCT03103880")
    assert scope.params(None)["filter.ids"] == "NCT02300909|NCT03103880"


@pytest.mark.parametrize(
    ("cursor", "scope", "expected"),
    [
        pytest.param(date(2026, 5, 1), Scope(), date(2026, 5, 1), id="cursor-by-default"),
        pytest.param(date(2026, 5, 1), Scope(full=True), None, id="full-ignores-cursor"),
        pytest.param(None, Scope(since=date(2024, 1, 2)), date(2024, 1, 2), id="since"),
        pytest.param(
            date(2026, 5, 1), Scope(since=date(2024, 1, 2)), date(2024, 1, 2), id="since-wins"
        ),
        pytest.param(None, Scope(), None, id="no-cursor-yet"),
    ],
)
def test_window_start(cursor: date | None, scope: Scope, expected: date | None) -> None:
    assert scope.window_start(cursor) == expected


def test_key_names_the_selection_not_the_window() -> None:
    base = Scope.from_options(cond="asthma", status=["RECRUITING"])
    assert Scope.from_options(cond="asthma", status=["RECRUITING"], full=True).key == base.key
    assert (
        Scope.from_options(cond="asthma", status=["RECRUITING"], since=date(2020, 1, 1)).key
        == base.key
    )
    assert Scope.from_options(cond="asthma").key != base.key
    assert Scope().key != base.key
    assert len(base.key) == 16


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"status": ["RECRUITNG"]}, "unknown overall status RECRUITNG", id="typo-status"
        ),
        pytest.param({"ids": ["NCT00000000"]}, "not a valid NCT id", id="bad-id"),
        pytest.param(
            {"full": True, "since": date(2024, 1, 1)}, "exclude each other", id="full-and-since"
        ),
        # A query.* holding only NCT ids makes the API ignore every filter, window included.
        pytest.param({"term": "NCT02300909, NCT03103880"}, "use --ids", id="ids-in-query"),
        pytest.param({"phase": "PHASE3"}, "unknown scope option --phase", id="unknown-option"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ScopeError, match=message):
        Scope.from_options(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("pageToken", id="paging-is-the-clients"),
        pytest.param("filter.ids", id="ids-go-through-ids"),
        pytest.param("fields", id="projection-is-not-a-scope"),
    ],
)
def test_reserved_parameters_cannot_be_scoped(name: str) -> None:
    with pytest.raises(ValueError, match="cannot be set in a scope"):
        Scope(query={name: "x"})


def test_status_list_matches_the_spec_enum(sample_dir: Path) -> None:
    enums = json.loads((sample_dir / "spec" / "enums-from-oas-2.0.5.json").read_text())
    assert set(enums["enums"]["Status"]["values"]) == OVERALL_STATUSES


def test_describe() -> None:
    assert Scope().describe() == "all studies (from cursor)"
    assert Scope.from_options(cond="asthma", since=date(2024, 1, 1)).describe() == (
        "query.cond=asthma (since 2024-01-01)"
    )
