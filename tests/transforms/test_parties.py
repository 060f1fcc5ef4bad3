from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.table import Table
from schemas.tables import parties as tables
from tests.support import damage
from tests.support.tables import table_rows
from transforms.arrow_tables import TypeIssue
from transforms.normalize import builders

Record = dict[str, Any]
Rows = dict[Table, list[dict[str, Any]]]

IDENT = ("protocolSection", "identificationModule")
SPONS = ("protocolSection", "sponsorCollaboratorsModule")
CONTACTS = ("protocolSection", "contactsLocationsModule")


def _at(record: Record, *keys: str) -> Any:
    node: Any = record
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _count(record: Record, *keys: str) -> int:
    value = _at(record, *keys)
    return len(value) if isinstance(value, list) else 0


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[TypeIssue]]:
    """Every parties table's rows for the whole sample, and the values reported as issues."""
    rows, issues = table_rows(tables.TABLES, sample_studies)
    return {table: rows[table.name] for table in tables.TABLES}, issues


@pytest.fixture(scope="module")
def sample_rows(built: tuple[Rows, list[TypeIssue]]) -> Rows:
    return built[0]


def _by_study(rows: list[dict[str, Any]], *keys: str) -> Counter[tuple[Any, ...]]:
    return Counter((row["nct_id"], *(row[k] for k in keys)) for row in rows)


def test_builders_cover_every_declared_table() -> None:
    assert set(tables.TABLES) <= set(builders())


def test_id_information_count_parity(sample_studies: dict[str, Record], sample_rows: Rows) -> None:
    got = _by_study(sample_rows[tables.ID_INFORMATION], "id_source")
    for nct, study in sample_studies.items():
        org = isinstance(_at(study, *IDENT, "orgStudyIdInfo"), dict)
        assert got[(nct, "org_study_id")] == int(org), nct
        assert got[(nct, "secondary_id")] == _count(study, *IDENT, "secondaryIdInfos"), nct
        assert got[(nct, "nct_alias")] == _count(study, *IDENT, "nctIdAliases"), nct
    assert sum(got.values()) == len(sample_rows[tables.ID_INFORMATION])


def test_sponsor_count_parity(sample_studies: dict[str, Record], sample_rows: Rows) -> None:
    got = _by_study(sample_rows[tables.SPONSORS], "lead_or_collaborator")
    for nct, study in sample_studies.items():
        assert got[(nct, "lead")] == int(isinstance(_at(study, *SPONS, "leadSponsor"), dict)), nct
        assert got[(nct, "collaborator")] == _count(study, *SPONS, "collaborators"), nct


def test_one_responsible_party_row_per_study_that_has_one(
    sample_studies: dict[str, Record], sample_rows: Rows
) -> None:
    got = _by_study(sample_rows[tables.RESPONSIBLE_PARTIES])
    expected = {n for n, s in sample_studies.items() if _at(s, *SPONS, "responsibleParty")}
    assert set(got) == {(n,) for n in expected}
    assert set(got.values()) == {1}
    # The sample has studies without one, so the "no row" branch is exercised too.
    assert 0 < len(expected) < len(sample_studies)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        # Officials and contacts are plain lists of objects: one row per item, in order.
        pytest.param(tables.OVERALL_OFFICIALS, "overallOfficials", id="overall_officials"),
        pytest.param(tables.CENTRAL_CONTACTS, "centralContacts", id="central_contacts"),
    ],
)
def test_contact_list_count_parity(
    sample_studies: dict[str, Record], sample_rows: Rows, table: Table, key: str
) -> None:
    got: dict[str, list[int]] = {}
    for row in sample_rows[table]:
        got.setdefault(row["nct_id"], []).append(row["ordinal"])
    for nct, study in sample_studies.items():
        assert got.get(nct, []) == list(range(_count(study, *CONTACTS, key))), nct


def test_id_information_values_match_the_aact_fixture_study(sample_rows: Rows) -> None:
    # NCT06388018 is AACT's own loader fixture; its id_type values 'REGISTRY','OTHER','NIH' match.
    rows = [r for r in sample_rows[tables.ID_INFORMATION] if r["nct_id"] == "NCT06388018"]
    got = [
        (r["id_source"], r["ordinal"], r["id_value"], r["id_type"], r["id_type_description"])
        for r in rows
    ]
    assert got == [
        ("org_study_id", 0, "NRG-GY032", None, None),
        (
            "secondary_id",
            0,
            "NCI-2023-09355",
            "REGISTRY",
            "CTRP (Clinical Trial Reporting Program)",
        ),
        ("secondary_id", 1, "NRG-GY032", "OTHER", "NRG Oncology"),
        ("secondary_id", 2, "NRG-GY032", "OTHER", "CTEP"),
        ("secondary_id", 3, "U10CA180868", "NIH", None),
    ]
    assert rows[-1]["id_link"] == "https://reporter.nih.gov/quickSearch/U10CA180868"


@pytest.mark.parametrize(
    ("nct", "expected"),
    [
        # An org study id with type and link (an NIH grant number).
        pytest.param(
            "NCT00505960",
            [
                (
                    "org_study_id",
                    0,
                    "R34DK071957",
                    "NIH",
                    "https://reporter.nih.gov/quickSearch/R34DK071957",
                )
            ],
            id="org-id-with-link",
        ),
        # A merged duplicate registration: the alias becomes an 'nct_alias' row.
        pytest.param(
            "NCT01788527",
            [
                ("org_study_id", 0, "12-0037-A", None, None),
                ("nct_alias", 0, "NCT01734031", None, None),
            ],
            id="nct-alias",
        ),
    ],
)
def test_id_information_sources(
    sample_rows: Rows, nct: str, expected: list[tuple[Any, ...]]
) -> None:
    got = [
        (r["id_source"], r["ordinal"], r["id_value"], r["id_type"], r["id_link"])
        for r in sample_rows[tables.ID_INFORMATION]
        if r["nct_id"] == nct
    ]
    assert got == expected


def test_sponsor_values(sample_rows: Rows) -> None:
    rows = [r for r in sample_rows[tables.SPONSORS] if r["nct_id"] == "NCT01949129"]
    assert [(r["lead_or_collaborator"], r["ordinal"]) for r in rows][:3] == [
        ("lead", 0),
        ("collaborator", 0),
        ("collaborator", 1),
    ]
    assert (rows[0]["name"], rows[0]["agency_class"]) == ("St. Anna Kinderkrebsforschung", "OTHER")
    assert (rows[2]["name"], rows[2]["agency_class"]) == (
        "European Society for Blood and Marrow Transplantation",
        "NETWORK",
    )
    assert len(rows) == 8


@pytest.mark.parametrize(
    ("nct", "expected"),
    [
        # A principal investigator: name, title and affiliation come from investigator* keys.
        pytest.param(
            "NCT01949129",
            (
                "PRINCIPAL_INVESTIGATOR",
                "Prof. Christina Peters",
                "Univ.-Prof. Dr. Christina Peters",
                "St. Anna Kinderspital, Austria",
                None,
                None,
            ),
            id="principal-investigator",
        ),
        # A legacy-format party: no type, only the old free-text name/title and organization.
        pytest.param(
            "NCT00505960",
            (None, None, None, None, "Miyong T. Kim", "The Johns Hopkins University"),
            id="old-format",
        ),
    ],
)
def test_responsible_party_values(sample_rows: Rows, nct: str, expected: tuple[Any, ...]) -> None:
    cols = (
        "responsible_party_type",
        "name",
        "title",
        "affiliation",
        "old_name_title",
        "organization",
    )
    [row] = [r for r in sample_rows[tables.RESPONSIBLE_PARTIES] if r["nct_id"] == nct]
    assert tuple(row[c] for c in cols) == expected


def test_central_contact_and_official_values(sample_rows: Rows) -> None:
    contacts = [r for r in sample_rows[tables.CENTRAL_CONTACTS] if r["nct_id"] == "NCT01949129"]
    assert [
        (c["contact_type"], c["name"], c["phone"], c["phone_extension"], c["role"])
        for c in contacts
    ] == [
        ("primary", "Christina Peters, Prof. MD PhD", "+43140170", "3106", "CONTACT"),
        ("backup", "Tijana Frank, MD, MScEng", "+43140470", "4755", "CONTACT"),
    ]
    assert contacts[1]["email"] == "tijana.frank@ccri.at"
    officials = [r for r in sample_rows[tables.OVERALL_OFFICIALS] if r["nct_id"] == "NCT01949129"]
    assert [(o["role"], o["name"]) for o in officials][2] == (
        "STUDY_CHAIR",
        "Franco Locatelli, Prof. MD PhD",
    )
    assert officials[2]["affiliation"] == "Ospedale Pediatrico Bambino Gesù, Rome, Italy"


def test_every_contact_list_starts_with_a_primary(sample_rows: Rows) -> None:
    types = {(r["ordinal"] == 0, r["contact_type"]) for r in sample_rows[tables.CENTRAL_CONTACTS]}
    assert types == {(True, "primary"), (False, "backup")}


def test_sample_values_all_fit_their_columns(built: tuple[Rows, list[TypeIssue]]) -> None:
    assert built[1] == []


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_rows_fit_the_declared_schema(sample_rows: Rows, table: Table) -> None:
    rows = sample_rows[table]
    assert rows
    assert all(list(row) == list(table.column_names) for row in rows)


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_ids_and_primary_keys_are_unique(sample_rows: Rows, table: Table) -> None:
    rows = sample_rows[table]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({tuple(r[k] for k in table.primary_key) for r in rows}) == len(rows)


def test_aact_lead_sponsor_query_runs_on_duckdb(
    sample_studies: dict[str, Record], sample_rows: Rows
) -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())
        con.register("_rows", pa.Table.from_pylist(sample_rows[table], schema=table.arrow_schema()))
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    # AACT query pattern (covid_19_studies view, aact_reference.md Q8): lead sponsor class counts.
    got = con.execute(
        "SELECT agency_class, count(DISTINCT nct_id) FROM ctgov.sponsors "
        "WHERE lead_or_collaborator = 'lead' GROUP BY agency_class"
    ).fetchall()
    expected = Counter(_at(s, *SPONS, "leadSponsor", "class") for s in sample_studies.values())
    assert dict(got) == dict(expected)
    # ids_for_org (aact_reference.md Q6) reads responsible_parties.affiliation.
    university = con.execute(
        "SELECT count(DISTINCT nct_id) FROM ctgov.responsible_parties "
        "WHERE lower(affiliation) LIKE lower(?)",
        ["%university%"],
    ).fetchall()
    by_json = {
        n
        for n, s in sample_studies.items()
        if "university"
        in str(_at(s, *SPONS, "responsibleParty", "investigatorAffiliation")).lower()
    }
    assert university == [(len(by_json),)]
    assert by_json


# --- never raise on damaged records -----------------------------------------------------------

RICH = "NCT01949129"  # collaborators, investigator party, contacts with extensions, officials


@pytest.fixture(scope="module")
def rich_record(sample_studies: dict[str, Record]) -> Record:
    return {"protocolSection": sample_studies[RICH]["protocolSection"]}


@pytest.fixture(scope="module")
def rich_paths(rich_record: Record) -> list[tuple[Any, ...]]:
    wanted = {"identificationModule", "sponsorCollaboratorsModule", "contactsLocationsModule"}
    # Locations belong to another family; leaving them out keeps the draws on our leaves.
    return [
        p
        for p in damage.node_paths(rich_record)
        if len(p) < 3 or (p[1] in wanted and p[2] != "locations")
    ]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_builders_never_raise_on_damaged_records(
    data: st.DataObject, rich_record: Record, rich_paths: list[tuple[Any, ...]]
) -> None:
    edits = data.draw(damage.edits(rich_paths))
    damaged = damage.with_edits(rich_record, edits)
    got, _ = table_rows(tables.TABLES, {RICH: damaged})  # may report issues, never raises
    for table in tables.TABLES:
        rows = got[table.name]
        assert all(list(r) == list(table.column_names) for r in rows)
        assert all(isinstance(r["id"], int) and r["nct_id"] == RICH for r in rows)
