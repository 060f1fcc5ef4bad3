"""The drift walker: what a real record does that the spec does not say, found in one pass."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.damage import mutate
from transforms import drift
from transforms.drift import (
    Drift,
    DriftSummary,
    drift_observations,
    summarize,
    walked_observations,
)

RECORD_2023 = "NCT00841061"  # June 2023: locations_nested, interventionMappedName, modelPredictions
RECORD_2025 = "NCT06008288"  # late 2025: none of the 2023 extras
STATUS = "protocolSection.statusModule"
LOCATIONS = "protocolSection.contactsLocationsModule.locations"

Record = dict[str, Any]


def _copy(record: Record) -> Record:
    return orjson.loads(orjson.dumps(record))


def _kinds(drifts: list[Drift]) -> set[tuple[str, str]]:
    return {(d.path, d.kind) for d in drifts}


@pytest.fixture
def record_2025(sample_studies: dict[str, Any]) -> Record:
    record = _copy(sample_studies[RECORD_2025])
    assert drift_observations(record, RECORD_2025) == []  # the baseline every case edits
    return record


def test_locations_nested_is_a_known_extra_of_2023_records(sample_studies: dict[str, Any]) -> None:
    drifts = drift_observations(sample_studies[RECORD_2023], RECORD_2023)
    nested = [d for d in drifts if d.path.endswith("locations_nested")]
    assert [(d.path, d.kind, d.nct_id) for d in nested] == [
        ("protocolSection.contactsLocationsModule.locations_nested", "known_extra", RECORD_2023)
    ]
    assert "Iowa City" in nested[0].example
    assert _kinds(drifts) == {
        ("protocolSection.contactsLocationsModule.locations_nested", "known_extra"),
        (
            "protocolSection.armsInterventionsModule.interventions[].interventionMappedName",
            "known_extra",
        ),
        ("derivedSection.miscInfoModule.modelPredictions", "known_extra"),
    }


def test_the_sample_only_drifts_by_known_extras(
    sample_studies: dict[str, Any], version_pairs: dict[str, tuple[Record, Record]]
) -> None:
    records = list(sample_studies.items())
    records += [(nct, r) for nct, pair in version_pairs.items() for r in pair]
    drifts = [d for nct, r in records for d in drift_observations(r, nct)]
    assert {d.kind for d in drifts} == {"known_extra"}
    assert {s.path: s.count for s in summarize(drifts)} == {
        "derivedSection.miscInfoModule.modelPredictions": 132,
        "protocolSection.armsInterventionsModule.interventions[].interventionMappedName": 31,
        "protocolSection.contactsLocationsModule.locations_nested": 43,
    }


def _parent_of(record: Record, path: str) -> tuple[Any, str]:
    """The object holding the last key of `path` (its first item where a step says `[]`)."""
    *steps, last = path.split(".")
    target: Any = record
    for step in steps:
        target = target[step.removesuffix("[]")]
        if step.endswith("[]"):
            target = target[0]
    return target, last


def test_injected_unknown_key_and_enum_value_are_found_with_their_paths(
    record_2025: Record,
) -> None:
    status = record_2025["protocolSection"]["statusModule"]
    status["overallStatus"] = "PAUSED"
    status["whyPaused"] = "funding"
    record_2025["protocolSection"]["contactsLocationsModule"]["locations"][0]["floor"] = 3
    assert drift_observations(record_2025, RECORD_2025) == [
        Drift(f"{STATUS}.overallStatus", "unknown_enum", RECORD_2025, "PAUSED"),
        Drift(f"{STATUS}.whyPaused", "unknown_key", RECORD_2025, "funding"),
        Drift(f"{LOCATIONS}[].floor", "unknown_key", RECORD_2025, "3"),
    ]


@pytest.mark.parametrize(
    ("path", "value", "drift_path", "kind"),
    [
        pytest.param(
            "protocolSection.designModule.enrollmentInfo.count",
            "120",
            "protocolSection.designModule.enrollmentInfo.count",
            "type_mismatch",
            id="string-in-integer",
        ),
        pytest.param(
            "protocolSection.designModule.enrollmentInfo.count",
            True,  # Python counts bool as int; JSON does not
            "protocolSection.designModule.enrollmentInfo.count",
            "type_mismatch",
            id="boolean-in-integer",
        ),
        pytest.param(
            "protocolSection.designModule.enrollmentInfo.count",
            120.5,
            "protocolSection.designModule.enrollmentInfo.count",
            "type_mismatch",
            id="float-in-integer",
        ),
        pytest.param(
            f"{STATUS}.startDateStruct.date",
            "2021-13",
            f"{STATUS}.startDateStruct.date",
            "bad_date",
            id="month-13",
        ),
        pytest.param(
            f"{STATUS}.studyFirstSubmitDate",
            "2021-07",  # a PartialDate where the spec gives a full date
            f"{STATUS}.studyFirstSubmitDate",
            "bad_date",
            id="partial-for-full-date",
        ),
        pytest.param(
            f"{STATUS}.statusVerifiedDate",
            20210701,
            f"{STATUS}.statusVerifiedDate",
            "type_mismatch",
            id="number-for-date",
        ),
        pytest.param(
            f"{STATUS}.startDateStruct",
            [{"date": "2021-07"}],
            f"{STATUS}.startDateStruct",
            "type_mismatch",
            id="list-for-object",
        ),
        pytest.param(
            "protocolSection.conditionsModule.conditions",
            "Pancreatic Cancer",
            "protocolSection.conditionsModule.conditions",
            "type_mismatch",
            id="string-for-list",
        ),
        pytest.param(
            "protocolSection.conditionsModule.conditions",
            ["Pancreatic Cancer", None],
            "protocolSection.conditionsModule.conditions[]",
            "type_mismatch",
            id="null-in-string-list",  # the API omits empty values; a null is drift
        ),
        pytest.param(
            "protocolSection.designModule.phases",
            ["PHASE2", "PHASE5"],
            "protocolSection.designModule.phases[]",
            "unknown_enum",
            id="unknown-enum-in-list",
        ),
        pytest.param(
            f"{LOCATIONS}[].geoPoint.lat",
            "41.66",
            f"{LOCATIONS}[].geoPoint.lat",
            "type_mismatch",
            id="string-in-number",
        ),
        pytest.param(
            "protocolSection.identificationModule.nctIdAliases",
            ["NCT123"],
            "protocolSection.identificationModule.nctIdAliases[]",
            "bad_format",
            id="short-nct-alias",
        ),
        pytest.param(
            "protocolSection.eligibilityModule.minimumAge",
            "18 years old",
            "protocolSection.eligibilityModule.minimumAge",
            "bad_format",
            id="age-off-pattern",
        ),
        pytest.param(
            "protocolSection.designModule",
            "interventional",
            "protocolSection.designModule",
            "type_mismatch",
            id="string-for-module",
        ),
        pytest.param(
            "hasResults",
            "false",
            "hasResults",
            "type_mismatch",
            id="string-in-boolean",
        ),
    ],
)
def test_single_departures(
    record_2025: Record, path: str, value: Any, drift_path: str, kind: str
) -> None:
    target, key = _parent_of(record_2025, path)
    target[key] = value
    drifts = drift_observations(record_2025, RECORD_2025)
    assert [(d.path, d.kind, d.nct_id) for d in drifts] == [(drift_path, kind, RECORD_2025)]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(41, id="integer"),  # JSON has one number type: an int is a valid number
        pytest.param(41.5, id="float"),
    ],
)
def test_numbers_accept_integers(record_2025: Record, value: float) -> None:
    record_2025["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"]["lat"] = (
        value
    )
    assert drift_observations(record_2025, RECORD_2025) == []


def test_a_value_of_the_wrong_type_is_not_walked(record_2025: Record) -> None:
    record_2025["protocolSection"]["contactsLocationsModule"]["locations"] = {"unknownKey": 1}
    drifts = drift_observations(record_2025, RECORD_2025)
    assert _kinds(drifts) == {(LOCATIONS, "type_mismatch")}


def test_every_bad_item_of_a_list_is_reported(record_2025: Record) -> None:
    locations = record_2025["protocolSection"]["contactsLocationsModule"]["locations"]
    for location in locations:
        location["status"] = "OPEN"
    locations.append("not a location")
    drifts = drift_observations(record_2025, RECORD_2025)
    assert [d.kind for d in drifts] == ["unknown_enum"] * (len(locations) - 1) + ["type_mismatch"]


def test_the_record_is_not_modified(sample_studies: dict[str, Any]) -> None:
    record = sample_studies[RECORD_2023]
    before = orjson.dumps(record)
    drift_observations(record, RECORD_2023)
    assert orjson.dumps(record) == before


@pytest.mark.parametrize(
    "record",
    [pytest.param([], id="list"), pytest.param("x", id="string"), pytest.param(None, id="null")],
)
def test_a_record_that_is_not_an_object(record: Any) -> None:
    assert [(d.path, d.kind) for d in drift_observations(record, "NCT00000000")] == [
        ("", "type_mismatch")
    ]


def test_long_examples_are_shortened(record_2025: Record) -> None:
    record_2025["protocolSection"]["note"] = "x" * 500
    record_2025["protocolSection"]["notes"] = [{"text": "y" * 500}] * 1000
    examples = [d.example for d in drift_observations(record_2025, RECORD_2025)]
    assert len(examples) == 2
    assert all(len(e) <= 120 for e in examples)
    assert examples[0].startswith("xxx") and examples[0].endswith("...")


def test_summarize_counts_per_path_and_kind_and_keeps_the_first_example() -> None:
    drifts = [
        Drift("a.b", "unknown_enum", "NCT00000001", "X"),
        Drift("a.b", "unknown_enum", "NCT00000002", "Y"),
        Drift("a.c", "unknown_key", "NCT00000002", "1"),
        Drift("a.b", "type_mismatch", "NCT00000003", "2"),
    ]
    assert summarize(drifts) == [
        DriftSummary("a.b", "type_mismatch", 1, "NCT00000003", "2"),
        DriftSummary("a.b", "unknown_enum", 2, "NCT00000001", "X"),
        DriftSummary("a.c", "unknown_key", 1, "NCT00000002", "1"),
    ]
    assert summarize(iter(drifts)) == summarize(drifts)  # any iterable, consumed once
    assert summarize([]) == []


@pytest.fixture(scope="session")
def small_records(sample_studies: dict[str, Any]) -> list[Record]:
    """Sample studies under 8 KB, plus the 2023 record with its known extras."""
    small = [r for _, r in sorted(sample_studies.items()) if len(orjson.dumps(r)) < 8000]
    return [*small, sample_studies[RECORD_2023]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drift_observations_never_raise(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    drifts = drift_observations(record, "NCT00000000")
    assert all(isinstance(d.example, str) and d.path is not None for d in drifts)
    assert summarize(drifts) == summarize(list(drifts))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_native_check_passes_exactly_the_records_the_walk_finds_clean(
    small_records: list[Record], data: st.DataObject
) -> None:
    """A record the JSON Schema check lets through is never walked, so it must have no drift."""
    record = data.draw(st.sampled_from(small_records))
    if data.draw(st.booleans()):
        record = mutate(record, data)
    walked = walked_observations(record, "NCT00000000")
    assert drift_observations(record, "NCT00000000") == walked


def test_the_native_check_agrees_with_the_walk_on_every_sample_record(
    sample_studies: dict[str, Any],
) -> None:
    for nct_id, record in sample_studies.items():
        assert drift_observations(record, nct_id) == walked_observations(record, nct_id)
    # The native check is the path normally taken: it passes every record in which the walk finds
    # nothing but known extras, including the 2023 records that carry them.
    plain = [
        r
        for n, r in sample_studies.items()
        if all(d.kind == "known_extra" for d in walked_observations(r, n))
    ]
    assert any(walked_observations(r, "x") for r in plain)
    assert all(drift._conforms(record) for record in plain)
