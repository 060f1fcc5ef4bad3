"""Result-group linkage done right (AACT issue #1209), checked with SQL joins in DuckDB."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from schemas.table import Table
from schemas.tables import results as tables
from tests.support.tables import table_rows
from transforms._ids import stable_id

Record = dict[str, Any]
Rows = dict[Table, list[dict[str, Any]]]

RICH = "NCT02397473"  # outcome 0's OG000 is Placebo, outcome 7's OG000 is Galcanezumab 300mg


@pytest.fixture(scope="module")
def sample_rows(sample_studies: dict[str, Record]) -> Rows:
    rows, issues = table_rows(tables.TABLES, sample_studies)
    assert issues == []  # every sample value fits its column
    return {table: rows[table.name] for table in tables.TABLES}


def _json_groups(sample_studies: dict[str, Record]) -> pa.Table:
    """Every group as the source JSON lists it: (nct, result type, outcome position, code, pos)."""
    rows: list[tuple[str, str, int, Any, int, Any]] = []
    for nct, study in sample_studies.items():
        results = study.get("resultsSection", {})
        modules = (
            ("Participant Flow", results.get("participantFlowModule", {}).get("groups", [])),
            ("Baseline", results.get("baselineCharacteristicsModule", {}).get("groups", [])),
            ("Reported Event", results.get("adverseEventsModule", {}).get("eventGroups", [])),
        )
        contexts = [(kind, -1, groups) for kind, groups in modules]
        outcomes = results.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
        contexts += [("Outcome", o, om.get("groups", [])) for o, om in enumerate(outcomes)]
        for kind, o, groups in contexts:
            rows += [(nct, kind, o, g["id"], i, g["title"]) for i, g in enumerate(groups)]
    names = ["nct_id", "result_type", "outcome_ordinal", "code", "position", "title"]
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])


@pytest.fixture(scope="module")
def con(sample_rows: Rows, sample_studies: dict[str, Record]) -> duckdb.DuckDBPyConnection:
    """The sample's results tables (declared DDL, Arrow rows) plus the JSON's own group list."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())
        con.register("_rows", pa.Table.from_pylist(sample_rows[table], schema=table.arrow_schema()))
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    con.register("_json", _json_groups(sample_studies))
    con.execute("CREATE TABLE json_groups AS SELECT * FROM _json")
    con.unregister("_json")
    return con


# (child table, its result_type, whether its context is one outcome)
LINKED = [
    pytest.param(tables.MILESTONES, "Participant Flow", False, 358, id="milestones"),
    pytest.param(tables.DROP_WITHDRAWALS, "Participant Flow", False, 296, id="drop_withdrawals"),
    pytest.param(tables.BASELINE_COUNTS, "Baseline", False, 130, id="baseline_counts"),
    pytest.param(tables.BASELINE_MEASURE_DENOMS, "Baseline", False, 274, id="bl_measure_denoms"),
    pytest.param(tables.BASELINE_MEASUREMENTS, "Baseline", False, 2158, id="bl_measurements"),
    pytest.param(tables.OUTCOME_COUNTS, "Outcome", True, 1619, id="outcome_counts"),
    pytest.param(tables.OUTCOME_MEASUREMENTS, "Outcome", True, 1811, id="outcome_measurements"),
    pytest.param(tables.OUTCOME_ANALYSIS_GROUPS, "Outcome", True, 140, id="analysis_groups"),
    pytest.param(tables.REPORTED_EVENTS, "Reported Event", False, 7265, id="reported_events"),
    pytest.param(tables.REPORTED_EVENT_TOTALS, "Reported Event", False, 309, id="event_totals"),
]


@pytest.mark.parametrize(("child", "result_type", "per_outcome", "expected"), LINKED)
def test_every_row_links_to_its_own_contexts_group(
    con: duckdb.DuckDBPyConnection, child: Table, result_type: str, per_outcome: bool, expected: int
) -> None:
    outcome = "c.outcome_ordinal" if per_outcome else "-1"
    same_outcome = "rg.outcome_id = c.outcome_id" if per_outcome else "rg.outcome_id IS NULL"
    rows = con.execute(
        f"""
        SELECT count(*),
               count(c.result_group_id),
               count(rg.id),
               count(*) FILTER (
                   WHERE rg.ctgov_group_code = c.ctgov_group_code
                     AND rg.result_type = $result_type
                     AND rg.outcome_ordinal = {outcome}
                     AND {same_outcome}
                     AND rg.ordinal = j.position
                     AND rg.title = j.title
               ),
               count(*) FILTER (WHERE c.result_group_id IS NULL)
        FROM {child.qualified_name} c
        LEFT JOIN ctgov.result_groups rg ON rg.id = c.result_group_id
        LEFT JOIN json_groups j
               ON j.nct_id = c.nct_id AND j.result_type = $result_type
              AND j.outcome_ordinal = {outcome} AND j.code = c.ctgov_group_code
        WHERE c.ctgov_group_code IS NOT NULL
        """,
        {"result_type": result_type},
    ).fetchall()
    total, with_fk, joined, right, unresolved = rows[0]
    # Every row with a code links, the link exists, and it is the JSON's group of the row's
    # own context: same code, result type, outcome, list position and title.
    assert (total, with_fk, joined, right, unresolved) == (
        expected,
        expected,
        expected,
        expected,
        0,
    )


def test_the_json_groups_match_result_groups_one_to_one(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT count(*), count(rg.id) FROM json_groups j
        LEFT JOIN ctgov.result_groups rg
               ON rg.nct_id = j.nct_id AND rg.result_type = j.result_type
              AND rg.outcome_ordinal = j.outcome_ordinal AND rg.ordinal = j.position
              AND rg.ctgov_group_code = j.code
        """
    ).fetchall()
    assert rows == [(1103, 1103)]
    assert con.execute("SELECT count(*) FROM ctgov.result_groups").fetchall() == [(1103,)]


def test_outcome_groups_are_per_outcome_and_carry_outcome_id(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        """
        SELECT count(*), count(DISTINCT rg.id), count(o.id)
        FROM ctgov.result_groups rg
        LEFT JOIN ctgov.outcomes o ON o.id = rg.outcome_id AND o.ordinal = rg.outcome_ordinal
        WHERE rg.result_type = 'Outcome'
        """
    ).fetchall()
    assert rows == [(771, 771, 771)]


def test_two_outcomes_with_og000_link_to_different_groups(sample_rows: Rows) -> None:
    """Regression for AACT #1209: OG000 of outcome 0 (Placebo) is not OG000 of outcome 7."""
    groups = {g["id"]: g for g in sample_rows[tables.RESULT_GROUPS] if g["nct_id"] == RICH}
    og000 = {
        r["outcome_ordinal"]: r["result_group_id"]
        for r in sample_rows[tables.OUTCOME_MEASUREMENTS]
        if r["nct_id"] == RICH and r["ctgov_group_code"] == "OG000"
    }
    assert og000[0] != og000[7]
    assert groups[og000[0]]["title"] == "Placebo"
    assert groups[og000[7]]["title"] == "Galcanezumab 300mg"
    assert (groups[og000[0]]["outcome_ordinal"], groups[og000[7]]["outcome_ordinal"]) == (0, 7)
    # Across the sample, as many distinct groups are used as (outcome, code) pairs.
    pairs = {
        (r["nct_id"], r["outcome_ordinal"], r["ctgov_group_code"])
        for r in sample_rows[tables.OUTCOME_MEASUREMENTS]
    }
    used = {r["result_group_id"] for r in sample_rows[tables.OUTCOME_MEASUREMENTS]}
    assert len(used) == len(pairs) == 701


def test_aact_outcome_results_by_arm_query(
    con: duckdb.DuckDBPyConnection, sample_studies: dict[str, Record]
) -> None:
    # AACT "points to consider" query (aact_reference Q12) over the outcome linkage.
    rows = con.execute(
        """
        SELECT o.outcome_type, count(*)
        FROM ctgov.outcomes o
        JOIN ctgov.outcome_measurements om ON om.outcome_id = o.id
        JOIN ctgov.result_groups rg ON rg.id = om.result_group_id AND rg.result_type = 'Outcome'
        GROUP BY 1
        """
    ).fetchall()
    expected: dict[str, int] = {}
    for study in sample_studies.values():
        outcomes = study.get("resultsSection", {}).get("outcomeMeasuresModule", {})
        for om in outcomes.get("outcomeMeasures", []):
            n = sum(
                len(cat.get("measurements", []))
                for cls in om.get("classes", [])
                for cat in cls.get("categories", [])
            )
            if n:
                expected[om["type"]] = expected.get(om["type"], 0) + n
    assert dict(rows) == expected
    assert sum(expected.values()) == 1811


def test_aact_serious_totals_query(con: duckdb.DuckDBPyConnection) -> None:
    # aact_reference Q14: totals join groups by code and result type, as AACT's tables allow.
    rows = con.execute(
        """
        SELECT count(*), count(DISTINCT ret.id), sum(ret.subjects_at_risk)
        FROM ctgov.reported_event_totals ret
        JOIN ctgov.result_groups rg
          ON rg.nct_id = ret.nct_id AND rg.ctgov_group_code = ret.ctgov_group_code
         AND rg.result_type = 'Reported Event'
        WHERE ret.event_type = 'serious'
        """
    ).fetchall()
    assert rows[0][0] == rows[0][1] == 103


def test_result_group_id_is_derivable_from_the_code(sample_rows: Rows) -> None:
    # The FK recipe needs only the row's own context and code (result_groups.id's recipe).
    for row in sample_rows[tables.OUTCOME_ANALYSIS_GROUPS]:
        expected = stable_id(
            "result_groups",
            row["nct_id"],
            "Outcome",
            row["outcome_ordinal"],
            row["ctgov_group_code"],
        )
        assert row["result_group_id"] == expected


# --- codes with no group --------------------------------------------------------------------------


def _two_outcomes(second_groups: list[Any]) -> Record:
    def outcome(groups: list[Any], codes: list[Any]) -> Record:
        return {
            "groups": groups,
            "classes": [
                {"categories": [{"measurements": [{"groupId": c, "value": "1"} for c in codes]}]}
            ],
            "analyses": [{"groupIds": codes}],
        }

    return {
        "resultsSection": {
            "outcomeMeasuresModule": {
                "outcomeMeasures": [
                    outcome([{"id": "OG000"}, {"id": "OG001"}], ["OG000", "OG001"]),
                    outcome(second_groups, ["OG000", "OG001", "OG009", None]),
                ]
            }
        }
    }


@pytest.mark.parametrize(
    ("second_groups", "linked"),
    [
        # OG001 exists only in the first outcome: the second outcome's OG001 must NOT borrow it.
        pytest.param([{"id": "OG000"}], [True, False, False, False], id="code-of-another-outcome"),
        # The second outcome lists no groups at all (seen on NOT_POSTED outcomes).
        pytest.param([], [False, False, False, False], id="no-groups"),
        # A duplicated code links to its first group; the second copy still gets its own id.
        pytest.param(
            [{"id": "OG000"}, {"id": "OG000"}, {"id": "OG001"}],
            [True, True, False, False],
            id="duplicate-code",
        ),
    ],
)
def test_unknown_codes_keep_their_row_with_a_null_link(
    second_groups: list[Any], linked: list[bool]
) -> None:
    children = (tables.OUTCOME_MEASUREMENTS, tables.OUTCOME_ANALYSIS_GROUPS)
    got, _ = table_rows(
        [tables.RESULT_GROUPS, *children], {"NCT00000001": _two_outcomes(second_groups)}
    )
    groups = got["result_groups"]
    assert len({g["id"] for g in groups}) == len(groups) == 2 + len(second_groups)
    by_id = {g["id"]: g for g in groups}
    for rows in (got[child.name] for child in children):
        second = [r for r in rows if r["outcome_ordinal"] == 1]
        assert [r["ctgov_group_code"] for r in second] == ["OG000", "OG001", "OG009", None]
        assert [r["result_group_id"] is not None for r in second] == linked
        for r in rows:
            if r["result_group_id"] is not None:
                group = by_id[r["result_group_id"]]
                assert (group["outcome_ordinal"], group["ctgov_group_code"]) == (
                    r["outcome_ordinal"],
                    r["ctgov_group_code"],
                )
                assert group["ordinal"] == 0 or r["ctgov_group_code"] != "OG000"
