"""Exact values on real results records, and the parsing rules (p-values, counts, numbers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pyarrow as pa
import pytest

from schemas.table import Table
from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from tests.support.tables import study_rows, table_rows
from transforms._ids import stable_id, stable_ids
from transforms.results_common import nonempty, p_value_parts, to_float, to_int

Record = dict[str, Any]
Row = dict[str, Any]

RICH = "NCT02397473"  # 2 periods with drop reasons, 12 outcomes, 7 analyses, 4 event groups
CLASS_DENOMS = "NCT02058160"  # baseline classes with their own (smaller) denominators
COMMA_NUMBERS = "NCT00712335"  # outcome values written with thousands separators ('26,300')


def _rows(study: Record, table: Table, nct: str) -> list[Row]:
    return study_rows(table, study, nct)


@pytest.fixture(scope="module")
def rich(sample_studies: dict[str, Record]) -> dict[str, list[Row]]:
    return table_rows(tables.TABLES, {RICH: sample_studies[RICH]})[0]


@pytest.fixture(scope="module")
def outcome_counts(sample_studies: dict[str, Record]) -> list[Row]:
    """outcome_counts of the whole sample."""
    return table_rows([tables.OUTCOME_COUNTS], sample_studies)[0][tables.OUTCOME_COUNTS.name]


def test_participant_flow_of_the_rich_study(rich: dict[str, list[Row]]) -> None:
    assert [r["period"] for r in rich["flow_periods"]] == [
        "Treatment Phase",
        "Post Treatment Follow-up Phase",
    ]
    started = [
        r for r in rich["milestones"] if r["period_ordinal"] == 1 and r["title"] == "STARTED"
    ]
    assert [(r["ctgov_group_code"], r["count"], r["count_raw"]) for r in started] == [
        ("FG000", 50, "50"),
        ("FG001", 47, "47"),
    ]
    # The per-group note is v2's `comment` (AACT's loader reads a missing key and stores NULL).
    assert started[0]["description"] == (
        "Participants who discontinued treatment period had an option to enter post treatment "
        "phase."
    )
    assert started[0]["period"] == "Post Treatment Follow-up Phase"
    first_period = [r["title"] for r in rich["flow_milestones"] if r["period_ordinal"] == 0]
    assert first_period == [
        "STARTED",
        "Received at Least One Dose of Study Drug",
        "COMPLETED",
        "NOT COMPLETED",
    ]
    drops = [
        (r["period_ordinal"], r["reason"], r["ctgov_group_code"], r["count"])
        for r in rich["drop_withdrawals"]
    ]
    assert len(drops) == 18
    assert drops[:3] == [
        (0, "Adverse Event", "FG000", 1),
        (0, "Adverse Event", "FG001", 2),
        (0, "Lack of Efficacy", "FG000", 8),
    ]
    assert drops[-1] == (1, "Withdrawal by Subject", "FG001", 1)
    assert [r["reason"] for r in rich["flow_drop_withdraws"]][4] == (
        "Protocol Violation(did not receive drug)"
    )
    groups = {g["id"]: g["title"] for g in rich["result_groups"]}
    assert {groups[r["result_group_id"]] for r in rich["drop_withdrawals"]} == {
        "Placebo",
        "Galcanezumab 300mg",
    }


def test_primary_outcome_of_the_rich_study(rich: dict[str, list[Row]]) -> None:
    outcome = rich["outcomes"][0]
    assert {k: outcome[k] for k in ("outcome_type", "param_type", "dispersion_type", "units")} == {
        "outcome_type": "PRIMARY",
        "param_type": "LEAST_SQUARES_MEAN",
        "dispersion_type": "Standard Error",
        "units": "Cluster Headache Attacks per Week",
    }
    assert outcome["time_frame"] == "Baseline, Week 1 through Week 3"
    assert outcome["reporting_status"] == "POSTED"
    assert outcome["anticipated_posting_date"] is None
    values = [r for r in rich["outcome_measurements"] if r["outcome_ordinal"] == 0]
    assert [
        (r["ctgov_group_code"], r["param_value"], r["param_value_num"], r["dispersion_value_num"])
        for r in values
    ] == [("OG000", "-5.22", -5.22, 1.33), ("OG001", "-8.69", -8.69, 1.42)]
    assert {r["outcome_id"] for r in values} == {outcome["id"]}
    assert values[0]["title"] == outcome["title"]  # outcome fields copied, as AACT does
    counts = [r for r in rich["outcome_counts"] if r["outcome_ordinal"] == 0]
    assert [(r["scope"], r["units"], r["ctgov_group_code"], r["count"]) for r in counts] == [
        ("Measure", "Participants", "OG000", 57),
        ("Measure", "Participants", "OG001", 49),
    ]


def test_analysis_of_the_rich_study(rich: dict[str, list[Row]]) -> None:
    analysis = rich["outcome_analyses"][0]
    assert {
        k: v for k, v in analysis.items() if v is not None and k not in ("id", "outcome_id")
    } == {
        "nct_id": RICH,
        "outcome_ordinal": 0,
        "ordinal": 0,
        "non_inferiority_type": "SUPERIORITY",
        "param_type": "LSMean Difference",
        "param_value": -3.47,
        "param_value_raw": "-3.47",
        "dispersion_type": "STANDARD_ERROR_OF_MEAN",
        "dispersion_value": 1.63,
        "dispersion_value_raw": "1.63",
        "p_value": 0.036,
        "p_value_raw": "0.036",
        "ci_n_sides": "TWO_SIDED",
        "ci_percent": 95.0,
        "ci_percent_raw": "95",
        "ci_lower_limit": -6.72,
        "ci_lower_limit_raw": "-6.72",
        "ci_upper_limit": -0.23,
        "ci_upper_limit_raw": "-0.23",
        "method": "Mixed Models Analysis",
    }
    # A raw '.502' is kept as written and parsed as 0.502.
    fifth = rich["outcome_analyses"][4]
    assert (fifth["ci_lower_limit_raw"], fifth["ci_lower_limit"]) == (".502", 0.502)
    groups = {g["id"]: g for g in rich["result_groups"]}
    compared = [
        (groups[r["result_group_id"]]["title"], r["outcome_analysis_id"])
        for r in rich["outcome_analysis_groups"]
        if r["outcome_ordinal"] == 0
    ]
    assert compared == [("Placebo", analysis["id"]), ("Galcanezumab 300mg", analysis["id"])]


def test_adverse_events_of_the_rich_study(rich: dict[str, list[Row]]) -> None:
    assert rich["adverse_events_modules"][0]["frequency_threshold"] == "5"
    event = rich["reported_events"][2]
    assert {
        k: event[k]
        for k in (
            "event_type",
            "ctgov_group_code",
            "adverse_event_term",
            "organ_system",
            "vocab",
            "assessment",
            "event_count",
            "subjects_affected",
            "subjects_at_risk",
            "time_frame",
            "frequency_threshold",
        )
    } == {
        "event_type": "serious",
        "ctgov_group_code": "EG002",
        "adverse_event_term": "Cluster headache",
        "organ_system": "Nervous system disorders",
        "vocab": "MedDRA 20.1",
        "assessment": "SYSTEMATIC_ASSESSMENT",
        "event_count": 1,
        "subjects_affected": 1,
        "subjects_at_risk": 50,
        "time_frame": "6 Months",
        "frequency_threshold": 5,
    }
    totals = [
        (r["ctgov_group_code"], r["event_type"], r["classification"], r["subjects_affected"])
        for r in rich["reported_event_totals"]
    ]
    assert totals[6:9] == [
        ("EG002", "deaths", "Total, all-cause mortality", 0),
        ("EG002", "serious", "Total, serious adverse events", 2),
        ("EG002", "other", "Total, other adverse events", 3),
    ]


def test_more_info_of_the_rich_study(rich: dict[str, list[Row]]) -> None:
    agreement = rich["result_agreements"][0]
    assert (agreement["pi_employee"], agreement["restrictive_agreement"]) == (False, True)
    assert agreement["restriction_type"] == "OTHER"
    assert agreement["agreement"] is None
    assert agreement["other_details"].startswith("All information provided to Investigator \\&/or")
    contact = rich["result_contacts"][0]
    assert {k: v for k, v in contact.items() if k not in ("id", "nct_id")} == {
        "organization": "Eli Lilly and Company",
        "name": "Chief Medical Officer",
        "phone": "800-545-5979",
        "email": "ClinicalTrials.gov@lilly.com",
        "extension": None,
    }


def test_baseline_number_analyzed_prefers_class_denoms(sample_studies: dict[str, Record]) -> None:
    rows = _rows(sample_studies[CLASS_DENOMS], tables.BASELINE_MEASUREMENTS, CLASS_DENOMS)
    analyzed = {
        (r["title"], r["ctgov_group_code"]): (r["number_analyzed"], r["number_analyzed_units"])
        for r in rows
    }
    # No class denoms: the overall baseline denominator (367 / 369).
    assert analyzed[("Age, Continuous", "BG000")] == (367, "Participants")
    assert analyzed[("Age, Continuous", "BG001")] == (369, "Participants")
    # The class's own denominator wins: 329 of 367 reported a metformin dose.
    assert analyzed[("Daily Dose of Metformin", "BG000")] == (329, "Participants")
    denoms = _rows(sample_studies[CLASS_DENOMS], tables.BASELINE_MEASURE_DENOMS, CLASS_DENOMS)
    metformin = [r for r in denoms if r["measure_ordinal"] == 8]
    assert [(r["scope"], r["class_ordinal"], r["count"]) for r in metformin] == [
        ("class", 0, 329),
        ("class", 0, 329),
        ("class", 0, 658),
    ]


def test_thousands_separators_stay_raw(sample_studies: dict[str, Record]) -> None:
    rows = _rows(sample_studies[COMMA_NUMBERS], tables.OUTCOME_MEASUREMENTS, COMMA_NUMBERS)
    odd = [r for r in rows if r["param_value"] == "26,300"]
    assert len(odd) == 1
    assert (odd[0]["param_value_num"], odd[0]["dispersion_value"]) == (None, "74,106")
    assert odd[0]["dispersion_value_num"] is None


def test_measure_level_baseline_denoms_and_units(sample_studies: dict[str, Record]) -> None:
    # The sample has no measure-level baseline denoms; the API allows them (BaselineMeasure.denoms).
    study = {
        "resultsSection": {
            "baselineCharacteristicsModule": {
                "groups": [{"id": "BG000"}],
                "denoms": [
                    {"units": "Participants", "counts": [{"groupId": "BG000", "value": "9"}]}
                ],
                "measures": [
                    {
                        "title": "Eyes",
                        "calculatePct": False,
                        "denomUnitsSelected": "Eyes",
                        "denoms": [
                            {
                                "units": "Participants",
                                "counts": [{"groupId": "BG000", "value": "9"}],
                            },
                            {"units": "Eyes", "counts": [{"groupId": "BG000", "value": "17"}]},
                        ],
                        "classes": [
                            {
                                "categories": [
                                    {"measurements": [{"groupId": "BG000", "value": "NA"}]},
                                    {"title": "empty"},
                                ]
                            }
                        ],
                    }
                ],
            }
        }
    }
    nct = "NCT00000001"
    [value] = _rows(study, tables.BASELINE_MEASUREMENTS, nct)
    assert (value["number_analyzed"], value["number_analyzed_units"]) == (17, "Eyes")
    assert (value["param_value"], value["param_value_num"], value["calculate_percentage"]) == (
        "NA",
        None,
        "No",
    )
    denoms = _rows(study, tables.BASELINE_MEASURE_DENOMS, nct)
    assert [(r["scope"], r["class_ordinal"], r["units"], r["count"]) for r in denoms] == [
        ("measure", -1, "Participants", 9),
        ("measure", -1, "Eyes", 17),
    ]
    assert [r["category"] for r in _rows(study, tables.BASELINE_CATEGORIES, nct)] == [None, "empty"]
    scopes = [(r["scope"], r["units"]) for r in _rows(study, tables.RESULT_DENOMS, nct)]
    assert scopes == [("overall", "Participants"), ("measure", "Participants"), ("measure", "Eyes")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # AACT's month value is the FIRST of the month (its date_first_of_month converter).
        pytest.param("2025-03", (dt.date(2025, 3, 1), "month"), id="month"),
        # A bare year: first day of the year (AACT's converter gives Dec 31 here; documented).
        pytest.param("2026", (dt.date(2026, 1, 1), "year"), id="year"),
        # Not a date: the text stays in the raw column.
        pytest.param("soon", (None, None), id="text"),
    ],
)
def test_anticipated_posting_date(raw: str, expected: tuple[Any, Any]) -> None:
    study = {
        "resultsSection": {
            "outcomeMeasuresModule": {
                "outcomeMeasures": [
                    {"reportingStatus": "NOT_POSTED", "anticipatedPostingDate": raw}
                ]
            }
        }
    }
    [row] = _rows(study, tables.OUTCOMES, "NCT00000001")
    assert (row["anticipated_posting_date"], row["anticipated_posting_date_precision"]) == expected
    assert row["anticipated_posting_month_year"] == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # The common bound: the sign goes to p_value_modifier, the number to p_value.
        pytest.param("<0.001", ("<", 0.001), id="less-than"),
        # A plain value has no modifier.
        pytest.param("0.05", (None, 0.05), id="plain"),
        # 'NA' is not a p-value: both NULL (raw kept in p_value_raw).
        pytest.param("NA", (None, None), id="na"),
        # The Unicode sign is kept as written, as AACT's strip-the-digits rule keeps it.
        pytest.param("≤0.05", ("≤", 0.05), id="unicode-le"),
        # Spaces and an ASCII two-character sign.
        pytest.param("< = 0.05", (None, None), id="split-sign-is-not-guessed"),
        pytest.param(" <= .05 ", ("<=", 0.05), id="spaces-and-leading-dot"),
        # Seen in registry text: a leading 'p'.
        pytest.param("p=0.2", ("=", 0.2), id="leading-p"),
        pytest.param("1.2E-5", (None, 1.2e-5), id="scientific"),
        # Footnote marks and words are not guessed at.
        pytest.param("0.05*", (None, None), id="footnote"),
        pytest.param(None, (None, None), id="missing"),
        pytest.param(0.05, (None, None), id="not-text"),
    ],
)
def test_p_value_parts(raw: Any, expected: tuple[str | None, float | None]) -> None:
    assert p_value_parts(raw) == expected


@pytest.mark.parametrize(
    ("raw", "as_int", "as_float"),
    [
        pytest.param("57", 57, 57.0, id="integer"),
        # v2 sends counts as strings; a stray space is harmless.
        pytest.param(" 7 ", 7, 7.0, id="padded"),
        pytest.param("-5.22", None, -5.22, id="decimal"),
        pytest.param(".5", None, 0.5, id="leading-dot"),
        # Sample NCT00712335 writes '26,300': not guessed (could be a decimal comma).
        pytest.param("26,300", None, None, id="thousands-separator"),
        pytest.param("NA", None, None, id="na"),
        # Python's float() accepts these; registry numbers never mean them.
        pytest.param("nan", None, None, id="nan"),
        pytest.param("inf", None, None, id="inf"),
        pytest.param("1e999", None, None, id="overflow"),
        pytest.param(True, None, None, id="bool"),
        pytest.param(5, None, None, id="not-text"),
    ],
)
def test_number_parsing(raw: Any, as_int: int | None, as_float: float | None) -> None:
    assert to_int(raw) == as_int
    assert to_float(raw) == as_float


def test_outcome_class_denoms_get_scope_class(outcome_counts: list[Row]) -> None:
    rows = [r for r in outcome_counts if r["scope"] == "Class"]
    assert len(rows) == 846
    assert all(r["class_ordinal"] >= 0 for r in rows)
    assert sum(r["classification"] is not None for r in rows) > 0
    measure = [r for r in outcome_counts if r["scope"] == "Measure"]
    assert len(measure) == 773
    assert {(r["class_ordinal"], r["classification"]) for r in measure} == {(-1, None)}


def test_rows_are_deterministic(sample_studies: dict[str, Record]) -> None:
    study = sample_studies[RICH]
    again = orjson.loads(orjson.dumps(study))
    first = table_rows(tables.TABLES, {RICH: study})[0]
    assert first == table_rows(tables.TABLES, {RICH: again})[0]


def test_stable_ids_equal_stable_id() -> None:
    # stable_ids joins the key parts in Arrow; the ids must stay those of `stable_id`.
    nct = pa.array(["NCT02397473", None, "NCT0000000é", "NCT1"])
    position = pa.array([0, -1, None, 2**40], pa.int64())
    parts = ("result_groups", nct, "Outcome", NO_POSITION, None, position)
    rows = zip(*(p.to_pylist() if isinstance(p, pa.Array) else [p] * 4 for p in parts), strict=True)
    assert stable_ids(*parts).to_pylist() == [stable_id(*row) for row in rows]
    assert stable_ids("t", pa.array([], pa.string())).to_pylist() == []


def test_nonempty_objects() -> None:
    # What `if get_dict(...)` tested: an object with a value or a list (even empty) is given.
    objects = pa.array(
        [{"a": 1}, None, {}, {"b": []}, {"a": None, "b": None}],
        pa.struct([("a", pa.int64()), ("b", pa.list_(pa.int64()))]),
    )
    assert nonempty(objects).to_pylist() == [True, False, False, True, False]
