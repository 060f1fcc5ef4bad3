from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from schemas.study.paths import leaf_specs
from transforms.ages import NO_AGE, UNITS, Age, parse_age

Record = dict[str, Any]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("18 Years", Age(18, "year"), id="years"),  # the common case
        pytest.param("6 Months", Age(6, "month"), id="months"),
        pytest.param("1 Year", Age(1, "year"), id="singular"),  # the spec allows both forms
        pytest.param("2 Weeks", Age(2, "week"), id="weeks"),
        pytest.param("28 Days", Age(28, "day"), id="days"),
        pytest.param("12 Hours", Age(12, "hour"), id="hours"),
        pytest.param("30 Minutes", Age(30, "minute"), id="minutes"),
        pytest.param("0 Years", Age(0, "year"), id="zero"),  # a real lower bound, not missing
        pytest.param(
            " 65  years ", Age(65, "year"), id="loose-spacing-and-case"
        ),  # AACT's rule too
        pytest.param("N/A", NO_AGE, id="legacy-na"),  # AACT's to_i would give 0
        pytest.param(None, NO_AGE, id="missing"),
        pytest.param("", NO_AGE, id="empty"),
        pytest.param("abc", NO_AGE, id="not-an-age"),
        pytest.param("18", NO_AGE, id="no-unit"),
        pytest.param("18 Decades", NO_AGE, id="unknown-unit"),
        pytest.param("18.5 Years", NO_AGE, id="not-whole"),
        pytest.param("-1 Years", NO_AGE, id="negative"),
        pytest.param("١٨ Years", NO_AGE, id="non-ascii-digits"),  # `\d` would take these
        pytest.param(18, NO_AGE, id="not-text"),
    ],
)
def test_parse_age(raw: Any, expected: Age) -> None:
    assert parse_age(raw) == expected


def test_every_sample_age_parses(sample_studies: dict[str, Record]) -> None:
    ages = [
        study["protocolSection"].get("eligibilityModule", {}).get(key)
        for study in sample_studies.values()
        for key in ("minimumAge", "maximumAge")
    ]
    given = [a for a in ages if a is not None]
    parsed = [parse_age(a) for a in given]
    assert NO_AGE not in parsed
    assert Counter(a.unit for a in parsed) == {"year": 1002, "month": 5, "day": 3}
    assert [a.num for a in parsed] == [int(a.split()[0]) for a in given]


def test_units_are_the_spec_pattern_units() -> None:
    pattern = leaf_specs()["protocolSection.eligibilityModule.minimumAge"].pattern
    assert pattern is not None
    for unit in UNITS:
        assert unit.capitalize() in pattern and f"{unit.capitalize()}s" in pattern
