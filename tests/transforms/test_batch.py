"""transforms/batch.py: rows at each depth of a batch; tables never lose a value silently."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from schemas.study.arrow import study_arrow_type
from schemas.tables import sites, studies
from tests.support.tables import table_rows
from transforms.batch import Level, study_level, table_of
from transforms.columns import mapped, per_value

Record = dict[str, Any]

_LOCATIONS = "protocolSection.contactsLocationsModule.locations"


def _study(locations: Any, nct_id: str = "NCT00000001") -> Record:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id},
            "contactsLocationsModule": {"locations": locations},
        }
    }


def _level(*records: Record, strict: frozenset[str] = frozenset()) -> Level:
    pairs = [(r["protocolSection"]["identificationModule"]["nctId"], r) for r in records]
    level, _ = study_level(pairs, strict)
    return level


def test_items_keep_their_positions_and_their_study() -> None:
    level = _level(
        _study([{"city": "A"}, None, {"city": "C"}], "NCT00000001"),
        _study([], "NCT00000002"),
        _study([{"city": "D"}], "NCT00000003"),
    )
    sites_ = level.each(_LOCATIONS)
    assert sites_.nct_id.to_pylist() == ["NCT00000001", "NCT00000001", "NCT00000003"]
    assert sites_.ordinal.to_pylist() == [0, 2, 0]  # the null item gives no row, keeps its place
    assert sites_.field("city").to_pylist() == ["A", "C", "D"]
    kept = level.each(_LOCATIONS, keep_nulls=True)
    assert kept.ordinal.to_pylist() == [0, 1, 2, 0]


def test_nested_lists_carry_every_position() -> None:
    level = _level(
        _study([{"contacts": [{"name": "x"}, {"name": "y"}]}, {"contacts": [{"name": "z"}]}])
    )
    contacts = level.each(_LOCATIONS).each("contacts")
    assert [o.to_pylist() for o in contacts.ordinals] == [[0, 0, 1], [0, 1, 0]]
    assert contacts.field("name").to_pylist() == ["x", "y", "z"]


def test_a_field_below_a_missing_object_is_null() -> None:
    level = _level(_study([{"geoPoint": {"lat": 1.5}}, {"city": "B"}]))
    assert level.each(_LOCATIONS).field("geoPoint.lat").to_pylist() == [1.5, None]
    assert level.field("protocolSection.statusModule.overallStatus").to_pylist() == [None]


def test_wrong_types_in_a_strict_record_are_nulled_and_reported() -> None:
    record = _study([{"city": 5, "geoPoint": {"lat": "north"}}, "not a site", {"city": "C"}])
    level, issues = study_level([("NCT00000001", record)], frozenset({"NCT00000001"}))
    assert level.each(_LOCATIONS).field("city").to_pylist() == [None, "C"]
    # The non-object item is no column's value: the drift check reports it.
    assert sorted((i.table, i.column, i.value) for i in issues) == [
        ("ctgov.facilities", "city", "5"),
        ("ctgov.facilities", "latitude", "'north'"),
    ]


def test_a_record_the_drift_check_missed_is_made_to_conform_alone() -> None:
    good = _study([{"city": "A"}], "NCT00000001")
    bad = _study([{"city": ["a", "list"]}], "NCT00000002")
    level, issues = study_level([("NCT00000001", good), ("NCT00000002", bad)])
    assert level.each(_LOCATIONS).field("city").to_pylist() == ["A", None]
    assert [(i.nct_id, i.column) for i in issues] == [("NCT00000002", "city")]


def test_an_integer_too_big_for_its_column_is_reported_not_fatal() -> None:
    record = _study([{"city": "A"}])
    record["protocolSection"]["designModule"] = {"enrollmentInfo": {"count": 3_000_000_000}}
    got, issues = table_rows([studies.STUDIES, sites.FACILITIES], {"NCT00000001": record})
    assert got["studies"][0]["enrollment"] is None
    assert got["facilities"][0]["city"] == "A"  # the rest of the batch is built
    assert {(i.column, i.value) for i in issues} >= {("enrollment", "3000000000")}


def test_table_of_refuses_a_missing_or_unknown_column() -> None:
    with pytest.raises(ValueError, match=r"missing \['removed'\]"):
        table_of(sites.COUNTRIES, 0, {"id": [], "nct_id": [], "ordinal": [], "name": []})
    columns: dict[str, Any] = dict.fromkeys(sites.COUNTRIES.column_names)
    with pytest.raises(ValueError, match="unknown"):
        table_of(sites.COUNTRIES, 0, columns | {"extra": []})


def test_per_value_runs_once_per_distinct_value_null_included() -> None:
    calls: list[Any] = []

    def double(value: Any) -> tuple[Any, ...]:
        calls.append(value)
        return (None if value is None else value * 2, value is None)

    doubled, missing = per_value(double, pa.array([3, 3, None, 4, 3]), (pa.int64(), pa.bool_()))
    assert doubled.to_pylist() == [6, 6, None, 8, 6]
    assert missing.to_pylist() == [False, False, True, False, False]
    assert sorted(calls, key=str) == [3, 4, None]
    upper = mapped(lambda v: v and v.upper(), pa.array(["a", None]), pa.string())
    assert upper.to_pylist() == ["A", None]


def test_the_record_type_reads_known_extras_but_not_the_repeated_locations() -> None:
    misc = study_arrow_type().field("derivedSection").type.field("miscInfoModule").type
    assert misc.field("modelPredictions").type.field("bmiLimits").type.names == [
        "minBmi",
        "maxBmi",
    ]
    contacts = study_arrow_type().field("protocolSection").type.field("contactsLocationsModule")
    assert "locations_nested" not in contacts.type.names
