from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.study.paths import leaf_specs
from schemas.tables import sites as tables
from tests.support.damage import mutate
from tests.support.tables import study_rows, table_rows
from transforms.normalize import builders
from transforms.sites import facility_id, is_investigator

Record = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]

BIGGEST = "NCT04267848"  # 1,148 locations, 1,318 contacts (a contact and a PI at 659 sites)
TWO_CONTACTS = "NCT01174615"  # one site: CONTACT, CONTACT, PRINCIPAL_INVESTIGATOR
RENAMED = "NCT01949129"  # sites in 'Czechia', removedCountries ['Czech Republic']
NESTED = "NCT02513394"  # 2023 record: 437 locations repeated as locations_nested
INVESTIGATOR_ROLES = {"PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR", "STUDY_CHAIR"}


def _locations(study: Record) -> list[Any]:
    locations: list[Any] = (
        study["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
    )
    return locations


def _contacts(study: Record) -> list[tuple[int, int, Record]]:
    return [
        (f, c, contact)
        for f, loc in enumerate(_locations(study))
        for c, contact in enumerate(loc.get("contacts", []))
    ]


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _by_study(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["nct_id"], []).append(row)
    return out


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[Any]]:
    return table_rows(tables.TABLES, sample_studies)


@pytest.fixture(scope="module")
def rows(built: tuple[Rows, list[Any]]) -> Rows:
    return built[0]


def test_builders_cover_every_declared_table() -> None:
    assert set(tables.TABLES) <= set(builders())
    assert [t.name for t in tables.TABLES] == [
        "facilities",
        "facility_contacts",
        "facility_investigators",
        "countries",
    ]


def test_one_facility_row_per_location(sample_studies: dict[str, Record], rows: Rows) -> None:
    got = _by_study(rows["facilities"])
    for nct, study in sample_studies.items():
        facilities = got.get(nct, [])
        assert len(facilities) == len(_locations(study)), nct
        assert [r["ordinal"] for r in facilities] == list(range(len(facilities)))
    assert len(rows["facilities"]) == 21117
    assert len(got[BIGGEST]) == 1148


def test_every_contact_lands_in_exactly_one_table(
    sample_studies: dict[str, Record], rows: Rows
) -> None:
    contacts = _by_study(rows["facility_contacts"])
    investigators = _by_study(rows["facility_investigators"])
    for nct, study in sample_studies.items():
        expected = {(f, c) for f, c, _ in _contacts(study)}
        kept = [(r["facility_ordinal"], r["contact_ordinal"]) for r in contacts.get(nct, [])]
        invs = [(r["facility_ordinal"], r["contact_ordinal"]) for r in investigators.get(nct, [])]
        assert len(kept) + len(invs) == len(expected), nct
        assert set(kept) | set(invs) == expected and not set(kept) & set(invs), nct
    assert (len(rows["facility_contacts"]), len(rows["facility_investigators"])) == (5644, 3425)


def test_the_split_follows_the_role(sample_studies: dict[str, Record], rows: Rows) -> None:
    # Independent of the regex: the sample's roles are CONTACT, PRINCIPAL_ and SUB_INVESTIGATOR.
    role_of = {
        (nct, f, c): contact.get("role")
        for nct, study in sample_studies.items()
        for f, c, contact in _contacts(study)
    }
    for table, investigator in (("facility_contacts", False), ("facility_investigators", True)):
        for r in rows[table]:
            role = role_of[(r["nct_id"], r["facility_ordinal"], r["contact_ordinal"])]
            assert (role in INVESTIGATOR_ROLES) is investigator
            assert r["role"] == role


@pytest.mark.parametrize(
    ("role", "investigator"),
    [
        pytest.param("PRINCIPAL_INVESTIGATOR", True, id="pi"),
        pytest.param("SUB_INVESTIGATOR", True, id="sub-investigator"),
        pytest.param("STUDY_CHAIR", True, id="study-chair"),  # '.' in AACT's regex matches '_'
        pytest.param("Study Chair", True, id="legacy-wording"),  # the regex is case-insensitive
        pytest.param("STUDY_DIRECTOR", False, id="study-director"),  # ContactRole, not matched
        pytest.param("CONTACT", False, id="contact"),
        pytest.param(None, False, id="missing"),  # AACT: nil !~ regex, so a contact
        pytest.param(7, False, id="not-text"),
    ],
)
def test_is_investigator(role: Any, investigator: bool) -> None:
    assert is_investigator(role) is investigator


def test_first_kept_contact_of_each_site_is_primary(rows: Rows) -> None:
    by_site: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rows["facility_contacts"]:
        by_site.setdefault((r["nct_id"], r["facility_ordinal"]), []).append(r)
    for site in by_site.values():
        ordered = sorted(site, key=lambda r: r["contact_ordinal"])
        assert [r["contact_type"] for r in ordered] == ["primary"] + ["backup"] * (len(site) - 1)


def test_biggest_study_values(rows: Rows) -> None:
    facilities = _by_study(rows["facilities"])[BIGGEST]
    assert facilities[0] | {"id": None} == {
        "id": None,
        "nct_id": BIGGEST,
        "ordinal": 0,
        "status": "SUSPENDED",
        "name": "Anchorage Associates in Radiation Medicine",
        "city": "Anchorage",
        "state": "Alaska",
        "zip": "98508",
        "country": "United States",
        "latitude": 61.21806,
        "longitude": -149.90028,
    }
    guam = facilities[1147]
    assert (guam["name"], guam["state"], guam["country"]) == (
        "FHP Health Center-Guam",
        None,
        "Guam",
    )
    assert facilities[481]["latitude"] is None  # one of the 4 sites without a geoPoint
    contacts = [r for r in rows["facility_contacts"] if r["nct_id"] == BIGGEST]
    west_haven = next(r for r in contacts if r["facility_ordinal"] == 180)
    assert west_haven | {"id": None} == {
        "id": None,
        "nct_id": BIGGEST,
        "facility_ordinal": 180,
        "contact_ordinal": 0,
        "facility_id": facility_id(BIGGEST, 180),
        "contact_type": "primary",
        "name": "Site Public Contact",
        "email": None,
        "phone": "203-937-3421",
        "phone_extension": "2832",
        "role": "CONTACT",
    }
    investigators = [r for r in rows["facility_investigators"] if r["nct_id"] == BIGGEST]
    assert len(contacts) == len(investigators) == 659
    pi = next(r for r in investigators if r["facility_ordinal"] == 180)
    assert (pi["contact_ordinal"], pi["role"], pi["name"]) == (
        1,
        "PRINCIPAL_INVESTIGATOR",
        "Herta H. Chao",
    )


def test_primary_and_backup_contacts_keep_their_positions(rows: Rows) -> None:
    contacts = [r for r in rows["facility_contacts"] if r["nct_id"] == TWO_CONTACTS]
    assert [(r["contact_ordinal"], r["contact_type"], r["name"], r["email"]) for r in contacts] == [
        (0, "primary", "Jan Cerny, MD, PhD", "Jan.Cerny@umassmemorial.org"),
        (1, "backup", "Karl Simin, PhD", "Karl.Simin@umassmed.edu"),
    ]
    [pi] = [r for r in rows["facility_investigators"] if r["nct_id"] == TWO_CONTACTS]
    assert (pi["contact_ordinal"], pi["name"], pi["phone"]) == (2, "Jan Cerny, MD, PhD", None)


def test_countries_are_distinct_location_countries_then_removed_ones(
    sample_studies: dict[str, Record], rows: Rows
) -> None:
    got = _by_study(rows["countries"])
    for nct, study in sample_studies.items():
        countries = got.get(nct, [])
        current = list(dict.fromkeys(loc["country"] for loc in _locations(study)))
        removed = study["derivedSection"]["miscInfoModule"].get("removedCountries", [])
        assert [(r["name"], r["removed"]) for r in countries] == [(c, False) for c in current] + [
            (c, True) for c in removed
        ], nct
        assert [r["ordinal"] for r in countries] == list(range(len(countries)))
    renamed = [(r["name"], r["removed"]) for r in got[RENAMED]]
    assert ("Czechia", False) in renamed and renamed[-1] == ("Czech Republic", True)
    assert [(r["name"], r["removed"]) for r in got[BIGGEST]] == [
        ("United States", False),
        ("Guam", False),
    ]


def test_locations_nested_is_not_mapped(sample_studies: dict[str, Record], rows: Rows) -> None:
    module = sample_studies[NESTED]["protocolSection"]["contactsLocationsModule"]
    assert module["locations_nested"] == module["locations"]  # item for item, same order
    assert len([r for r in rows["facilities"] if r["nct_id"] == NESTED]) == 437


def test_sample_values_all_fit_their_columns(built: tuple[Rows, list[Any]]) -> None:
    assert built[1] == []


def test_ids_are_unique_and_foreign_keys_resolve(rows: Rows) -> None:
    for table in tables.TABLES:
        ids = [r["id"] for r in rows[table.name]]
        assert len(set(ids)) == len(ids), table.name
    facility_ids = {r["id"] for r in rows["facilities"]}
    for name in ("facility_contacts", "facility_investigators"):
        assert {r["facility_id"] for r in rows[name]} <= facility_ids
    # The FK is the parent's row, not just any facility of the study.
    by_id = {r["id"]: r for r in rows["facilities"]}
    for r in rows["facility_contacts"][:500]:
        parent = by_id[r["facility_id"]]
        assert (parent["nct_id"], parent["ordinal"]) == (r["nct_id"], r["facility_ordinal"])


def test_aact_site_queries_run_in_duckdb(sample_studies: dict[str, Record], rows: Rows) -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())  # primary keys enforced: duplicates would fail the insert
        con.register("_rows", pa.Table.from_pylist(rows[table.name], schema=table.arrow_schema()))
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    joined = con.execute(
        "SELECT count(*) FROM ctgov.facilities f JOIN ctgov.facility_contacts fc "
        "ON fc.facility_id = f.id"
    ).fetchall()
    contacts_in_json = sum(
        1
        for study in sample_studies.values()
        for _, _, contact in _contacts(study)
        if contact.get("role") not in INVESTIGATOR_ROLES
    )
    assert joined == [(contacts_in_json,)] == [(5644,)]
    us_sites = con.execute(
        "SELECT count(DISTINCT f.nct_id) FROM ctgov.facilities f "
        "JOIN ctgov.countries c ON c.nct_id = f.nct_id AND c.name = f.country "
        "WHERE c.removed IS NOT TRUE AND f.country = ?",
        ["United States"],
    ).fetchall()
    us_in_json = sum(
        any(loc.get("country") == "United States" for loc in _locations(study))
        for study in sample_studies.values()
    )
    assert us_sites == [(us_in_json,)]
    assert us_in_json > 100


@pytest.mark.parametrize(
    ("locations", "counts"),
    [
        pytest.param("Boston", (0, 0, 0, 0), id="locations-not-a-list"),
        # A non-object location gives no row but still takes a position.
        pytest.param(["x", {"country": "France"}], (1, 0, 0, 1), id="junk-item"),
        pytest.param([{"contacts": "x", "geoPoint": 5}], (1, 0, 0, 0), id="junk-children"),
        pytest.param(
            [{"contacts": [{"name": "A"}, None, {"role": "STUDY_CHAIR"}, {"role": []}]}],
            (1, 2, 1, 0),
            id="roles-missing-or-odd",  # no role or a non-text role: a contact, as in AACT
        ),
        pytest.param(
            [{"country": {"name": "France"}}, {"country": "Peru"}, {"country": "Peru"}],
            (3, 0, 0, 1),
            id="country-not-text",  # not a country name, and unhashable: no countries row
        ),
    ],
)
def test_malformed_locations(locations: Any, counts: tuple[int, int, int, int]) -> None:
    study = {"protocolSection": {"contactsLocationsModule": {"locations": locations}}}
    got = tuple(len(study_rows(table, study)) for table in tables.TABLES)
    assert got == counts


def test_junk_leaves_are_reported_not_dropped() -> None:
    study = {
        "protocolSection": {
            "contactsLocationsModule": {"locations": [{"geoPoint": {"lat": "41.6", "lon": 2}}]}
        },
        "derivedSection": {"miscInfoModule": {"removedCountries": ["Peru", 3]}},
    }
    for strict in (False, True):  # found by the conversion, or made to conform up front
        got, issues = table_rows(tables.TABLES, {"NCT00000001": study}, strict=strict)
        assert sorted((i.table, i.column, i.value) for i in issues) == [
            ("ctgov.countries", "name", "3"),
            ("ctgov.facilities", "latitude", "'41.6'"),
        ]
        assert [(r["latitude"], r["longitude"]) for r in got["facilities"]] == [(None, 2.0)]
        assert [(r["ordinal"], r["name"], r["removed"]) for r in got["countries"]] == [
            (0, "Peru", True),
            (1, None, True),  # the row stays; the raw record keeps the value
        ]


# --- property test: transforms never raise on damaged records ------------------------------------


@pytest.fixture(scope="module")
def small_site_records(sample_studies: dict[str, Record]) -> list[Record]:
    """Sample studies cut to this family's paths (3 locations at most), where they have contacts."""
    small = []
    for study in sample_studies.values():
        locations = _locations(study)[:3]
        removed = study["derivedSection"]["miscInfoModule"].get("removedCountries")
        if any(loc.get("contacts") for loc in locations) or removed:
            small.append(
                {
                    "protocolSection": {"contactsLocationsModule": {"locations": locations}},
                    "derivedSection": {"miscInfoModule": {"removedCountries": removed or []}},
                }
            )
    assert len(small) > 50
    return small


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_transforms_never_raise(small_site_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_site_records)), data)
    got, _ = table_rows(tables.TABLES, {"NCT00000001": record})  # may report issues, never raises
    locations = _dig(record, "protocolSection", "contactsLocationsModule", "locations")
    expected = sum(isinstance(x, dict) for x in locations) if isinstance(locations, list) else 0
    assert len(got["facilities"]) == expected


def test_every_spec_leaf_of_the_family_has_a_column() -> None:
    prefixes = (
        "protocolSection.contactsLocationsModule.locations[]",
        "derivedSection.miscInfoModule.removedCountries[]",
    )
    sources = {s for table in tables.TABLES for col in table.columns for s in col.sources}
    spec = leaf_specs()
    assert sources <= set(spec)
    assert {p for p in spec if p.startswith(prefixes)} <= sources
