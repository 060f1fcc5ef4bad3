"""The Study models: generated from the spec, complete, tolerant, and lossless on real records."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from pydantic import ValidationError

from schemas.study import _generate
from schemas.study.enums import ENUMS, Phase, Status
from schemas.study.fields import CalendarDate, DateTimeMinutes, PartialDate
from schemas.study.models import MODELS, Study
from schemas.study.protocol import Organization

STUDY_DIR = Path(_generate.__file__).parent
RECORD_2023 = "NCT00841061"  # served June 2023: locations_nested, modelPredictions


@pytest.fixture(scope="session")
def spec_dir(sample_dir: Path) -> Path:
    return sample_dir / "spec"


@pytest.fixture(scope="session")
def oas(spec_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((spec_dir / _generate.SPEC_NAME).read_text())["components"]["schemas"]


def _reachable_objects(oas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Object schemas reachable from Study, found here independently of the generator."""
    found: dict[str, dict[str, Any]] = {}
    todo = ["Study"]
    while todo:
        name = todo.pop()
        schema = oas[name]
        if name in found or "properties" not in schema:
            continue
        found[name] = schema
        for prop in schema["properties"].values():
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            if ref:
                todo.append(ref.rsplit("/", 1)[-1])
    return found


def _validation_failures(records: dict[str, Any]) -> dict[str, str]:
    failures = {}
    for name, record in records.items():
        try:
            dumped = Study.model_validate(record).model_dump(mode="json", exclude_unset=True)
        except ValidationError as exc:
            failures[name] = str(exc)[:300]
            continue
        if dumped != record:
            failures[name] = "dump differs from the input"
    return failures


def test_checked_in_modules_are_what_the_spec_generates(spec_dir: Path) -> None:
    generated = _generate.render(_generate.load_spec(spec_dir))
    assert set(generated) == {
        "enums.py",
        "common.py",
        "protocol.py",
        "results.py",
        "annotation.py",
        "document.py",
        "derived.py",
        "models.py",
    }
    stale = [n for n, text in generated.items() if (STUDY_DIR / n).read_text() != text]
    assert stale == [], "run `python -m schemas.study._generate` and commit the result"


def test_every_complete_study_validates_and_dumps_back_unchanged(
    sample_studies: dict[str, Any],
) -> None:
    # Lossless: unknown keys are kept, raw date texts and enum values are dumped as received.
    assert len(sample_studies) == 670
    assert _validation_failures(sample_studies) == {}


def test_every_captured_version_validates_and_dumps_back_unchanged(
    version_pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    records = {f"{nct}.v{i}": v for nct, pair in version_pairs.items() for i, v in enumerate(pair)}
    assert len(records) == 18
    assert _validation_failures(records) == {}


def test_partial_records_validate(sample_dir: Path) -> None:
    # `fields=` answers carry a few modules only; every field being optional makes them valid.
    records = {
        p.name: orjson.loads(p.read_bytes()) for p in (sample_dir / "partial").glob("*.json")
    }
    assert len(records) > 100
    assert _validation_failures(records) == {}


def test_a_model_for_every_object_schema_reachable_from_study(oas: dict[str, Any]) -> None:
    expected = _reachable_objects(oas)
    assert len(expected) == len(MODELS) == 83
    assert set(MODELS) == set(expected)
    for name, model in MODELS.items():
        assert model.__name__ == name
        fields = {info.alias or attr for attr, info in model.model_fields.items()}
        assert fields == set(expected[name]["properties"]), name


def test_enum_classes_are_the_spec_enums_the_study_uses(spec_dir: Path) -> None:
    listed = json.loads((spec_dir / "enums-from-oas-2.0.5.json").read_text())["enums"]
    # FieldStatsType belongs to the /stats responses, not to the Study record.
    used = {name: e["values"] for name, e in listed.items() if name != "FieldStatsType"}
    assert {name: [m.value for m in cls] for name, cls in ENUMS.items()} == used


def test_unknown_keys_are_kept_as_extras(sample_studies: dict[str, Any]) -> None:
    study = Study.model_validate(sample_studies[RECORD_2023])
    assert study.protocolSection is not None and study.derivedSection is not None
    contacts = study.protocolSection.contactsLocationsModule
    misc = study.derivedSection.miscInfoModule
    assert contacts is not None and misc is not None
    assert set(contacts.model_extra or {}) == {"locations_nested"}
    assert (misc.model_extra or {})["modelPredictions"] == {
        "bmiLimits": {"minBmi": 0, "maxBmi": 101}
    }


def test_unknown_enum_values_validate_and_stay_text(sample_studies: dict[str, Any]) -> None:
    record = copy.deepcopy(sample_studies[RECORD_2023])
    record["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"
    record["protocolSection"]["designModule"]["phases"] = ["PHASE2", "PHASE5"]
    study = Study.model_validate(record)
    assert study.protocolSection is not None
    status = study.protocolSection.statusModule
    design = study.protocolSection.designModule
    assert status is not None and design is not None
    assert status.overallStatus == "PAUSED_FOR_REVIEW"
    assert type(status.overallStatus) is str
    assert design.phases == ["PHASE2", "PHASE5"]
    assert design.phases[0] is Phase.PHASE2  # known values become members
    assert type(design.phases[1]) is str


def test_known_enum_values_are_members_that_equal_their_text(
    sample_studies: dict[str, Any],
) -> None:
    study = Study.model_validate(sample_studies[RECORD_2023])
    assert study.protocolSection is not None and study.protocolSection.statusModule is not None
    status = study.protocolSection.statusModule.overallStatus
    assert isinstance(status, Status)
    assert status == sample_studies[RECORD_2023]["protocolSection"]["statusModule"]["overallStatus"]


def test_class_property_is_reached_as_class_underscore() -> None:
    org = Organization.model_validate({"fullName": "Sangath", "class": "OTHER"})
    assert org.class_ == "OTHER"
    assert org.model_dump() == {"fullName": "Sangath", "class": "OTHER"}
    assert Organization(fullName="x", class_="NIH").model_dump()["class"] == "NIH"


def test_a_bad_date_validates_and_says_it_is_not_a_date(sample_studies: dict[str, Any]) -> None:
    record = copy.deepcopy(sample_studies[RECORD_2023])
    record["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2021-13"
    study = Study.model_validate(record)
    assert study.protocolSection is not None and study.protocolSection.statusModule is not None
    start = study.protocolSection.statusModule.startDateStruct
    assert start is not None and start.date == "2021-13"
    assert isinstance(start.date, PartialDate)
    assert (start.date.date, start.date.precision, start.date.is_valid) == (None, None, False)


def test_a_module_of_the_wrong_json_type_fails_validation(sample_studies: dict[str, Any]) -> None:
    # Tolerance covers unknown keys and values, not structure: the envelope quarantines this.
    record = copy.deepcopy(sample_studies[RECORD_2023])
    record["protocolSection"]["statusModule"] = ["COMPLETED"]
    with pytest.raises(ValidationError):
        Study.model_validate(record)


@pytest.mark.parametrize(
    ("raw", "date", "precision"),
    [
        pytest.param("2021", dt.date(2021, 1, 1), "year", id="year"),  # allowed by the spec
        pytest.param("2012-09", dt.date(2012, 9, 1), "month", id="month"),  # common in real data
        pytest.param("2018-08-20", dt.date(2018, 8, 20), "day", id="day"),
        pytest.param("2024-02-29", dt.date(2024, 2, 29), "day", id="leap-day"),
        pytest.param("2021-13", None, None, id="month-13"),  # right shape, no such month
        pytest.param("2023-02-29", None, None, id="not-a-leap-year"),
        pytest.param("2021-7", None, None, id="unpadded-month"),
        pytest.param("July 2021", None, None, id="classic-api-text"),
        pytest.param("2021\n", None, None, id="trailing-newline"),  # `$` would match before it
        pytest.param("٢٠٢١", None, None, id="arabic-indic-digits"),  # `\d` without re.ASCII
        pytest.param("", None, None, id="empty"),
    ],
)
def test_partial_date(raw: str, date: dt.date | None, precision: str | None) -> None:
    value = PartialDate(raw)
    assert value == raw
    assert (value.date, value.precision, value.is_valid) == (date, precision, date is not None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2019-05-07", dt.date(2019, 5, 7), id="date"),
        pytest.param("2019-05", None, id="partial-date-is-not-a-date"),
        pytest.param("2019-02-30", None, id="no-such-day"),
        pytest.param("20190507", None, id="compact-iso"),  # fromisoformat would accept it
    ],
)
def test_calendar_date(raw: str, expected: dt.date | None) -> None:
    assert CalendarDate(raw).date == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2019-05-16T06:59", dt.datetime(2019, 5, 16, 6, 59), id="upload-date"),
        pytest.param("2019-05-16T24:00", None, id="hour-24"),
        pytest.param("2019-05-16T06:59:00", None, id="seconds"),
        pytest.param("2019-05-16", None, id="date-only"),
    ],
)
def test_datetime_minutes(raw: str, expected: dt.datetime | None) -> None:
    assert DateTimeMinutes(raw).datetime == expected


def test_date_texts_dump_as_plain_strings(sample_studies: dict[str, Any]) -> None:
    study = Study.model_validate(sample_studies[RECORD_2023])
    dumped = study.model_dump_json(exclude_unset=True)
    assert orjson.loads(dumped) == sample_studies[RECORD_2023]
