from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.study.paths import leaf_specs
from schemas.tables import references as tables
from tests.support.damage import mutate
from tests.support.tables import study_rows, table_rows
from transforms.references import (
    TABLE_BUILDERS,
    datetime_minutes,
    provided_document_url,
    reference_id,
)

Record = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]

GILEAD = "NCT04431453"  # references without pmid, a link, IPD info types, two uploaded documents
THREE_DOCS = "NCT02369484"  # Prot_001, SAP_000, ICF_002: file numbers are not list positions
IPD_DOCS = "NCT04845451"  # two availIpds entries
NO_SAP = "NCT05005351"  # largeDocumentModule.noSap = true beside one protocol document
ESCAPED = "NCT06648538"  # link labels with markdown escapes (\[En ligne\])

# (table, path of the list it flattens, whether only object items give rows)
LIST_SPECS: list[tuple[str, str, bool]] = [
    ("study_references", "protocolSection.referencesModule.references", True),
    ("links", "protocolSection.referencesModule.seeAlsoLinks", True),
    # A list of strings: every item is a row.
    ("ipd_information_types", "protocolSection.ipdSharingStatementModule.infoTypes", False),
    ("documents", "protocolSection.referencesModule.availIpds", True),
    ("provided_documents", "documentSection.largeDocumentModule.largeDocs", True),
]
LISTS = [pytest.param(*spec, id=spec[0]) for spec in LIST_SPECS]


def _dig(value: Any, path: str) -> Any:
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _count(study: Record, path: str, objects_only: bool) -> int:
    value = _dig(study, path)
    if not isinstance(value, list):
        return 0
    return sum(isinstance(v, dict) for v in value) if objects_only else len(value)


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


@pytest.mark.parametrize(("table", "path", "objects_only"), LISTS)
def test_one_row_per_list_item(
    sample_studies: dict[str, Record], rows: Rows, table: str, path: str, objects_only: bool
) -> None:
    per_study: dict[str, list[int]] = {}
    for r in rows[table]:
        per_study.setdefault(r["nct_id"], []).append(r["ordinal"])
    for nct, study in sample_studies.items():
        assert per_study.get(nct, []) == list(range(_count(study, path, objects_only))), nct
    assert rows[table]  # the sample has every one of these lists somewhere


def test_sample_totals(rows: Rows) -> None:
    assert {name: len(r) for name, r in rows.items()} == {
        "study_references": 1070,
        "retractions": 0,  # no sample reference carries retractions; see the hand-written case
        "links": 103,
        "ipd_information_types": 231,
        "documents": 4,
        "provided_documents": 60,
        "large_document_modules": 1,
    }


def test_references_keep_missing_pmids_and_types(rows: Rows) -> None:
    refs = _of(rows, "study_references", GILEAD)
    assert len(refs) == 4
    assert refs[0] | {"id": None} == {
        "id": None,
        "nct_id": GILEAD,
        "ordinal": 0,
        "pmid": None,
        "reference_type": "BACKGROUND",
        "citation": (
            "Ahmed A, Rojo P, Agwu A, Kimberlin D, Deville J, Mendez-Echevarria A, et al. "
            "Remdesivir Treatment for COVID-19 in Hospitalized Children: CARAVAN Interim Results "
            "[Presentation]. European Congress of Clinical Microbiology & Infectious Diseases "
            "(ECCMID) 2022; 2022 23-26 April; Lisbon, Portugal and Online."
        ),
    }
    assert refs[0]["id"] == reference_id(GILEAD, 0)


def test_links_ipd_types_and_ipd_documents(rows: Rows) -> None:
    [link] = _of(rows, "links", GILEAD)
    assert (link["url"], link["description"]) == (
        "https://www.gileadclinicaltrials.com/study/?id=GS-US-540-5823",
        "Gilead Clinical Trials Website",
    )
    assert [r["name"] for r in _of(rows, "ipd_information_types", GILEAD)] == [
        "STUDY_PROTOCOL",
        "SAP",
    ]
    escaped = _of(rows, "links", ESCAPED)[1]["description"]
    assert escaped.startswith("Mildeca \\[En ligne\\]. Les français")  # text kept exactly
    docs = _of(rows, "documents", IPD_DOCS)
    assert [(r["ordinal"], r["document_id"], r["document_type"], r["url"]) for r in docs] == [
        (0, "Cluster Headaches-Neuroma", "Clinical Study Report", "https://curemymigraine.com/"),
        (
            1,
            "Cluster Headaches-Neuroma",
            "Statistical Analysis Plan",
            "https://curemymigraine.com/",
        ),
    ]
    assert docs[0]["comment"] == (
        "Data access on-demand only by research clinician and participating individuals"
    )


def test_provided_documents(rows: Rows) -> None:
    docs = _of(rows, "provided_documents", THREE_DOCS)
    assert docs[0] | {"id": None} == {
        "id": None,
        "nct_id": THREE_DOCS,
        "ordinal": 0,
        "document_type": "Study Protocol",
        "has_protocol": True,
        "has_icf": False,
        "has_sap": False,
        "document_date": dt.date(2014, 12, 1),
        "url": "https://ClinicalTrials.gov/ProvidedDocs/84/NCT02369484/Prot_001.pdf",
        "type_abbrev": "Prot",
        "upload_date": dt.datetime(2018, 2, 6, 11, 4),
        "filename": "Prot_001.pdf",
        "size": 2331860,
    }
    assert [(r["type_abbrev"], r["has_icf"], r["filename"]) for r in docs[1:]] == [
        ("SAP", False, "SAP_000.pdf"),
        ("ICF", True, "ICF_002.pdf"),
    ]
    assert docs[2]["upload_date"] == dt.datetime(2018, 2, 6, 11, 10)


def test_no_sap_has_its_own_row(sample_studies: dict[str, Record], rows: Rows) -> None:
    with_no_sap = {
        nct
        for nct, s in sample_studies.items()
        if _dig(s, "documentSection.largeDocumentModule.noSap") is not None
    }
    assert {r["nct_id"] for r in rows["large_document_modules"]} == with_no_sap == {NO_SAP}
    assert rows["large_document_modules"][0]["no_sap"] is True
    study = {"documentSection": {"largeDocumentModule": {"noSap": False}}}  # no documents at all
    [row] = study_rows(tables.LARGE_DOCUMENT_MODULES, study)
    assert row["no_sap"] is False
    assert study_rows(tables.PROVIDED_DOCUMENTS, study) == []


def test_retractions_point_at_their_reference() -> None:
    # Hand-written: no sample reference is retracted. The second reference has two notices.
    study = {
        "protocolSection": {
            "referencesModule": {
                "references": [
                    {"pmid": "1", "type": "RESULT", "citation": "A."},
                    {
                        "pmid": "2",
                        "type": "RESULT",
                        "citation": "B.",
                        "retractions": [
                            {"pmid": "90", "source": "Lancet"},
                            "junk",  # takes a position, gives no row
                            {"pmid": "91"},
                        ],
                    },
                ]
            }
        }
    }
    got, issues = table_rows([tables.STUDY_REFERENCES, tables.RETRACTIONS], {"NCT00000001": study})
    refs, retractions = got["study_references"], got["retractions"]
    assert [
        (r["reference_ordinal"], r["ordinal"], r["pmid"], r["source"]) for r in retractions
    ] == [(1, 0, "90", "Lancet"), (1, 2, "91", None)]
    assert {r["reference_id"] for r in retractions} == {refs[1]["id"]}
    assert len({r["id"] for r in retractions}) == 2
    assert issues == []  # the junk item is no value of a column


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2019-05-16T06:59", dt.datetime(2019, 5, 16, 6, 59), id="spec-shape"),
        pytest.param(None, None, id="missing"),
        # Not the spec shape: no timestamp (the drift check reports the text as format drift).
        pytest.param("2019-05-16", None, id="date-only"),
        pytest.param("2019-13-16T06:59", None, id="month-13"),
    ],
)
def test_datetime_minutes(raw: Any, expected: Any) -> None:
    assert datetime_minutes(raw) == expected


def test_bad_upload_date_and_filename_are_reported_not_dropped() -> None:
    # A number would be read by Arrow as microseconds since 1970; a list is no file name.
    doc = {"uploadDate": 5, "filename": ["x"]}
    study = {"documentSection": {"largeDocumentModule": {"largeDocs": [doc]}}}
    for strict in (False, True):  # found by the conversion, or made to conform up front
        got, issues = table_rows([tables.PROVIDED_DOCUMENTS], {"NCT00000001": study}, strict=strict)
        assert sorted((i.column, i.value) for i in issues) == [
            ("filename", "['x']"),
            ("upload_date", "5"),
        ]
        [row] = got["provided_documents"]
        assert (row["upload_date"], row["filename"], row["url"]) == (None, None, None)


@pytest.mark.parametrize(
    ("filename", "url"),
    [
        pytest.param(
            "SAP_000.pdf",
            "https://ClinicalTrials.gov/ProvidedDocs/71/NCT03630471/SAP_000.pdf",
            id="aact-recipe",
        ),
        pytest.param(None, None, id="no-filename"),  # no file, no link
        pytest.param("", None, id="empty-filename"),
    ],
)
def test_provided_document_url(filename: str | None, url: str | None) -> None:
    assert provided_document_url("NCT03630471", filename) == url


def test_sample_values_all_fit_their_columns(built: tuple[Rows, list[Any]]) -> None:
    assert built[1] == []


def test_ids_are_unique(rows: Rows) -> None:
    for table in tables.TABLES:
        ids = [r["id"] for r in rows[table.name]]
        assert len(set(ids)) == len(ids), table.name
    all_ids = [r["id"] for table_rows in rows.values() for r in table_rows]
    assert len(set(all_ids)) == len(all_ids)  # the table name is part of every id's recipe


# Row counts in table order: references, retractions, links, IPD types, documents, provided
# documents, large document modules.
@pytest.mark.parametrize(
    ("study", "counts"),
    [
        pytest.param(
            {"protocolSection": {"referencesModule": []}},
            (0, 0, 0, 0, 0, 0, 0),
            id="module-is-a-list",
        ),
        pytest.param(
            {"protocolSection": {"referencesModule": {"references": [{"retractions": 3}]}}},
            (1, 0, 0, 0, 0, 0, 0),
            id="retractions-not-a-list",
        ),
        pytest.param(
            {"documentSection": {"largeDocumentModule": {"largeDocs": "x", "noSap": "yes"}}},
            (0, 0, 0, 0, 0, 0, 0),
            id="docs-not-a-list",  # noSap as text is reported and made null: no statement, no row
        ),
        pytest.param(
            {"protocolSection": {"ipdSharingStatementModule": {"infoTypes": [None]}}},
            (0, 0, 0, 1, 0, 0, 0),
            id="null-info-type",  # every infoTypes item is a row, as listed
        ),
    ],
)
def test_malformed_modules(study: Record, counts: tuple[int, ...]) -> None:
    got, issues = table_rows(tables.TABLES, {"NCT00000001": study})
    assert tuple(len(got[table.name]) for table in tables.TABLES) == counts
    no_sap = _dig(study, "documentSection.largeDocumentModule.noSap")
    reported = [(i.column, i.value) for i in issues]
    assert reported == ([] if no_sap is None else [("no_sap", repr(no_sap))])


# --- property test: transforms never raise on damaged records ------------------------------------


def _cut(value: Any) -> Any:
    """`value` with every list cut to 3 items, so copies stay cheap."""
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value[:3]]
    return value


@pytest.fixture(scope="module")
def small_records(sample_studies: dict[str, Record]) -> list[Record]:
    """Sample studies cut to this family's modules, where they have any, plus one retraction."""
    small = []
    for study in sample_studies.values():
        protocol = study["protocolSection"]
        record = _cut(
            {
                "protocolSection": {
                    k: protocol[k]
                    for k in ("referencesModule", "ipdSharingStatementModule")
                    if k in protocol
                },
                "documentSection": study.get("documentSection", {}),
            }
        )
        if record["protocolSection"].get("referencesModule") or record["documentSection"]:
            small.append(record)
    retracted = {"pmid": "2", "retractions": [{"pmid": "9", "source": "Lancet"}]}
    small.append({"protocolSection": {"referencesModule": {"references": [retracted]}}})
    assert len(small) > 50
    return small


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_transforms_never_raise(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    got, _ = table_rows(tables.TABLES, {"NCT00000001": record})  # may report issues, never raises
    for name, path, objects_only in LIST_SPECS:
        assert len(got[name]) == _count(record, path, objects_only)


def test_tables_load_into_duckdb(rows: Rows) -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table in tables.TABLES:
        con.execute(table.duckdb_ddl())  # primary keys enforced
        con.register("_rows", pa.Table.from_pylist(rows[table.name], schema=table.arrow_schema()))
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    uploaded = con.execute(
        "SELECT filename FROM ctgov.provided_documents "
        "WHERE nct_id = ? AND upload_date >= TIMESTAMP '2018-02-06 11:05' ORDER BY ordinal",
        [THREE_DOCS],
    ).fetchall()
    assert uploaded == [("ICF_002.pdf",)]
    joined = con.execute(
        "SELECT count(*) FROM ctgov.retractions r "
        "JOIN ctgov.study_references sr ON sr.id = r.reference_id"
    ).fetchall()
    assert joined == [(0,)]  # the sample has no retractions; the join must still plan and run


def test_every_spec_leaf_of_the_family_has_a_column() -> None:
    prefixes = (
        "protocolSection.referencesModule.",
        "protocolSection.ipdSharingStatementModule.infoTypes[]",
        "documentSection.",
    )
    sources = {s for table in tables.TABLES for col in table.columns for s in col.sources}
    spec = leaf_specs()
    assert sources <= set(spec)
    assert {p for p in spec if p.startswith(prefixes)} <= sources
