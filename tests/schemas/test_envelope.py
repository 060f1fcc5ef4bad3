"""The envelope: which records are usable at all, and a specific one-line reason for the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.study.envelope import Envelope, envelope_problem
from tests.support.damage import mutate

RECORD = "NCT00841061"  # a complete 2023 record with every protocol module the tests touch

Record = dict[str, Any]


def _copy(record: Record) -> Record:
    return orjson.loads(orjson.dumps(record))


def _set(path: str, value: Any) -> Callable[[Record], None]:
    *parents, last = path.split(".")

    def edit(record: Record) -> None:
        target = record
        for key in parents:
            target = target[key]
        target[last] = value

    return edit


def _drop(path: str) -> Callable[[Record], None]:
    *parents, last = path.split(".")

    def edit(record: Record) -> None:
        target = record
        for key in parents:
            target = target[key]
        del target[last]

    return edit


ID = "protocolSection.identificationModule"
CURSOR = "protocolSection.statusModule.lastUpdatePostDateStruct"


def test_every_sample_study_is_usable(
    sample_studies: dict[str, Any], version_pairs: dict[str, tuple[Record, Record]]
) -> None:
    records = [*sample_studies.values(), *(r for pair in version_pairs.values() for r in pair)]
    assert len(records) == 688
    assert {envelope_problem(r) for r in records} == {None}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        pytest.param(_drop(f"{ID}.nctId"), f"{ID}.nctId missing", id="nct-id-missing"),
        pytest.param(
            _set(f"{ID}.nctId", "XYZ"),
            f"{ID}.nctId 'XYZ' is not an NCT id (NCT + 8 digits)",
            id="nct-id-malformed",
        ),
        pytest.param(
            # The API's query pattern accepts NCT123, but a record's nctId is the spec's 11-char
            # `nct`; a short id means the record was altered (see the envelope module docstring).
            _set(f"{ID}.nctId", "NCT123"),
            f"{ID}.nctId 'NCT123' is not an NCT id (NCT + 8 digits)",
            id="nct-id-short-form",
        ),
        pytest.param(
            _set(f"{ID}.nctId", "nct00841061"),
            f"{ID}.nctId 'nct00841061' is not an NCT id (NCT + 8 digits)",
            id="nct-id-lower-case",
        ),
        pytest.param(
            _set(f"{ID}.nctId", 841061),
            f"{ID}.nctId is a number, expected a string",
            id="nct-id-number",
        ),
        pytest.param(_drop(ID), f"{ID} missing", id="identification-module-missing"),
        pytest.param(_drop("protocolSection"), "protocolSection missing", id="protocol-missing"),
        pytest.param(
            _set("protocolSection", None),
            "protocolSection is null, expected an object",
            id="protocol-null",
        ),
        pytest.param(
            _set("protocolSection.statusModule", ["COMPLETED"]),
            "protocolSection.statusModule is a list, expected an object",
            id="module-is-a-list",
        ),
        pytest.param(
            _set("protocolSection.eligibilityModule", "18 Years"),
            "protocolSection.eligibilityModule is a string, expected an object",
            id="module-is-a-string",
        ),
        pytest.param(
            _set("derivedSection", []),
            "derivedSection is a list, expected an object",
            id="section-is-a-list",
        ),
        pytest.param(
            _set("derivedSection.miscInfoModule", 3),
            "derivedSection.miscInfoModule is a number, expected an object",
            id="derived-module-is-a-number",
        ),
        pytest.param(
            _set("resultsSection", {"adverseEventsModule": []}),
            "resultsSection.adverseEventsModule is a list, expected an object",
            id="results-module-is-a-list",
        ),
        pytest.param(
            _set(f"{CURSOR}.date", "not-a-date"),
            f"{CURSOR}.date 'not-a-date' is not a yyyy-MM-dd date",
            id="cursor-date-not-a-date",
        ),
        pytest.param(
            _set(f"{CURSOR}.date", "2023-02-30"),
            f"{CURSOR}.date '2023-02-30' is not a yyyy-MM-dd date",
            id="cursor-date-no-such-day",
        ),
        pytest.param(
            # The cursor must be a full day; a partial date would move it to the 1st.
            _set(f"{CURSOR}.date", "2023-06"),
            f"{CURSOR}.date '2023-06' is not a yyyy-MM-dd date",
            id="cursor-date-partial",
        ),
        pytest.param(
            _set(CURSOR, "2023-06-20"),
            f"{CURSOR} is a string, expected an object",
            id="cursor-struct-is-a-string",
        ),
    ],
)
def test_unusable_records_get_a_specific_reason(
    sample_studies: dict[str, Any], edit: Callable[[Record], None], reason: str
) -> None:
    record = _copy(sample_studies[RECORD])
    edit(record)
    assert envelope_problem(record) == reason


@pytest.mark.parametrize(
    "edit",
    [
        # Absent is normal: the API omits empty modules, so none of these makes a record unusable.
        pytest.param(_drop("protocolSection.statusModule"), id="no-status-module"),
        pytest.param(_drop(CURSOR), id="no-cursor"),
        pytest.param(_drop("derivedSection"), id="no-derived-section"),
        pytest.param(_drop("hasResults"), id="no-has-results"),
        pytest.param(_set("protocolSection.designModule", None), id="null-module"),
        pytest.param(_set("protocolSection.newModule", []), id="unknown-module"),
        pytest.param(_set("protocolSection.statusModule.overallStatus", 7), id="bad-leaf"),
    ],
)
def test_records_missing_optional_parts_are_usable(
    sample_studies: dict[str, Any], edit: Callable[[Record], None]
) -> None:
    record = _copy(sample_studies[RECORD])
    edit(record)
    assert envelope_problem(record) is None


def test_a_minimal_record_is_usable() -> None:
    assert (
        envelope_problem({"protocolSection": {"identificationModule": {"nctId": "NCT00000102"}}})
        is None
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        pytest.param([], "record is a list, expected a JSON object", id="list"),
        pytest.param("NCT00000102", "record is a string, expected a JSON object", id="string"),
        pytest.param(None, "record is null, expected a JSON object", id="null"),
        pytest.param({}, "protocolSection missing", id="empty-object"),
    ],
)
def test_records_that_are_not_objects(record: object, reason: str) -> None:
    assert envelope_problem(record) == reason


def test_envelope_model_names_every_section() -> None:
    assert list(Envelope.model_fields) == [
        "protocolSection",
        "resultsSection",
        "annotationSection",
        "documentSection",
        "derivedSection",
    ]


@pytest.fixture(scope="session")
def small_records(sample_studies: dict[str, Any]) -> list[Record]:
    """Sample studies under 8 KB: every shape of module, cheap to copy in a property test."""
    return [r for _, r in sorted(sample_studies.items()) if len(orjson.dumps(r)) < 8000]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_envelope_problem_never_raises(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    problem = envelope_problem(record)
    assert problem is None or (problem and "\n" not in problem)
