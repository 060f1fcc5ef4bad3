"""Tests for transforms/conditions.py: conditions, keywords and the MeSH browse tables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.study.paths import leaf_specs
from schemas.tables import conditions as tables
from tests.support.damage import mutate
from tests.support.tables import study_rows, table_rows
from transforms.conditions import TABLE_BUILDERS, mesh_id
from transforms.normalize import builders

Record = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]

NCT = "NCT00000001"
ERA_2025 = "NCT00003454"  # 'Breast Neoplasms' as D001943 (unpadded)
ERA_2023 = "NCT02513394"  # 'Breast Neoplasms' as D000001943 (padded), with browse leaves
MODULES = {"condition": "conditionBrowseModule", "intervention": "interventionBrowseModule"}
MESH_TYPES = {"mesh-list": "meshes", "mesh-ancestor": "ancestors"}


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _items(record: Record, *keys: str) -> list[Any]:
    value = _dig(record, *keys)
    return value if isinstance(value, list) else []


def _by_study(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["nct_id"], []).append(row)
    return out


def _expected_mesh(record: Record, module: str) -> list[tuple[Any, ...]]:
    """(mesh_type, ordinal, term, raw id) per item: meshes first, then ancestors, each from 0."""
    return [
        (mesh_type, i, item.get("term"), item.get("id"))
        for mesh_type, key in MESH_TYPES.items()
        for i, item in enumerate(_items(record, "derivedSection", module, key))
        if isinstance(item, dict)
    ]


def _expected_browse(record: Record, key: str, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(browse_kind, ordinal, *fields) per item: the condition module's first, then intervention."""
    return [
        (kind, i, *(item.get(f) for f in fields))
        for kind, module in MODULES.items()
        for i, item in enumerate(_items(record, "derivedSection", module, key))
        if isinstance(item, dict)
    ]


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[Any]]:
    return table_rows(tables.TABLES, sample_studies)


@pytest.fixture(scope="module")
def rows(built: tuple[Rows, list[Any]]) -> Rows:
    return built[0]


def test_builders_cover_every_declared_table() -> None:
    assert set(TABLE_BUILDERS) == set(tables.TABLES)
    assert set(tables.TABLES) <= set(builders())


@pytest.mark.parametrize(("table", "key"), [("conditions", "conditions"), ("keywords", "keywords")])
def test_one_row_per_submitted_item(
    sample_studies: dict[str, Record], rows: Rows, table: str, key: str
) -> None:
    got = _by_study(rows[table])
    for nct, study in sample_studies.items():
        items = _items(study, "protocolSection", "conditionsModule", key)
        assert [(r["ordinal"], r["name"]) for r in got.get(nct, [])] == list(enumerate(items)), nct
    assert (len(rows["conditions"]), len(rows["keywords"])) == (1204, 1773)


@pytest.mark.parametrize(
    ("table", "module"),
    [
        ("browse_conditions", MODULES["condition"]),
        ("browse_interventions", MODULES["intervention"]),
    ],
)
def test_meshes_then_ancestors_per_study(
    sample_studies: dict[str, Record], rows: Rows, table: str, module: str
) -> None:
    got = _by_study(rows[table])
    for nct, study in sample_studies.items():
        found = [
            (r["mesh_type"], r["ordinal"], r["mesh_term"], r["mesh_id_raw"])
            for r in got.get(nct, [])
        ]
        assert found == _expected_mesh(study, module), nct
    assert (len(rows["browse_conditions"]), len(rows["browse_interventions"])) == (4873, 2335)


def test_leaves_and_branches_per_study(sample_studies: dict[str, Record], rows: Rows) -> None:
    leaves, branches = _by_study(rows["browse_leaves"]), _by_study(rows["browse_branches"])
    leaf_fields = ("id", "name", "asFound", "relevance")
    for nct, study in sample_studies.items():
        got = [
            (r["browse_kind"], r["ordinal"], r["leaf_id"], r["name"], r["as_found"], r["relevance"])
            for r in leaves.get(nct, [])
        ]
        assert got == _expected_browse(study, "browseLeaves", leaf_fields), nct
        got = [
            (r["browse_kind"], r["ordinal"], r["abbrev"], r["name"]) for r in branches.get(nct, [])
        ]
        assert got == _expected_browse(study, "browseBranches", ("abbrev", "name")), nct
    assert (len(rows["browse_leaves"]), len(rows["browse_branches"])) == (5657, 2493)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("D001943", "D000001943", id="2025-unpadded"),
        pytest.param("D000001943", "D000001943", id="2023-padded"),
        pytest.param("D000071257", "D000071257", id="new-9-digit"),  # same in both eras
        pytest.param("C007020", "C000007020", id="supplementary-concept"),  # C ids padded alike
        pytest.param(" D001943 ", "D000001943", id="whitespace"),
        pytest.param("d001943", "d001943", id="not-a-mesh-id"),  # kept as given, not guessed
        pytest.param("", "", id="empty"),
        pytest.param(None, None, id="missing"),
        pytest.param(1943, None, id="not-text"),
    ],
)
def test_mesh_id(raw: Any, expected: str | None) -> None:
    assert mesh_id(raw) == expected


def test_both_eras_join_on_mesh_id(rows: Rows) -> None:
    ids_by_term: dict[str, set[str]] = {}
    raw_by_term: dict[str, set[str]] = {}
    for table in ("browse_conditions", "browse_interventions"):
        for r in rows[table]:
            ids_by_term.setdefault(r["mesh_term"], set()).add(r["mesh_id"])
            raw_by_term.setdefault(r["mesh_term"], set()).add(r["mesh_id_raw"])
    assert {t: ids for t, ids in ids_by_term.items() if len(ids) > 1} == {}
    assert sum(len(raw) > 1 for raw in raw_by_term.values()) > 100  # both forms really occur
    breast = {
        r["nct_id"]: (r["mesh_id_raw"], r["mesh_id"])
        for r in rows["browse_conditions"]
        if r["mesh_term"] == "Breast Neoplasms" and r["nct_id"] in (ERA_2023, ERA_2025)
    }
    assert breast == {
        ERA_2025: ("D001943", "D000001943"),
        ERA_2023: ("D000001943", "D000001943"),
    }


@pytest.mark.parametrize(
    ("table", "text", "lower"),
    [
        ("conditions", "name", "downcase_name"),
        ("keywords", "name", "downcase_name"),
        ("browse_conditions", "mesh_term", "downcase_mesh_term"),
        ("browse_interventions", "mesh_term", "downcase_mesh_term"),
    ],
)
def test_downcase_is_str_lower(rows: Rows, table: str, text: str, lower: str) -> None:
    assert rows[table]
    for r in rows[table]:
        assert r[lower] == (None if r[text] is None else r[text].lower())


def test_downcase_follows_python_unicode_rules() -> None:
    # Arrow's utf8_lower gives 'οδοσ' and 'i' here, not str.lower's final sigma and 'i̇'.
    texts = ["ΟΔΟΣ", "İstanbul", "Spectrila®", "ASTHMA"]
    record = {
        "protocolSection": {"conditionsModule": {"conditions": texts}},
        "derivedSection": {"conditionBrowseModule": {"meshes": [{"term": t} for t in texts]}},
    }
    lowered = [r["downcase_name"] for r in study_rows(tables.CONDITIONS, record)]
    assert lowered == [t.lower() for t in texts] == ["οδος", "i̇stanbul", "spectrila®", "asthma"]
    meshes = study_rows(tables.BROWSE_CONDITIONS, record)
    assert [r["downcase_mesh_term"] for r in meshes] == lowered


def test_sample_values_all_fit_their_columns(built: tuple[Rows, list[Any]]) -> None:
    assert built[1] == []


def test_ids_and_primary_keys_are_unique(rows: Rows) -> None:
    # The family has no foreign keys: every table hangs off the study by nct_id only.
    for table in tables.TABLES:
        got = rows[table.name]
        assert len({r["id"] for r in got}) == len(got), table.name
        assert len({tuple(r[k] for k in table.primary_key) for r in got}) == len(got), table.name


def _record(conditions: Any = None, meshes: Any = None, leaves: Any = None) -> Record:
    record: Record = {"protocolSection": {}, "derivedSection": {}}
    if conditions is not None:
        record["protocolSection"]["conditionsModule"] = conditions
    if meshes is not None or leaves is not None:
        record["derivedSection"]["conditionBrowseModule"] = {
            "meshes": meshes,
            "browseLeaves": leaves,
        }
    return record


@pytest.mark.parametrize(
    ("record", "counts"),
    [
        pytest.param({}, (0, 0, 0, 0, 0, 0), id="empty-record"),
        pytest.param(_record(), (0, 0, 0, 0, 0, 0), id="modules-missing"),
        pytest.param(_record(conditions="Asthma"), (0, 0, 0, 0, 0, 0), id="module-not-object"),
        pytest.param(
            _record({"conditions": "Asthma", "keywords": {"a": 1}}), (0,) * 6, id="lists-not-lists"
        ),
        # Every submitted item keeps its row and position, null or wrong-typed.
        pytest.param(
            _record({"conditions": ["A", None, 5, {}]}), (4, 0, 0, 0, 0, 0), id="odd-names"
        ),
        # A non-object MeSH item gives no row; an empty object gives one (all NULL).
        pytest.param(_record(meshes=[None, "D001943", 7, {}]), (0, 0, 1, 0, 0, 0), id="odd-meshes"),
        pytest.param(
            {"derivedSection": {"interventionBrowseModule": {"browseLeaves": [{"id": "M1"}, []]}}},
            (0, 0, 0, 0, 1, 0),
            id="intervention-leaves",
        ),
        pytest.param(_record(leaves="M1"), (0, 0, 0, 0, 0, 0), id="leaves-not-a-list"),
    ],
)
def test_malformed_records(record: Record, counts: tuple[int, ...]) -> None:
    got, _ = table_rows(tables.TABLES, {NCT: record})
    assert tuple(len(got[t.name]) for t in tables.TABLES) == counts


def test_junk_leaves_are_reported_not_dropped() -> None:
    record = _record(
        {"conditions": ["A", 5, None]},
        meshes=[None, {"id": 1943, "term": "B"}],
        leaves=[{"id": "M1", "relevance": ["HIGH"]}],
    )
    got, issues = table_rows(tables.TABLES, {NCT: record})
    assert sorted((i.table, i.column, i.value) for i in issues) == [
        ("ctgov.browse_conditions", "mesh_id_raw", "1943"),
        ("ctgov.browse_leaves", "relevance", "['HIGH']"),
        ("ctgov.conditions", "name", "5"),
    ]
    assert [r["name"] for r in got["conditions"]] == ["A", None, None]  # rows stay, in place
    mesh = [(r["ordinal"], r["mesh_term"], r["mesh_id"]) for r in got["browse_conditions"]]
    assert mesh == [(1, "B", None)]  # the null item gives no row, but keeps position 0
    assert [(r["leaf_id"], r["relevance"]) for r in got["browse_leaves"]] == [("M1", None)]


# --- property test: transforms never raise on damaged records ------------------------------------


def _cut(study: Record) -> Record:
    """The study's conditions and browse modules, every list cut to 3 items."""
    conditions = _dig(study, "protocolSection", "conditionsModule") or {}
    derived = {
        module: {k: v[:3] for k, v in (_dig(study, "derivedSection", module) or {}).items()}
        for module in MODULES.values()
    }
    return {
        "protocolSection": {"conditionsModule": {k: v[:3] for k, v in conditions.items()}},
        "derivedSection": derived,
    }


@pytest.fixture(scope="module")
def small_records(sample_studies: dict[str, Record]) -> list[Record]:
    """Every 7th sample study cut to this family's paths, 2023-era (leaves) and 2025-era alike."""
    return [_cut(study) for study in list(sample_studies.values())[::7]]


def _expected_keys(record: Record) -> list[list[tuple[Any, ...]]]:
    """Each table's (list label, ordinal) pairs, as the sample parity tests define them."""
    named = [
        [(None, i) for i, _ in enumerate(_items(record, "protocolSection", "conditionsModule", k))]
        for k in ("conditions", "keywords")
    ]
    browse = [
        *(_expected_mesh(record, module) for module in MODULES.values()),
        _expected_browse(record, "browseLeaves", ()),
        _expected_browse(record, "browseBranches", ()),
    ]
    return named + [[item[:2] for item in rows] for rows in browse]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_transforms_never_raise(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    got, _ = table_rows(tables.TABLES, {NCT: record})  # may report issues, never raises
    for table, expected in zip(tables.TABLES, _expected_keys(record), strict=True):
        label = next((c for c in ("mesh_type", "browse_kind") if c in table.column_names), None)
        keys = [(r[label] if label else None, r["ordinal"]) for r in got[table.name]]
        assert keys == expected, table.name
        assert all(tuple(r) == table.column_names and r["nct_id"] == NCT for r in got[table.name])


def test_every_spec_leaf_of_the_family_has_a_column() -> None:
    prefixes = (
        "protocolSection.conditionsModule.",
        *(f"derivedSection.{module}." for module in MODULES.values()),
    )
    sources = {s for table in tables.TABLES for col in table.columns for s in col.sources}
    spec = leaf_specs()
    assert sources <= set(spec)
    assert {p for p in spec if p.startswith(prefixes)} == sources
