from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.study.paths import extra_leaf_specs, leaf_specs
from schemas.tables import studies as tables
from tests.support.damage import mutate
from tests.support.tables import study_rows, table_rows
from transforms._dates import parse_partial_date
from transforms.arrow_tables import TypeIssue
from transforms.normalize import builders
from transforms.studies import US_TERRITORIES, month_span

Record = dict[str, Any]
Row = dict[str, Any]

WITHDRAWN = "NCT00973089"  # withdrawn, whyStopped, untyped month-only start date, BMI limits
OBSERVATIONAL = "NCT03571217"  # patient registry, 2 cohorts, bioSpec, no masking
RESULTS = "NCT02397473"  # results: 4 event groups, 1 primary + 11 secondary outcomes
EXPANDED = "NCT04431453"  # points to an expanded-access record; results
BIGGEST = "NCT04267848"  # 1,148 sites in the United States and Guam; ESTIMATED completion
MANY_TERMS = "NCT02513394"  # other AEs: 5,424 participants, 45,152 by summing per-term rows
CAVEATS = "NCT00712335"  # results with limitationsAndCaveats

# Leaves of these modules that other families map (each list is another table's rows), and the
# refresh date, which is not study data.
NOT_HERE = (
    "protocolSection.identificationModule.orgStudyIdInfo.",
    "protocolSection.identificationModule.secondaryIdInfos[]",
    "protocolSection.identificationModule.nctIdAliases[]",
    "protocolSection.ipdSharingStatementModule.infoTypes[]",
    "derivedSection.miscInfoModule.versionHolder",
)
MODULES = (
    "protocolSection.identificationModule.",
    "protocolSection.statusModule.",
    "protocolSection.oversightModule.",
    "protocolSection.descriptionModule.",
    "protocolSection.designModule.",
    "protocolSection.eligibilityModule.",
    "protocolSection.ipdSharingStatementModule.",
    "derivedSection.miscInfoModule.modelPredictions.",
    "derivedSection.miscInfoModule.versionHolder",
    "hasResults",
)


def _dig(value: Any, path: str) -> Any:
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[dict[str, list[Row]], list[TypeIssue]]:
    return table_rows(tables.TABLES, sample_studies)


@pytest.fixture(scope="module")
def study_table(built: tuple[dict[str, list[Row]], list[TypeIssue]]) -> dict[str, Row]:
    return {row["nct_id"]: row for row in built[0]["studies"]}


@pytest.fixture(scope="module")
def calculated(built: tuple[dict[str, list[Row]], list[TypeIssue]]) -> dict[str, Row]:
    return {row["nct_id"]: row for row in built[0]["calculated_values"]}


def test_builders_cover_every_declared_table() -> None:
    assert set(tables.TABLES) <= set(builders())
    assert [t.name for t in tables.TABLES] == ["studies", "calculated_values"]
    assert "id" not in tables.STUDIES.column_names  # AACT's studies has no id
    assert [v.name for v in tables.VIEWS] == [
        "brief_summaries",
        "detailed_descriptions",
        "designs",
        "eligibilities",
    ]


def test_one_row_per_study_in_each_table(
    sample_studies: dict[str, Record], built: tuple[dict[str, list[Row]], list[TypeIssue]]
) -> None:
    for table in tables.TABLES:
        assert [r["nct_id"] for r in built[0][table.name]] == list(sample_studies), table.name
    assert len(sample_studies) == 670


def test_rows_fit_their_tables(
    built: tuple[dict[str, list[Row]], list[TypeIssue]], study_table: dict[str, Row]
) -> None:
    assert built[1] == []  # every sample value fits its column
    for table in tables.TABLES:
        rows = built[0][table.name]
        assert all(list(r) == list(table.column_names) for r in rows), table.name
        assert len(rows) == 670
    # Every studies column is filled for some sample study, except for leaves the sample never
    # carries (no expanded-access record, results waiver, delayed posting, PPSD, baseline units).
    rows = list(study_table.values())
    empty = {c for c in tables.STUDIES.column_names if all(r[c] is None for r in rows)}
    assert empty == {
        "expanded_access_type_individual",
        "expanded_access_type_intermediate",
        "expanded_access_type_treatment",
        "n_ptrs_to_this_exp_acc_nct_id",
        "is_results_waived",
        "delayed_posting",
        "is_ppsd",
        "baseline_type_units_analyzed",
    }


def test_withdrawn_study_with_a_month_only_start(study_table: dict[str, Row]) -> None:
    row = study_table[WITHDRAWN]
    assert {k: row[k] for k in row if k.startswith(("start_", "primary_completion_"))} == {
        "start_date": dt.date(2010, 5, 31),  # AACT: the last day of the month
        "start_month_year": "2010-05",
        "start_date_precision": "month",
        "start_date_type": None,  # the record gives no type
        "primary_completion_date": dt.date(2015, 3, 31),
        "primary_completion_month_year": "2015-03",
        "primary_completion_date_precision": "month",
        "primary_completion_date_type": "ACTUAL",
    }
    assert row["overall_status"] == "WITHDRAWN"
    assert row["why_stopped"] == (
        "recruiting or enrolling participants has halted prematurely and will not resume"
    )
    assert (row["study_first_posted_date"], row["study_first_posted_date_type"]) == (
        dt.date(2009, 9, 9),
        "ESTIMATED",
    )
    assert (row["verification_month_year"], row["verification_date"]) == (
        "2015-08",
        dt.date(2015, 8, 31),
    )
    assert (row["enrollment"], row["enrollment_raw"], row["is_enrollment_unknown"]) == (0, 0, False)
    assert (row["phase"], row["phases"], row["number_of_arms"], row["number_of_groups"]) == (
        "NA",
        ["NA"],
        2,
        None,
    )
    masked = (
        "subject_masked",
        "caregiver_masked",
        "investigator_masked",
        "outcomes_assessor_masked",
    )
    assert [row[k] for k in masked] == [False, False, True, False]
    assert (row["masking"], row["who_masked"]) == ("SINGLE", ["INVESTIGATOR"])
    assert (row["child"], row["adult"], row["older_adult"]) == (True, False, False)
    assert (row["minimum_age"], row["minimum_age_num"], row["minimum_age_unit"]) == (
        "5 Years",
        5,
        "year",
    )
    assert row["criteria"].startswith("Inclusion Criteria:\n\n* Healthy children\n")
    assert (row["healthy_volunteers"], row["gender"], row["has_dmc"]) == (True, "ALL", True)
    assert (row["model_predicted_min_bmi"], row["model_predicted_max_bmi"]) == (0, 101)
    assert (row["source"], row["source_class"], row["has_results"]) == (
        "Hadassah Medical Organization",
        "OTHER",
        False,
    )
    assert row["plan_to_share_ipd"] is None and row["detailed_description"].startswith(
        "The treatment provided today for deep carious lesions"
    )


def test_observational_registry(study_table: dict[str, Row]) -> None:
    row = study_table[OBSERVATIONAL]
    assert {k: row[k] for k in tables.STUDIES.column_names if k in DESIGN_AND_MORE} == {
        "study_type": "OBSERVATIONAL",
        "patient_registry": True,
        "target_duration": "10 Years",
        "observational_model": "COHORT",
        "time_perspective": "PROSPECTIVE",
        "allocation": None,
        "masking": None,
        "who_masked": None,
        # No whoMasked: the four booleans are NULL, not false (as AACT).
        "subject_masked": None,
        "caregiver_masked": None,
        "investigator_masked": None,
        "outcomes_assessor_masked": None,
        "biospec_retention": "SAMPLES_WITHOUT_DNA",
        "biospec_description": "Blood",
        "phase": None,
        "phases": None,
        "number_of_arms": None,
        "number_of_groups": 2,  # cohorts, not arms, outside interventional studies
        "enrollment": 2500,
        "enrollment_type": "ESTIMATED",
        "sampling_method": "PROBABILITY_SAMPLE",
        "maximum_age_num": 100,
    }
    assert row["population"].startswith("Type 2 diabetes mellitus. Diabetes mellitus (DM)")


DESIGN_AND_MORE = {
    "study_type", "patient_registry", "target_duration", "observational_model", "time_perspective",
    "allocation", "masking", "who_masked", "subject_masked", "caregiver_masked",
    "investigator_masked", "outcomes_assessor_masked", "biospec_retention", "biospec_description",
    "phase", "phases", "number_of_arms", "number_of_groups", "enrollment", "enrollment_type",
    "sampling_method", "maximum_age_num",
}  # fmt: skip


def test_results_study(study_table: dict[str, Row], calculated: dict[str, Row]) -> None:
    row = study_table[RESULTS]
    assert row["baseline_population"] == (
        "All randomized participants who received at least one dose of study drug."
    )
    assert (row["results_first_submitted_date"], row["has_results"]) == (dt.date(2019, 2, 8), True)
    assert (row["plan_to_share_ipd"], row["is_fda_regulated_drug"]) == ("YES", True)
    assert row["ipd_time_frame"].startswith("Data are available 6 months after the primary")
    assert calculated[RESULTS] == {
        "nct_id": RESULTS,
        "number_of_facilities": 47,
        "number_of_nsae_subjects": 15,  # 4 + 7 + 3 + 1
        "number_of_sae_subjects": 2,  # 0 + 0 + 2 + 0
        "registered_in_calendar_year": 2015,
        "nlm_download_date": None,
        # 2015-05-22 -> 2018-02-12: 32 whole months (AACT: 997 days // 30 = 33).
        "actual_duration": 32,
        "were_results_reported": True,
        "months_to_report_results": 11,  # 2018-02-12 -> 2019-02-08
        "has_us_facility": True,
        "has_single_facility": False,
        "minimum_age_num": 18,
        "maximum_age_num": 65,
        "minimum_age_unit": "year",
        "maximum_age_unit": "year",
        "number_of_primary_outcomes_to_measure": 1,
        "number_of_secondary_outcomes_to_measure": 11,
        "number_of_other_outcomes_to_measure": None,  # none listed: NULL, not 0 (AACT)
    }


def test_expanded_access_and_caveats(
    study_table: dict[str, Row], calculated: dict[str, Row]
) -> None:
    row = study_table[EXPANDED]
    assert (
        row["has_expanded_access"],
        row["expanded_access_nctid"],
        row["expanded_access_status_for_nctid"],
    ) == (True, "NCT04323761", "APPROVED_FOR_MARKETING")
    assert (
        calculated[EXPANDED]["actual_duration"],
        calculated[EXPANDED]["months_to_report_results"],
    ) == (
        30,  # 2020-07-21 -> 2023-02-10
        9,  # 2023-02-10 -> 2023-11-28
    )
    assert study_table[CAVEATS]["limitations_and_caveats"].startswith(
        "It is difficult attaining representative gender ratios"
    )


def test_biggest_study(calculated: dict[str, Row]) -> None:
    row = calculated[BIGGEST]
    assert (row["number_of_facilities"], row["has_us_facility"], row["has_single_facility"]) == (
        1148,
        True,
        False,
    )
    # Primary completion is ESTIMATED: no duration (AACT excludes it too) and no reporting delay.
    assert (row["actual_duration"], row["months_to_report_results"]) == (None, None)
    assert row["number_of_other_outcomes_to_measure"] == 3


def test_adverse_event_subjects_count_participants_not_terms(
    sample_studies: dict[str, Record], calculated: dict[str, Row]
) -> None:
    ae = sample_studies[MANY_TERMS]["resultsSection"]["adverseEventsModule"]
    per_term = sum(s["numAffected"] for event in ae["otherEvents"] for s in event["stats"])
    assert (calculated[MANY_TERMS]["number_of_nsae_subjects"], per_term) == (5424, 45152)
    assert calculated[MANY_TERMS]["number_of_sae_subjects"] == 598


def test_sample_wide_rules(
    sample_studies: dict[str, Record], study_table: dict[str, Row], calculated: dict[str, Row]
) -> None:
    for nct, study in sample_studies.items():
        row, calc = study_table[nct], calculated[nct]
        phases = _dig(study, "protocolSection.designModule.phases")
        assert row["phase"] == ("/".join(phases) if phases else None), nct
        locations = _dig(study, "protocolSection.contactsLocationsModule.locations") or []
        assert calc["number_of_facilities"] == len(locations), nct
        measures = _dig(study, "resultsSection.outcomeMeasuresModule.outcomeMeasures")
        assert calc["were_results_reported"] is bool(measures), nct
        assert row["has_results"] is study["hasResults"], nct
        assert row["enrollment"] == row["enrollment_raw"], nct  # no sentinel in the sample
        for which in ("minimum", "maximum"):
            assert calc[f"{which}_age_num"] == row[f"{which}_age_num"], nct
            assert calc[f"{which}_age_unit"] == row[f"{which}_age_unit"], nct
    # has_results means submitted, were_results_reported means posted: the sample agrees.
    assert sum(r["has_results"] for r in study_table.values()) == 44
    assert sum(r["were_results_reported"] for r in calculated.values()) == 44
    assert sum(r["has_us_facility"] is None for r in calculated.values()) == 41  # no locations
    assert sum(r["actual_duration"] is not None for r in calculated.values()) == 171


def test_unknown_enrollment_sentinel(sample_studies: dict[str, Record]) -> None:
    # The sample has no 99999999 count; a real record edited to carry one.
    study = copy.deepcopy(sample_studies[OBSERVATIONAL])
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 99999999
    [row] = study_rows(tables.STUDIES, study, OBSERVATIONAL)
    assert (row["enrollment"], row["enrollment_raw"], row["is_enrollment_unknown"]) == (
        None,
        99999999,
        True,
    )
    del study["protocolSection"]["designModule"]["enrollmentInfo"]
    [row] = study_rows(tables.STUDIES, study, OBSERVATIONAL)
    assert (row["enrollment"], row["enrollment_raw"], row["is_enrollment_unknown"]) == (
        None,
        None,
        None,
    )


def _struct(spec: Any) -> Any:
    """`"2020-01-15 ACTUAL"` -> `{"date": "2020-01-15", "type": "ACTUAL"}`; type optional."""
    if not isinstance(spec, str):
        return spec
    date, *date_type = spec.split()
    return {"date": date, **({"type": date_type[0]} if date_type else {})}


def _status(start: Any, completion: Any, results: str | None = None) -> Record:
    status = {"startDateStruct": _struct(start), "primaryCompletionDateStruct": _struct(completion)}
    if results:
        status["resultsFirstSubmitDate"] = results
    return {"protocolSection": {"statusModule": status}}


@pytest.mark.parametrize(
    ("study", "duration", "to_report"),
    [
        pytest.param(
            _status("2020-01-15 ACTUAL", "2021-03-20 ACTUAL", "2021-09-19"), 14, 5, id="actual-days"
        ),
        # AACT uses the estimated completion date for months_to_report_results; we don't.
        pytest.param(
            _status("2020-01-15 ACTUAL", "2021-03-20 ESTIMATED", "2021-09-19"),
            None,
            None,
            id="estimated-completion",
        ),
        pytest.param(
            _status("2020-01-15 ESTIMATED", "2021-03-20 ACTUAL", "2021-09-19"),
            None,
            5,
            id="estimated-start",
        ),
        # AACT lets an untyped date through for actual_duration; we don't.
        pytest.param(_status("2020-01", "2021-03 ACTUAL"), None, None, id="untyped-start"),
        # Month precision: calendar months between 2020-01 and 2021-03, whatever the days.
        pytest.param(
            _status("2020-01 ACTUAL", "2021-03 ACTUAL", "2021-03-01"), 14, 0, id="month-only"
        ),
        pytest.param(_status("2020 ACTUAL", "2021-03-20 ACTUAL"), None, None, id="year-only"),
        # Results submitted before the (later corrected) completion date: kept, negative.
        pytest.param(
            _status("2021-05-01 ACTUAL", "2021-03-20 ACTUAL", "2021-01-19"), -1, -2, id="negative"
        ),
        pytest.param(_status(5, ["x"], "junk"), None, None, id="junk-structs"),
    ],
)
def test_durations(study: Record, duration: int | None, to_report: int | None) -> None:
    [row] = study_rows(tables.CALCULATED_VALUES, study)
    assert (row["actual_duration"], row["months_to_report_results"]) == (duration, to_report)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param("2021-01-31", "2021-02-28", 1, id="to-end-of-shorter-month"),
        pytest.param("2021-01-31", "2021-02-27", 0, id="day-before-end-of-month"),
        pytest.param("2020-01-31", "2020-02-29", 1, id="leap-february"),
        pytest.param("2021-01-20", "2021-02-19", 0, id="one-day-short"),
        pytest.param("2021-01-20", "2021-02-20", 1, id="same-day-next-month"),
        pytest.param("2021-02-28", "2021-01-31", -1, id="backwards"),
        pytest.param("2021-01-15", "2021-01-15", 0, id="same-day"),
        pytest.param("2021-01", "2021-02-01", 1, id="month-and-day"),
        pytest.param("2021-01-31", "2021-02", 1, id="day-and-month"),
        pytest.param("2021", "2022-02-01", None, id="year-precision"),
        pytest.param("2021-13", "2022-02-01", None, id="not-a-date"),
    ],
)
def test_month_span(start: str, end: str, months: int | None) -> None:
    assert month_span(parse_partial_date(start), parse_partial_date(end)) == months


def _sites(*countries: Any) -> Record:
    locations = [{"country": c} for c in countries]
    return {"protocolSection": {"contactsLocationsModule": {"locations": locations}}}


@pytest.mark.parametrize(
    ("study", "expected"),
    [
        pytest.param(_sites("Puerto Rico"), (1, True, True), id="us-territory"),
        pytest.param(_sites("France", "Virgin Islands (U.S.)"), (2, True, False), id="us-islands"),
        pytest.param(_sites("France", "Canada"), (2, False, False), id="abroad"),
        pytest.param(_sites("united states"), (1, False, True), id="exact-match-only"),  # AACT
        pytest.param(_sites(None, {"name": "Guam"}), (2, False, False), id="no-country-text"),
        pytest.param({}, (0, None, None), id="no-locations"),  # NULL flags, 0 facilities (AACT)
        pytest.param(
            {"protocolSection": {"contactsLocationsModule": {"locations": ["x", {}]}}},
            (1, False, True),
            id="junk-item",  # counted like the facilities table: object items only
        ),
    ],
)
def test_facility_values(study: Record, expected: tuple[int, bool | None, bool | None]) -> None:
    [row] = study_rows(tables.CALCULATED_VALUES, study)
    got = (row["number_of_facilities"], row["has_us_facility"], row["has_single_facility"])
    assert got == expected


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        pytest.param(["PHASE1", "PHASE2"], "PHASE1/PHASE2", id="joined-in-order"),
        pytest.param(["NA"], "NA", id="one"),
        pytest.param([], None, id="empty-list"),  # none given: NULL, not ''
        pytest.param(None, None, id="missing"),
    ],
)
def test_phase(phases: Any, expected: str | None) -> None:
    design = {} if phases is None else {"phases": phases}
    [row] = study_rows(tables.STUDIES, {"protocolSection": {"designModule": design}})
    assert (row["phase"], row["phases"]) == (expected, phases)


def test_us_territory_list_is_aacts() -> None:
    assert len(US_TERRITORIES) == 18
    assert {"United States", "Guam", "Bajo Nuevo Bank", "U.S. Virgin Islands"} <= US_TERRITORIES


def test_empty_record_gives_rows_of_nulls() -> None:
    [row] = study_rows(tables.STUDIES, {})
    assert set(row) == set(tables.STUDIES.column_names)
    assert {k for k, v in row.items() if v is not None} == {"nct_id"}
    [calc] = study_rows(tables.CALCULATED_VALUES, {})
    assert {k: v for k, v in calc.items() if v is not None} == {
        "nct_id": "NCT00000001",
        "number_of_facilities": 0,
        "were_results_reported": False,
    }


def test_junk_leaves_are_reported_not_dropped() -> None:
    study = {
        "protocolSection": {
            "designModule": {"phases": ["PHASE1", 2], "enrollmentInfo": {"count": "12"}},
            "statusModule": {"overallStatus": 7},
        }
    }
    for strict in (False, True):  # found by the conversion, or made to conform up front
        got, issues = table_rows([tables.STUDIES], {"NCT00000001": study}, strict=strict)
        [row] = got["studies"]
        assert (row["phase"], row["phases"]) == (None, None)  # a bad item drops the whole list
        assert (row["enrollment_raw"], row["overall_status"]) == (None, None)
        assert sorted(i.column for i in issues if i.table == "ctgov.studies") == [
            "enrollment",
            "enrollment_raw",
            "overall_status",
            "phases",
        ]


def test_views_run_on_the_whole_sample(
    sample_studies: dict[str, Record], study_table: dict[str, Row], calculated: dict[str, Row]
) -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA ctgov")
    for table, rows in ((tables.STUDIES, study_table), (tables.CALCULATED_VALUES, calculated)):
        con.execute(table.duckdb_ddl())
        con.register(
            "_rows", pa.Table.from_pylist(list(rows.values()), schema=table.arrow_schema())
        )
        con.execute(f"INSERT INTO {table.qualified_name} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
    for view in tables.VIEWS:
        con.execute(view.ddl())

    def count(sql: str) -> int:
        result: int = con.execute(sql).fetchall()[0][0]
        return result

    def having(path: str) -> int:
        return sum(1 for s in sample_studies.values() if _dig(s, path))

    assert count("SELECT count(*) FROM ctgov.brief_summaries") == 670
    assert count("SELECT count(*) FROM ctgov.detailed_descriptions") == 454
    assert having("protocolSection.descriptionModule.detailedDescription") == 454
    assert count("SELECT count(*) FROM ctgov.designs") == 670
    assert having("protocolSection.designModule.designInfo") == 670
    assert count("SELECT count(*) FROM ctgov.eligibilities") == 670
    observational_masked = count(
        "SELECT count(*) FROM ctgov.designs d JOIN ctgov.studies s USING (nct_id) "
        "WHERE s.study_type = 'OBSERVATIONAL' AND d.subject_masked IS NOT NULL"
    )
    assert observational_masked == 0
    # AACT Q7 shape (simplified): studies joined to calculated_values, eligibilities and designs.
    rows = con.execute(
        "SELECT s.nct_id, cv.were_results_reported, e.gender, s.phase, d.masking, d.subject_masked,"
        " cv.number_of_facilities FROM ctgov.studies s"
        " LEFT JOIN ctgov.calculated_values cv ON s.nct_id = cv.nct_id"
        " LEFT JOIN ctgov.eligibilities e ON s.nct_id = e.nct_id"
        " LEFT JOIN ctgov.designs d ON s.nct_id = d.nct_id WHERE s.nct_id = ?",
        [RESULTS],
    ).fetchall()
    assert rows == [(RESULTS, True, "ALL", "PHASE3", "DOUBLE", True, 47)]
    # A view row exists only where the module has a value: drop one study's summary.
    con.execute("UPDATE ctgov.studies SET brief_summary = NULL WHERE nct_id = ?", [RESULTS])
    assert count("SELECT count(*) FROM ctgov.brief_summaries") == 669


def test_every_leaf_of_the_family_has_a_column() -> None:
    sources = {s for t in tables.TABLES for c in t.columns for s in c.sources}
    known = set(leaf_specs()) | set(extra_leaf_specs())
    assert sources <= known
    ours = {p for p in known if p.startswith(MODULES) and not p.startswith(NOT_HERE)}
    assert ours - sources == set()
    results_leaves = {
        "resultsSection.baselineCharacteristicsModule.populationDescription",
        "resultsSection.baselineCharacteristicsModule.typeUnitsAnalyzed",
        "resultsSection.moreInfoModule.limitationsAndCaveats.description",
    }
    assert results_leaves <= sources
    assert not any(s.startswith(NOT_HERE) for s in sources)


def test_every_column_has_a_one_line_doc() -> None:
    for table in tables.TABLES:
        for col in table.columns:
            assert col.doc.endswith(".") and "\n" not in col.doc, (table.name, col.name)


# --- property test: the builders never raise on damaged records ------------------------------


def _small(study: Record) -> Record:
    """The study without its long lists (the builders only count them), to keep cases fast."""
    small = copy.deepcopy(study)
    locations = _dig(small, "protocolSection.contactsLocationsModule")
    if locations and "locations" in locations:
        locations["locations"] = locations["locations"][:3]
    small["derivedSection"] = {"miscInfoModule": small["derivedSection"]["miscInfoModule"]}
    small.get("resultsSection", {}).pop("participantFlowModule", None)
    small.get("resultsSection", {}).pop("baselineCharacteristicsModule", None)
    return small


@pytest.fixture(scope="module")
def small_records(sample_studies: dict[str, Record]) -> list[Record]:
    picks = [WITHDRAWN, OBSERVATIONAL, RESULTS, EXPANDED, BIGGEST, MANY_TERMS, CAVEATS]
    return [_small(sample_studies[nct]) for nct in picks] + [
        _small(s) for s in list(sample_studies.values())[::40]
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_builders_never_raise(small_records: list[Record], data: st.DataObject) -> None:
    record = mutate(data.draw(st.sampled_from(small_records)), data)
    got, _ = table_rows(tables.TABLES, {"NCT00000001": record})  # may report issues, never raises
    for table in tables.TABLES:
        [row] = got[table.name]
        assert list(row) == list(table.column_names) and row["nct_id"] == "NCT00000001"
