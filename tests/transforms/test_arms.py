from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.table import Table
from schemas.tables import arms as tables
from tests.support import damage
from tests.support.tables import table_rows
from transforms.arms import TABLE_BUILDERS
from transforms.arrow_tables import TypeIssue

Record = dict[str, Any]
Rows = dict[Table, list[dict[str, Any]]]

RICH = (
    "NCT01949129"  # 3 arms, 9 interventions listing several arms each, other names, other outcomes
)


def _module(record: Record, name: str) -> dict[str, Any]:
    module = record.get("protocolSection", {}).get(name)
    return module if isinstance(module, dict) else {}


def _objects(module: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = module.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    return value if isinstance(value, list) else []


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[TypeIssue]]:
    """Every arms table's rows for the whole sample, and the values reported as type issues."""
    rows, issues = table_rows(tables.TABLES, sample_studies)
    return {table: rows[table.name] for table in tables.TABLES}, issues


@pytest.fixture(scope="module")
def sample_rows(built: tuple[Rows, list[TypeIssue]]) -> Rows:
    """Every arms table's rows for the whole sample."""
    return built[0]


def _per_study(rows: list[dict[str, Any]], *keys: str) -> Counter[tuple[Any, ...]]:
    return Counter((row["nct_id"], *(row[k] for k in keys)) for row in rows)


def test_builders_cover_every_declared_table() -> None:
    assert set(TABLE_BUILDERS) == set(tables.TABLES)


def test_arm_and_intervention_count_parity(
    sample_studies: dict[str, Record], sample_rows: Rows
) -> None:
    groups = _per_study(sample_rows[tables.DESIGN_GROUPS])
    names = _per_study(sample_rows[tables.DESIGN_GROUP_INTERVENTION_NAMES], "design_group_ordinal")
    interventions = _per_study(sample_rows[tables.INTERVENTIONS])
    others = _per_study(sample_rows[tables.INTERVENTION_OTHER_NAMES], "intervention_ordinal")
    labels = _per_study(sample_rows[tables.DESIGN_GROUP_INTERVENTIONS], "intervention_ordinal")
    for nct, study in sample_studies.items():
        module = _module(study, "armsInterventionsModule")
        arm_list, int_list = _objects(module, "armGroups"), _objects(module, "interventions")
        assert groups[(nct,)] == len(arm_list), nct
        assert interventions[(nct,)] == len(int_list), nct
        for g, arm in enumerate(arm_list):
            assert names[(nct, g)] == len(_strings(arm, "interventionNames")), nct
        for n, intervention in enumerate(int_list):
            assert others[(nct, n)] == len(_strings(intervention, "otherNames")), nct
            assert labels[(nct, n)] == len(_strings(intervention, "armGroupLabels")), nct
    # Every row was accounted for by some study's lists (none invented).
    assert sum(names.values()) == len(sample_rows[tables.DESIGN_GROUP_INTERVENTION_NAMES])
    assert sum(others.values()) == len(sample_rows[tables.INTERVENTION_OTHER_NAMES])
    assert sum(labels.values()) == len(sample_rows[tables.DESIGN_GROUP_INTERVENTIONS])


def test_design_outcome_count_parity(sample_studies: dict[str, Record], sample_rows: Rows) -> None:
    got = _per_study(sample_rows[tables.DESIGN_OUTCOMES], "outcome_type")
    for nct, study in sample_studies.items():
        module = _module(study, "outcomesModule")
        for outcome_type in ("primary", "secondary", "other"):
            expected = len(_objects(module, f"{outcome_type}Outcomes"))
            assert got[(nct, outcome_type)] == expected, (nct, outcome_type)
    assert set(got.values()) and {k[1] for k in got} == {"primary", "secondary", "other"}


def test_rich_study_values(sample_rows: Rows) -> None:
    def rows(table: Table) -> list[dict[str, Any]]:
        return [r for r in sample_rows[table] if r["nct_id"] == RICH]

    groups = rows(tables.DESIGN_GROUPS)
    assert [(g["title"], g["group_type"]) for g in groups] == [
        ("Flu/Thio/Treo", "EXPERIMENTAL"),
        ("TBI/VP16", "ACTIVE_COMPARATOR"),
        ("Flu/Thio/ivBu", "EXPERIMENTAL"),
    ]
    assert groups[0]["description"].startswith("Fludarabine/Thiotepa/Treosulfan is for ")
    assert "\n\n" in groups[0]["description"]  # text kept exactly, line breaks included
    names = [r["name"] for r in rows(tables.DESIGN_GROUP_INTERVENTION_NAMES)]
    assert names[:6] == [
        "Drug: Thiotepa",
        "Drug: Treosulfan",
        "Drug: Fludarabine",
        "Drug: ATG Thymoglobulin",
        "Drug: Grafalon",
        "Drug: VP16",
    ]
    interventions = rows(tables.INTERVENTIONS)
    assert [(i["intervention_type"], i["name"]) for i in interventions[:2]] == [
        ("DRUG", "VP16"),
        ("RADIATION", "TBI"),
    ]
    assert interventions[1]["description"] == "2 x 2Gy/day , 3 days (total 12Gy)"
    other_names = [
        (o["intervention_ordinal"], o["name"]) for o in rows(tables.INTERVENTION_OTHER_NAMES)
    ]
    # The second intervention (TBI) has no other names, so the third one's come next.
    assert other_names[:2] == [(0, "Etoposide"), (2, "Thio")]


def test_rich_study_links_resolve_to_the_labelled_arm(sample_rows: Rows) -> None:
    title = {g["id"]: g["title"] for g in sample_rows[tables.DESIGN_GROUPS]}
    name = {i["id"]: i["name"] for i in sample_rows[tables.INTERVENTIONS]}
    links = [r for r in sample_rows[tables.DESIGN_GROUP_INTERVENTIONS] if r["nct_id"] == RICH]
    assert all(title[r["design_group_id"]] == r["arm_group_label"] for r in links)
    # ATG Thymoglobulin (7th intervention) is given in all three arms.
    atg = [
        title[r["design_group_id"]]
        for r in links
        if name[r["intervention_id"]] == "ATG Thymoglobulin"
    ]
    assert atg == ["Flu/Thio/Treo", "Flu/Thio/ivBu", "TBI/VP16"]


def test_design_outcome_values(sample_rows: Rows) -> None:
    outcomes = [r for r in sample_rows[tables.DESIGN_OUTCOMES] if r["nct_id"] == "NCT01788527"]
    kinds = Counter(r["outcome_type"] for r in outcomes)
    assert kinds == {"primary": 2, "secondary": 29}
    assert (outcomes[0]["outcome_type"], outcomes[0]["ordinal"], outcomes[0]["measure"]) == (
        "primary",
        0,
        "Glycemic Control in pre-pregnant group",
    )
    assert outcomes[-1]["measure"] == "Study Contacts"
    assert {r["population"] for r in outcomes} == {None}  # AACT column with no registry source
    other = [r for r in sample_rows[tables.DESIGN_OUTCOMES] if r["outcome_type"] == "other"]
    assert other and all(r["measure"] for r in other)


@pytest.mark.parametrize(
    ("arms", "labels", "expected"),
    [
        # A label naming no arm keeps its row, with a NULL design_group_id.
        pytest.param([{"label": "A"}], ["A", "B"], [0, None], id="unmatched-label"),
        # Matching is exact, as in AACT: case and whitespace differences do not match.
        pytest.param([{"label": "Arm A"}], ["arm a", "Arm A "], [None, None], id="exact-only"),
        # Two arms with one label: the first arm wins, as AACT's first-match lookup does.
        pytest.param([{"label": "A"}, {"label": "A"}], ["A"], [0], id="duplicate-label"),
        # Junk labels never raise and never match; a wrong-typed one is kept as NULL, reported.
        pytest.param([{"label": "A"}, "junk"], [None, 5, ["A"]], [None, None, None], id="junk"),
    ],
)
def test_label_resolution(arms: list[Any], labels: list[Any], expected: list[int | None]) -> None:
    study = {
        "protocolSection": {
            "armsInterventionsModule": {
                "armGroups": arms,
                "interventions": [{"name": "X", "armGroupLabels": labels}],
            }
        }
    }
    got, issues = table_rows(
        [tables.DESIGN_GROUPS, tables.DESIGN_GROUP_INTERVENTIONS], {RICH: study}
    )
    groups = {r["id"]: r["ordinal"] for r in got["design_groups"]}
    rows = got["design_group_interventions"]
    assert [groups.get(r["design_group_id"]) for r in rows] == expected
    texts = [label if isinstance(label, str) else None for label in labels]
    assert [r["arm_group_label"] for r in rows] == texts
    reported = [i for i in issues if i.column == "arm_group_label"]
    assert len(reported) == sum(not isinstance(label, str | None) for label in labels)


def test_every_sample_label_matches_an_arm(sample_rows: Rows) -> None:
    # Counted on the sample: 0 of 1,756 labels match no arm (the NULL case is kept for live data).
    links = sample_rows[tables.DESIGN_GROUP_INTERVENTIONS]
    unmatched = [(r["nct_id"], r["arm_group_label"]) for r in links if r["design_group_id"] is None]
    assert unmatched == []
    assert len(links) == 1756


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_rows_fit_the_declared_schema(built: tuple[Rows, list[TypeIssue]], table: Table) -> None:
    rows = built[0][table]
    assert rows
    assert [i for i in built[1] if i.table == table.qualified_name] == []


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_ids_and_primary_keys_are_unique(sample_rows: Rows, table: Table) -> None:
    rows = sample_rows[table]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({tuple(r[k] for k in table.primary_key) for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("child", "fk", "parent"),
    [
        # AACT's join keys, computed with the parent id's recipe.
        pytest.param(
            tables.DESIGN_GROUP_INTERVENTIONS,
            "design_group_id",
            tables.DESIGN_GROUPS,
            id="dgi-design_group",
        ),
        pytest.param(
            tables.DESIGN_GROUP_INTERVENTIONS,
            "intervention_id",
            tables.INTERVENTIONS,
            id="dgi-intervention",
        ),
        pytest.param(
            tables.INTERVENTION_OTHER_NAMES,
            "intervention_id",
            tables.INTERVENTIONS,
            id="other_names-intervention",
        ),
        # Our extra table links names to their arm the same way.
        pytest.param(
            tables.DESIGN_GROUP_INTERVENTION_NAMES,
            "design_group_id",
            tables.DESIGN_GROUPS,
            id="names-design_group",
        ),
    ],
)
def test_foreign_keys_resolve(sample_rows: Rows, child: Table, fk: str, parent: Table) -> None:
    parents = {(r["nct_id"], r["id"]) for r in sample_rows[parent]}
    rows = sample_rows[child]
    dangling = [r for r in rows if r[fk] is not None and (r["nct_id"], r[fk]) not in parents]
    assert rows and dangling == []


@pytest.fixture(scope="module")
def loaded(sample_rows: Rows) -> duckdb.DuckDBPyConnection:
    """The arms tables of the whole sample in an in-memory DuckDB, created from the declared DDL."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())
        data = pa.Table.from_pylist(sample_rows[table], schema=table.arrow_schema())
        con.register("_rows", data)
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    return con


def test_aact_arm_intervention_join(
    loaded: duckdb.DuckDBPyConnection, sample_studies: dict[str, Record]
) -> None:
    got = loaded.execute(
        "SELECT count(*) FROM ctgov.design_group_interventions dgi "
        "JOIN ctgov.design_groups dg ON dg.id = dgi.design_group_id "
        "JOIN ctgov.interventions i ON i.id = dgi.intervention_id"
    ).fetchall()
    expected = 0
    for study in sample_studies.values():
        module = _module(study, "armsInterventionsModule")
        arm_labels = {a.get("label") for a in _objects(module, "armGroups")}
        for intervention in _objects(module, "interventions"):
            expected += sum(lbl in arm_labels for lbl in _strings(intervention, "armGroupLabels"))
    assert got == [(expected,)]
    assert expected > 1000


def test_aact_other_names_join(
    loaded: duckdb.DuckDBPyConnection, sample_studies: dict[str, Record]
) -> None:
    got = loaded.execute(
        "SELECT i.intervention_type, count(*) FROM ctgov.intervention_other_names ion "
        "JOIN ctgov.interventions i ON i.id = ion.intervention_id GROUP BY 1"
    ).fetchall()
    expected: Counter[str | None] = Counter()
    for study in sample_studies.values():
        for intervention in _objects(_module(study, "armsInterventionsModule"), "interventions"):
            expected[intervention.get("type")] += len(_strings(intervention, "otherNames"))
    assert dict(got) == {k: v for k, v in expected.items() if v}


def test_aact_primary_outcome_query(
    loaded: duckdb.DuckDBPyConnection, sample_studies: dict[str, Record]
) -> None:
    # AACT view all_primary_outcome_measures (ctgov_v2.sql): distinct primary measures per study.
    got = loaded.execute(
        "SELECT nct_id, count(DISTINCT measure) FROM ctgov.design_outcomes "
        "WHERE outcome_type = 'primary' GROUP BY nct_id"
    ).fetchall()
    expected = {
        nct: len(
            {o.get("measure") for o in _objects(_module(s, "outcomesModule"), "primaryOutcomes")}
        )
        for nct, s in sample_studies.items()
    }
    assert dict(got) == {k: v for k, v in expected.items() if v}


# --- never raise on damaged records -----------------------------------------------------------


@pytest.fixture(scope="module")
def rich_record(sample_studies: dict[str, Record]) -> Record:
    ps = sample_studies[RICH]["protocolSection"]
    return {"protocolSection": {k: ps[k] for k in ("armsInterventionsModule", "outcomesModule")}}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_builders_never_raise_on_damaged_records(data: st.DataObject, rich_record: Record) -> None:
    edits = data.draw(damage.edits(damage.node_paths(rich_record)))
    damaged = damage.with_edits(rich_record, edits)
    got, _ = table_rows(tables.TABLES, {RICH: damaged})  # may report issues, never raises
    for table in tables.TABLES:
        rows = got[table.name]
        assert all(tuple(r) == table.column_names for r in rows)
        assert all(isinstance(r["id"], int) and r["nct_id"] == RICH for r in rows)
