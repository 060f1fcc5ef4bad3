"""transforms/arrow_tables.py: rows → Arrow, fast when the rows fit, value by value when not."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.tables import sites
from transforms.arrow_tables import TypeIssue, arrow_table

Record = dict[str, Any]


def _facility(position: int, values: dict[str, Any] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": 100 + position, "nct_id": "NCT00000001", "ordinal": position}
    return row | {"name": f"Site {position}", "latitude": 1.5, "longitude": -2.5} | (values or {})


def test_schema_is_the_declared_one() -> None:
    converted, _ = arrow_table(sites.FACILITIES, [_facility(0)])
    assert converted.schema.equals(sites.FACILITIES.arrow_schema(), check_metadata=True)


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        pytest.param({"latitude": "north"}, "latitude", id="text-in-float"),  # real drift shape
        pytest.param({"name": ["a", "b"]}, "name", id="list-in-text"),
        pytest.param({"ordinal": 2**40}, "ordinal", id="overflow-int32"),
    ],
)
def test_a_value_that_does_not_fit_is_nulled_and_reported(bad: dict[str, Any], column: str) -> None:
    rows = [_facility(0), _facility(1, bad), _facility(2)]
    converted, issues = arrow_table(sites.FACILITIES, rows)
    assert [(i.table, i.column, i.nct_id) for i in issues] == [
        ("ctgov.facilities", column, "NCT00000001")
    ]
    assert isinstance(issues[0], TypeIssue)
    values = converted.column(column).to_pylist()
    assert values[1] is None
    assert values[0] is not None and values[2] is not None  # the rest of the column survives
    assert converted.column("name").to_pylist()[0] == "Site 0"


def test_missing_keys_are_nulls_and_unknown_keys_are_ignored() -> None:
    rows = [
        {"id": 1, "nct_id": "NCT00000001", "ordinal": 0},
        _facility(1, {"not_a_column": "ignored"}),
    ]
    converted, issues = arrow_table(sites.FACILITIES, rows)
    assert issues == []
    assert converted.column("city").to_pylist() == [None, None]
    assert converted.column("name").to_pylist() == [None, "Site 1"]
    assert "not_a_column" not in converted.column_names


def test_no_rows_give_an_empty_table_of_the_schema() -> None:
    converted, issues = arrow_table(sites.FACILITIES, [])
    assert issues == []
    assert converted.num_rows == 0
    assert converted.schema.equals(sites.FACILITIES.arrow_schema(), check_metadata=True)
