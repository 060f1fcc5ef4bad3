from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas.tables.annotations as tables
from schemas.study.paths import leaf_specs
from schemas.table import Table
from tests.support.damage import mutate
from tests.support.tables import table_rows
from transforms.annotations import TABLE_BUILDERS

Record = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]

UNPOSTED = "NCT00399243"  # 10 unposted events (5 RELEASE/RESET cycles) since 2010
VIOLATIONS = "NCT03064438"  # two FDAAA violation events
MCP_N = "NCT04948307"  # submissionInfos numbered 8, 9, 10; no annotation section
FIRST_MCP = "NCT03608150"  # only firstMcpInfo.postDateStruct

_ANNOTATION = "annotationSection.annotationModule"
_TRACKING = "derivedSection.miscInfoModule.submissionTracking"
# (table, path of the list it flattens); only object items give rows
LIST_SPECS: list[tuple[Table, str]] = [
    (tables.PENDING_RESULTS, f"{_ANNOTATION}.unpostedAnnotation.unpostedEvents"),
    (tables.VIOLATION_EVENTS, f"{_ANNOTATION}.violationAnnotation.violationEvents"),
    (tables.SUBMISSION_INFOS, f"{_TRACKING}.submissionInfos"),
]
LISTS = [pytest.param(table, path, id=table.name) for table, path in LIST_SPECS]
TRACKING_LEAVES = (
    f"{_ANNOTATION}.unpostedAnnotation.unpostedResponsibleParty",
    f"{_TRACKING}.estimatedResultsFirstSubmitDate",
    f"{_TRACKING}.firstMcpInfo.postDateStruct.date",
    f"{_TRACKING}.firstMcpInfo.postDateStruct.type",
)


def _dig(value: Any, path: str) -> Any:
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _objects(study: Record, path: str) -> int:
    value = _dig(study, path)
    return sum(isinstance(v, dict) for v in value) if isinstance(value, list) else 0


def _tracked(study: Record) -> bool:
    """Whether the record gives any tracking fact (all are text; another type is made null)."""
    return any(isinstance(_dig(study, leaf), str) for leaf in TRACKING_LEAVES)


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[Any]]:
    return table_rows(tables.TABLES, sample_studies)


@pytest.fixture(scope="module")
def rows(built: tuple[Rows, list[Any]]) -> Rows:
    return built[0]


def _of(rows: Rows, table: str, nct: str) -> list[dict[str, Any]]:
    return [r for r in rows[table] if r["nct_id"] == nct]


def test_builders_cover_every_declared_table() -> None:
    assert set(TABLE_BUILDERS) == set(tables.TABLES)


@pytest.mark.parametrize(("table", "path"), LISTS)
def test_one_row_per_list_item(
    sample_studies: dict[str, Record], rows: Rows, table: Table, path: str
) -> None:
    per_study: dict[str, list[int]] = {}
    for r in rows[table.name]:
        per_study.setdefault(r["nct_id"], []).append(r["ordinal"])
    for nct, study in sample_studies.items():
        assert per_study.get(nct, []) == list(range(_objects(study, path))), nct
    assert rows[table.name]


def test_one_tracking_row_per_study_with_any_tracking_fact(
    sample_studies: dict[str, Record], rows: Rows
) -> None:
    expected = {nct for nct, study in sample_studies.items() if _tracked(study)}
    got = [r["nct_id"] for r in rows["submission_tracking"]]
    assert sorted(got) == sorted(expected)
    assert len(got) == 16


def test_sample_totals(rows: Rows) -> None:
    assert {name: len(r) for name, r in rows.items()} == {
        "pending_results": 30,
        "violation_events": 2,
        "submission_infos": 20,
        "submission_tracking": 16,
    }


def test_unposted_events(rows: Rows) -> None:
    events = _of(rows, "pending_results", UNPOSTED)
    assert [(r["event"], r["event_date"]) for r in events[:3]] == [
        ("RELEASE", dt.date(2010, 11, 1)),
        ("RESET", dt.date(2010, 12, 1)),
        ("RELEASE", dt.date(2012, 4, 2)),
    ]
    assert events[-1] | {"id": None} == {
        "id": None,
        "nct_id": UNPOSTED,
        "ordinal": 9,
        "event": "RESET",
        "event_date_description": "2023-03-10",
        "event_date": dt.date(2023, 3, 10),
        "date_unknown": None,
    }
    [tracking] = _of(rows, "submission_tracking", UNPOSTED)
    assert tracking | {"id": None} == {
        "id": None,
        "nct_id": UNPOSTED,
        "unposted_responsible_party": "Diamond Headache Clinic",
        "estimated_results_first_submit_date": dt.date(2010, 11, 1),
        "first_mcp_post_date": None,
        "first_mcp_post_date_type": None,
    }
    infos = _of(rows, "submission_infos", UNPOSTED)
    assert [(r["release_date"], r["reset_date"]) for r in infos] == [
        (e["event_date"], r["event_date"]) for e, r in zip(events[::2], events[1::2], strict=True)
    ]  # the two lists tell the same RELEASE/RESET story


def test_violation_events(rows: Rows) -> None:
    events = _of(rows, "violation_events", VIOLATIONS)
    assert events[0] | {"id": None} == {
        "id": None,
        "nct_id": VIOLATIONS,
        "ordinal": 0,
        "type": "CORRECTION_CONFIRMED",
        "description": "The responsible party has corrected the violation.",
        "creation_date": dt.date(2022, 6, 6),
        "issued_date": dt.date(2022, 5, 26),
        "release_date": dt.date(2021, 8, 17),
        "posted_date": dt.date(2022, 6, 7),
    }
    assert events[1]["type"] == "VIOLATION_IDENTIFIED"
    assert events[1]["description"].startswith("Failure to Submit. The entry")


def test_submission_infos_and_first_mcp(rows: Rows) -> None:
    infos = _of(rows, "submission_infos", MCP_N)
    assert [(r["ordinal"], r["mcp_release_n"], r["release_date"]) for r in infos] == [
        (0, 8, dt.date(2024, 5, 6)),
        (1, 9, dt.date(2024, 6, 20)),
        (2, 10, dt.date(2024, 7, 31)),
    ]
    assert {r["unrelease_date"] for r in infos} == {None}
    [tracking] = _of(rows, "submission_tracking", FIRST_MCP)
    assert (
        tracking["unposted_responsible_party"],
        tracking["first_mcp_post_date"],
        tracking["first_mcp_post_date_type"],
    ) == (None, dt.date(2022, 4, 29), "ACTUAL")


def test_hand_written_unknown_dates() -> None:
    # The sample has no dateUnknown / unreleaseDate / unreleaseDateUnknown: a hand-written record.
    study = {
        "annotationSection": {
            "annotationModule": {
                "unpostedAnnotation": {
                    "unpostedEvents": [{"type": "UNRELEASE", "dateUnknown": True}]
                }
            }
        },
        "derivedSection": {
            "miscInfoModule": {
                "submissionTracking": {
                    "submissionInfos": [
                        {"releaseDate": "2024-01-02", "unreleaseDateUnknown": True},
                        {"releaseDate": "2024-02", "unreleaseDate": "2024-03-04"},
                    ]
                }
            }
        },
    }
    got, _ = table_rows(tables.TABLES, {"NCT00000001": study})
    [event] = got["pending_results"]
    assert (event["event"], event["event_date"], event["date_unknown"]) == ("UNRELEASE", None, True)
    infos = got["submission_infos"]
    assert [
        (r["release_date"], r["unrelease_date"], r["unrelease_date_unknown"]) for r in infos
    ] == [
        (dt.date(2024, 1, 2), None, True),
        (None, dt.date(2024, 3, 4), None),  # a month where the spec wants a day is not a date
    ]
    assert got["submission_tracking"] == []


def test_sample_values_all_fit_their_columns(built: tuple[Rows, list[Any]]) -> None:
    assert built[1] == []


def test_ids_are_unique(rows: Rows) -> None:
    all_ids = [r["id"] for table_rows in rows.values() for r in table_rows]
    assert len(set(all_ids)) == len(all_ids)


# Row counts in table order: pending results, violation events, submission infos, tracking.
@pytest.mark.parametrize(
    ("study", "counts"),
    [
        pytest.param({"annotationSection": "x"}, (0, 0, 0, 0), id="section-is-text"),
        pytest.param(
            {"annotationSection": {"annotationModule": {"unpostedAnnotation": []}}},
            (0, 0, 0, 0),
            id="annotation-is-a-list",
        ),
        pytest.param(
            {"derivedSection": {"miscInfoModule": {"submissionTracking": {"firstMcpInfo": 3}}}},
            (0, 0, 0, 0),
            id="first-mcp-not-an-object",
        ),
        pytest.param(
            {
                "derivedSection": {
                    "miscInfoModule": {
                        "submissionTracking": {"submissionInfos": [None, {"mcpReleaseN": "8"}]}
                    }
                }
            },
            (0, 0, 1, 0),
            id="junk-info-items",  # the null item keeps its position and gives no row
        ),
    ],
)
def test_malformed_modules(study: Record, counts: tuple[int, ...]) -> None:
    got, _ = table_rows(tables.TABLES, {"NCT00000001": study})
    assert tuple(len(got[table.name]) for table in tables.TABLES) == counts


def test_junk_leaf_is_reported() -> None:
    study = {
        "derivedSection": {
            "miscInfoModule": {"submissionTracking": {"submissionInfos": [{"mcpReleaseN": "8"}]}}
        }
    }
    for strict in (False, True):  # found by the conversion, or made to conform up front
        got, issues = table_rows([tables.SUBMISSION_INFOS], {"NCT00000001": study}, strict=strict)
        assert [(i.column, i.value) for i in issues] == [("mcp_release_n", "'8'")]
        assert [(r["ordinal"], r["mcp_release_n"]) for r in got["submission_infos"]] == [(0, None)]


# --- property test: transforms never raise on damaged records ------------------------------------


@pytest.fixture(scope="module")
def small_records(sample_studies: dict[str, Record]) -> list[Record]:
    """The sample studies with annotations or submission tracking, cut to those two parts."""
    small = []
    for study in sample_studies.values():
        tracking = _dig(study, _TRACKING)
        if "annotationSection" in study or tracking:
            small.append(
                {
                    "annotationSection": study.get("annotationSection", {}),
                    "derivedSection": {"miscInfoModule": {"submissionTracking": tracking or {}}},
                }
            )
    assert len(small) >= 15
    return small


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_transforms_never_raise(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    got, _ = table_rows(tables.TABLES, {"NCT00000001": record})  # may report issues, never raises
    for list_table, path in LIST_SPECS:
        assert len(got[list_table.name]) == _objects(record, path)
    assert len(got["submission_tracking"]) == _tracked(record)


def test_tables_load_into_duckdb(rows: Rows) -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())  # primary keys enforced; `type` works unquoted
        con.register("_rows", pa.Table.from_pylist(rows[table.name], schema=table.arrow_schema()))
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    got = con.execute(
        "SELECT v.type, t.estimated_results_first_submit_date IS NULL "
        "FROM ctgov.violation_events v LEFT JOIN ctgov.submission_tracking t USING (nct_id) "
        "ORDER BY v.ordinal"
    ).fetchall()
    assert got == [("CORRECTION_CONFIRMED", True), ("VIOLATION_IDENTIFIED", True)]


def test_every_spec_leaf_of_the_family_has_a_column() -> None:
    prefixes = ("annotationSection.", f"{_TRACKING}.")
    sources = {s for table in tables.TABLES for col in table.columns for s in col.sources}
    spec = leaf_specs()
    assert sources <= set(spec)
    assert {p for p in spec if p.startswith(prefixes)} <= sources
