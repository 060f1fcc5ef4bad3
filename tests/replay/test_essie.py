"""The replay server's Essie subset: boolean structure, AREA/RANGE/MISSING, word matching."""

from __future__ import annotations

from typing import Any

import pytest

from replay.essie import ExpressionError, compile_expression, parse_date_literal
from replay.pieces import PieceIndex


def study(
    nct: str, posted: str | None, title: str, enrollment: int | None = None
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if posted:
        status["lastUpdatePostDateStruct"] = {"date": posted, "type": "ACTUAL"}
    design = {"enrollmentInfo": {"count": enrollment}} if enrollment is not None else {}
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": title},
            "statusModule": status,
            "designModule": design,
        }
    }


STUDIES = [
    study("NCT00000001", "2025-01-01", "Spine fusion in adults", 40),
    study("NCT00000002", "2025-01-02", "Fusion of the lumbar spine", 99999999),
    study("NCT00000003", "2024-12-31", "Knee pain"),
    study("NCT00000004", None, "Spinal cord injury", 10),
]


def matching(expr: str) -> list[str]:
    index = PieceIndex.fallback()

    def area(s: dict[str, Any]) -> list[str]:
        return [s["protocolSection"]["identificationModule"]["briefTitle"]]

    predicate = compile_expression(expr, index, area, "test")
    return [
        s["protocolSection"]["identificationModule"]["nctId"][-1] for s in STUDIES if predicate(s)
    ]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        pytest.param(
            "AREA[LastUpdatePostDate]RANGE[2025-01-01,MAX]", ["1", "2"], id="inclusive-low"
        ),
        pytest.param(
            "AREA[LastUpdatePostDate]RANGE[MIN,2025-01-01]", ["1", "3"], id="inclusive-high"
        ),
        pytest.param("AREA[LastUpdatePostDate]RANGE[MIN,MAX]", ["1", "2", "3"], id="never-missing"),
        pytest.param(
            "AREA[LastUpdatePostDate]RANGE[12/31/2024,01/01/2025]", ["1", "3"], id="us-dates"
        ),
        pytest.param("AREA[LastUpdatePostDate]MISSING", ["4"], id="missing"),
        pytest.param("AREA[EnrollmentCount]RANGE[0,99999998]", ["1", "4"], id="numeric"),
        pytest.param("spine", ["1", "2"], id="whole-word"),  # "Spinal" is another word
        pytest.param("spine fusion", ["1", "2"], id="implicit-and"),
        pytest.param('"spine fusion"', ["1"], id="phrase"),
        pytest.param("knee OR injury", ["3", "4"], id="or"),
        pytest.param("spine AND NOT lumbar", ["1"], id="not"),
        pytest.param(
            "(AREA[LastUpdatePostDate]RANGE[2025-01-02,MAX]) AND AREA[BriefTitle]lumbar",
            ["2"],
            id="area-word-and-range",
        ),
        pytest.param("ALL", ["1", "2", "3", "4"], id="all"),
    ],
)
def test_expressions(expr: str, expected: list[str]) -> None:
    assert matching(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        pytest.param("(spine", "mismatched input", id="unbalanced"),
        pytest.param("spine [", "no viable alternative", id="stray-bracket"),
        pytest.param("AREA[Bogus]x", "Unknown area name: `Bogus`", id="unknown-area"),
        pytest.param("AREA[BriefTitle]RANGE[a,b]", "only on date and numeric", id="text-range"),
        pytest.param(
            "AREA[LastUpdatePostDate]RANGE[soon,MAX]", "cannot read `soon`", id="bad-date"
        ),
        pytest.param("AREA[Phase]COVERAGE[FullMatch]x", "does not support", id="coverage"),
        pytest.param("", "empty expression", id="empty"),
    ],
)
def test_errors_name_the_problem(expr: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        matching(expr)


def test_partial_dates_compare_as_the_first_day() -> None:
    assert str(parse_date_literal("2024-05")) == "2024-05-01"
    assert str(parse_date_literal("2024")) == "2024-01-01"
