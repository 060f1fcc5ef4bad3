"""The one-row-per-study tables: `studies`, AACT's `calculated_values`, and AACT's narrow views.

`ctgov.studies` holds every scalar of the identification, status, oversight, description, design,
eligibility and IPD-sharing modules, plus the few one-per-study results scalars AACT keeps there.
AACT's one-row-per-study tables `brief_summaries`, `detailed_descriptions`, `designs` and
`eligibilities` are views over it (`VIEWS`), never copies.

Not mapped here on purpose:
    * `identificationModule.orgStudyIdInfo`, `.secondaryIdInfos[]`, `.nctIdAliases[]`: rows of
      `ctgov.id_information` (parties family).
    * `ipdSharingStatementModule.infoTypes[]`: rows of `ctgov.ipd_information_types` (references).
    * `derivedSection.miscInfoModule.versionHolder`: the date of the data refresh, the same for
      every record of a refresh (noise, not study data; see transforms/hashing.py).

AACT `studies` columns left out, and why:
    * `created_at`, `updated_at`: AACT load bookkeeping; our history schema records versions.
    * `nlm_download_date_description`: a legacy XML-era text; API v2 has no such field (AACT leaves
      it NULL too).
    * `last_update_submitted_qc_date`: AACT fills it from `lastUpdateSubmitDate` (a comment in its
      loader says the mapping is wrong); API v2 has no last-update QC date, so the column would only
      repeat `last_update_submitted_date`.

Where AACT stores a JSON boolean as varchar (`delayed_posting`, `healthy_volunteers`) we store
BOOLEAN under the same name. Rules of `calculated_values` that differ from AACT are listed in that
table's doc and in `transforms/studies.py`.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, partial_date, text
from schemas.table import Column, Table
from schemas.view import View

_P = "protocolSection"
_ID = f"{_P}.identificationModule"
_ST = f"{_P}.statusModule"
_EA = f"{_ST}.expandedAccessInfo"
_OV = f"{_P}.oversightModule"
_DESC = f"{_P}.descriptionModule"
_DES = f"{_P}.designModule"
_DI = f"{_DES}.designInfo"
_MASK = f"{_DI}.maskingInfo"
_EL = f"{_P}.eligibilityModule"
_IPD = f"{_P}.ipdSharingStatementModule"
_R = "resultsSection"
_BMI = "derivedSection.miscInfoModule.modelPredictions.bmiLimits"

ENROLLMENT_UNKNOWN = 99999999
"""The registry's enrollment count meaning "unknown" (API reference 11.4)."""


def _bool(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.bool_(), doc, source=source)


def _int(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.int32(), doc, source=source)


def _float(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.float64(), doc, source=source)


def _date(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.date32(), doc, source=source)


def _texts(name: str, source: str, doc: str) -> Column:
    return Column(name, pa.list_(pa.string()), doc, source=source)


def _posted(prefix: str, key: str, what: str) -> list[Column]:
    # A DateStruct: always a full date, with ACTUAL/ESTIMATED (a just-posted record says ESTIMATED).
    return [
        _date(f"{prefix}_date", f"{_ST}.{key}.date", f"{what}."),
        text(f"{prefix}_date_type", f"{_ST}.{key}.type", f"ACTUAL or ESTIMATED ({what.lower()})."),
    ]


def _partial(prefix: str, key: str, what: str) -> list[Column]:
    return partial_date(prefix, f"{_ST}.{key}.date", what, f"{_ST}.{key}.type")


_DATE_COLUMNS = (
    _date("study_first_submitted_date", f"{_ST}.studyFirstSubmitDate", "Date first submitted."),
    _date(
        "results_first_submitted_date",
        f"{_ST}.resultsFirstSubmitDate",
        "Date results were first submitted (hasResults is true from this date).",
    ),
    _date(
        "disposition_first_submitted_date",
        f"{_ST}.dispFirstSubmitDate",
        "Date a delay-of-results certification was first submitted.",
    ),
    _date(
        "last_update_submitted_date",
        f"{_ST}.lastUpdateSubmitDate",
        "Date the latest update was submitted.",
    ),
    _date(
        "study_first_submitted_qc_date",
        f"{_ST}.studyFirstSubmitQcDate",
        "Date the first submission passed QC review.",
    ),
    *_posted("study_first_posted", "studyFirstPostDateStruct", "Date first posted"),
    _date(
        "results_first_submitted_qc_date",
        f"{_ST}.resultsFirstSubmitQcDate",
        "Date the results first passed QC review.",
    ),
    *_posted(
        "results_first_posted", "resultsFirstPostDateStruct", "Date results were first posted"
    ),
    _date(
        "disposition_first_submitted_qc_date",
        f"{_ST}.dispFirstSubmitQcDate",
        "Date the delay-of-results certification passed QC review.",
    ),
    *_posted(
        "disposition_first_posted",
        "dispFirstPostDateStruct",
        "Date the delay-of-results certification was first posted",
    ),
    *_posted("last_update_posted", "lastUpdatePostDateStruct", "Date the latest update was posted"),
    *_partial("start", "startDateStruct", "Study start date"),
    *partial_date(
        "verification",
        f"{_ST}.statusVerifiedDate",
        "Date the sponsor last verified the record",
        None,
    ),
    *_partial("completion", "completionDateStruct", "Study completion date"),
    *_partial("primary_completion", "primaryCompletionDateStruct", "Primary completion date"),
)

# AACT's studies columns in AACT's order (dates above), then the later patient_registry.
_AACT_COLUMNS = (
    text(
        "target_duration",
        f"{_DES}.targetDuration",
        "Follow-up of a patient registry, e.g. '5 Years' (as given).",
    ),
    text("study_type", f"{_DES}.studyType", "INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS."),
    text("acronym", f"{_ID}.acronym", "Study acronym."),
    text(
        "baseline_population",
        f"{_R}.baselineCharacteristicsModule.populationDescription",
        "Results: who the baseline characteristics describe.",
    ),
    text("brief_title", f"{_ID}.briefTitle", "Brief title."),
    text("official_title", f"{_ID}.officialTitle", "Official title."),
    text("overall_status", f"{_ST}.overallStatus", "Overall recruitment status (e.g. RECRUITING)."),
    text(
        "last_known_status",
        f"{_ST}.lastKnownStatus",
        "Status before the record went UNKNOWN (not verified for 2+ years).",
    ),
    text(
        "phase",
        None,
        "AACT's phase: the phases joined with '/' in registry order ('PHASE1/PHASE2', 'NA'); "
        "NULL when no phases are given.",
    ),
    _int(
        "enrollment",
        f"{_DES}.enrollmentInfo.count",
        "Enrollment count (actual or anticipated, see enrollment_type); NULL when the registry "
        f"gives {ENROLLMENT_UNKNOWN}, its code for 'unknown' (enrollment_raw keeps it).",
    ),
    text("enrollment_type", f"{_DES}.enrollmentInfo.type", "ACTUAL or ESTIMATED enrollment."),
    text("source", f"{_ID}.organization.fullName", "Organization that registered the study."),
    text(
        "limitations_and_caveats",
        f"{_R}.moreInfoModule.limitationsAndCaveats.description",
        "Results: limitations and caveats.",
    ),
    _int(
        "number_of_arms",
        None,
        "Count of arm groups when study_type is INTERVENTIONAL; NULL otherwise or when none.",
    ),
    _int(
        "number_of_groups",
        None,
        "Count of arm groups (cohorts) when study_type is not INTERVENTIONAL; NULL otherwise or "
        "when none.",
    ),
    text(
        "why_stopped",
        f"{_ST}.whyStopped",
        "Why the study stopped early (suspended, terminated or withdrawn).",
    ),
    _bool(
        "has_expanded_access",
        f"{_EA}.hasExpandedAccess",
        "Whether the tested product is available through expanded access.",
    ),
    _bool(
        "expanded_access_type_individual",
        f"{_DES}.expandedAccessTypes.individual",
        "Expanded access for individual patients.",
    ),
    _bool(
        "expanded_access_type_intermediate",
        f"{_DES}.expandedAccessTypes.intermediate",
        "Expanded access for intermediate-size populations.",
    ),
    _bool(
        "expanded_access_type_treatment",
        f"{_DES}.expandedAccessTypes.treatment",
        "Expanded access under a treatment IND/protocol.",
    ),
    _bool("has_dmc", f"{_OV}.oversightHasDmc", "Has a data monitoring committee."),
    _bool("is_fda_regulated_drug", f"{_OV}.isFdaRegulatedDrug", "Studies an FDA-regulated drug."),
    _bool(
        "is_fda_regulated_device", f"{_OV}.isFdaRegulatedDevice", "Studies an FDA-regulated device."
    ),
    _bool(
        "is_unapproved_device",
        f"{_OV}.isUnapprovedDevice",
        "Device not yet approved or cleared by the FDA.",
    ),
    _bool("is_ppsd", f"{_OV}.isPpsd", "Pediatric postmarket surveillance of a device."),
    _bool("is_us_export", f"{_OV}.isUsExport", "Product manufactured in and exported from the US."),
    text(
        "biospec_retention",
        f"{_DES}.bioSpec.retention",
        "Whether biospecimens are retained (e.g. SAMPLES_WITH_DNA).",
    ),
    text("biospec_description", f"{_DES}.bioSpec.description", "Biospecimens retained."),
    text("ipd_time_frame", f"{_IPD}.timeFrame", "When individual participant data are shared."),
    text("ipd_access_criteria", f"{_IPD}.accessCriteria", "Who may get the IPD, and how."),
    text("ipd_url", f"{_IPD}.url", "Where IPD can be requested."),
    text("plan_to_share_ipd", f"{_IPD}.ipdSharing", "YES, NO or UNDECIDED."),
    text("plan_to_share_ipd_description", f"{_IPD}.description", "The IPD sharing plan."),
    text("source_class", f"{_ID}.organization.class", "Class of the organization (e.g. INDUSTRY)."),
    _bool(
        "delayed_posting",
        f"{_ST}.delayedPosting",
        "Device study whose posting is delayed (BOOLEAN here; AACT stores 't'/'f' text).",
    ),
    text("expanded_access_nctid", f"{_EA}.nctId", "NCT id of the expanded-access record."),
    text(
        "expanded_access_status_for_nctid",
        f"{_EA}.statusForNctId",
        "Status of that expanded-access record (e.g. AVAILABLE).",
    ),
    _bool(
        "fdaaa801_violation",
        f"{_OV}.fdaaa801Violation",
        "FDA found an FDAAA 801 violation (results or registration).",
    ),
    text(
        "baseline_type_units_analyzed",
        f"{_R}.baselineCharacteristicsModule.typeUnitsAnalyzed",
        "Results: baseline unit analyzed when it is not participants (e.g. eyes).",
    ),
    _bool(
        "patient_registry",
        f"{_DES}.patientRegistry",
        "Observational study that is a patient registry (later AACT column).",
    ),
)

_OWN_COLUMNS = (
    _texts("phases", f"{_DES}.phases[]", "Phases as listed (phase joins them)."),
    _int(
        "enrollment_raw",
        f"{_DES}.enrollmentInfo.count",
        f"Enrollment count exactly as given, {ENROLLMENT_UNKNOWN} ('unknown') included.",
    ),
    _bool(
        "is_enrollment_unknown",
        None,
        f"True when the count is the registry's 'unknown' code {ENROLLMENT_UNKNOWN}; NULL "
        "without a count.",
    ),
    _bool(
        "is_results_waived",
        f"{_ST}.resultsWaived",
        "The registry waived the results-reporting requirement.",
    ),
    _int(
        "n_ptrs_to_this_exp_acc_nct_id",
        f"{_DES}.nPtrsToThisExpAccNctId",
        "Expanded-access record: how many studies point to it.",
    ),
    _bool(
        "has_results",
        "hasResults",
        "Results were submitted (true from results submission, before posting); compare "
        "calculated_values.were_results_reported.",
    ),
    _float(
        "model_predicted_min_bmi",
        f"{_BMI}.minBmi",
        "Lowest eligible BMI the registry's model read from the criteria (non-spec key of "
        "2023-era records, removed from the spec in 2.0.0).",
    ),
    _float(
        "model_predicted_max_bmi",
        f"{_BMI}.maxBmi",
        "Highest eligible BMI the registry's model read from the criteria (non-spec key of "
        "2023-era records, removed from the spec in 2.0.0).",
    ),
)

_DESCRIPTION_COLUMNS = (
    text("brief_summary", f"{_DESC}.briefSummary", "Brief summary (markdown, as given)."),
    text(
        "detailed_description",
        f"{_DESC}.detailedDescription",
        "Detailed description (markdown, as given).",
    ),
)

# AACT's designs columns, in AACT's order, plus the whoMasked list they come from.
_DESIGN_COLUMNS = (
    text("allocation", f"{_DI}.allocation", "RANDOMIZED, NON_RANDOMIZED or NA."),
    text("intervention_model", f"{_DI}.interventionModel", "E.g. PARALLEL, CROSSOVER."),
    text("observational_model", f"{_DI}.observationalModel", "E.g. COHORT, CASE_CONTROL."),
    text("primary_purpose", f"{_DI}.primaryPurpose", "E.g. TREATMENT, PREVENTION."),
    text("time_perspective", f"{_DI}.timePerspective", "PROSPECTIVE, RETROSPECTIVE, ..."),
    text("masking", f"{_MASK}.masking", "NONE, SINGLE, DOUBLE, TRIPLE or QUADRUPLE."),
    text("masking_description", f"{_MASK}.maskingDescription", "Masking details."),
    text(
        "intervention_model_description",
        f"{_DI}.interventionModelDescription",
        "Intervention model details.",
    ),
    _bool("subject_masked", None, "whoMasked lists PARTICIPANT; NULL when whoMasked is absent."),
    _bool(
        "caregiver_masked", None, "whoMasked lists CARE_PROVIDER; NULL when whoMasked is absent."
    ),
    _bool(
        "investigator_masked", None, "whoMasked lists INVESTIGATOR; NULL when whoMasked is absent."
    ),
    _bool(
        "outcomes_assessor_masked",
        None,
        "whoMasked lists OUTCOMES_ASSESSOR; NULL when whoMasked is absent.",
    ),
    _texts("who_masked", f"{_MASK}.whoMasked[]", "Who is masked, as listed."),
)


def _parsed_age(which: str) -> list[Column]:
    return [
        _int(f"{which}_age_num", None, f"Number of {which}_age; NULL when it is not '<n> <unit>'."),
        text(
            f"{which}_age_unit",
            None,
            f"Unit of {which}_age, lowercase singular ('year', 'month', 'week', 'day', 'hour', "
            "'minute'), as AACT's calculated_values.",
        ),
    ]


# AACT's eligibilities columns, in AACT's order, then stdAges and the parsed ages.
_ELIGIBILITY_COLUMNS = (
    text(
        "sampling_method", f"{_EL}.samplingMethod", "PROBABILITY_SAMPLE or NON_PROBABILITY_SAMPLE."
    ),
    text("gender", f"{_EL}.sex", "Sex eligible: ALL, FEMALE or MALE (AACT's name)."),
    text("minimum_age", f"{_EL}.minimumAge", "Minimum age as given, e.g. '18 Years'."),
    text("maximum_age", f"{_EL}.maximumAge", "Maximum age as given, e.g. '65 Years'."),
    _bool(
        "healthy_volunteers",
        f"{_EL}.healthyVolunteers",
        "Accepts healthy volunteers (BOOLEAN here; AACT stores 't'/'f' text).",
    ),
    text("population", f"{_EL}.studyPopulation", "Observational study population."),
    text(
        "criteria",
        f"{_EL}.eligibilityCriteria",
        "Eligibility criteria, verbatim (markdown, line breaks kept).",
    ),
    text("gender_description", f"{_EL}.genderDescription", "Gender eligibility details."),
    _bool("gender_based", f"{_EL}.genderBased", "Eligibility is based on gender identity."),
    _bool("adult", None, "stdAges lists ADULT (18-64); NULL when stdAges is absent."),
    _bool("child", None, "stdAges lists CHILD (under 18); NULL when stdAges is absent."),
    _bool("older_adult", None, "stdAges lists OLDER_ADULT (65+); NULL when stdAges is absent."),
    _texts("std_ages", f"{_EL}.stdAges[]", "Standard age groups the registry derived."),
    *_parsed_age("minimum"),
    *_parsed_age("maximum"),
)

STUDIES = Table(
    "studies",
    Column(
        "nct_id",
        pa.string(),
        "Registry id (NCT + 8 digits); joins every table.",
        nullable=False,
        source=f"{_ID}.nctId",
    ),
    _DATE_COLUMNS,
    _AACT_COLUMNS,
    _OWN_COLUMNS,
    _DESCRIPTION_COLUMNS,
    _DESIGN_COLUMNS,
    _ELIGIBILITY_COLUMNS,
    primary_key=("nct_id",),
    grain="one row per study",
    doc="AACT's studies columns (no id, as AACT), plus the columns of AACT's brief_summaries, "
    "detailed_descriptions, designs and eligibilities (views over this table).",
)

CALCULATED_VALUES = Table(
    "calculated_values",
    nct_id(),
    _int("number_of_facilities", None, "Count of locations (0 when none, as AACT)."),
    _int(
        "number_of_nsae_subjects",
        None,
        "Participants with other (non-serious) adverse events: eventGroups[].otherNumAffected "
        "summed over groups; NULL when no group gives it. AACT sums per-term rows instead, which "
        "counts a participant once per event term.",
    ),
    _int(
        "number_of_sae_subjects",
        None,
        "Participants with serious adverse events: eventGroups[].seriousNumAffected summed over "
        "groups; NULL when no group gives it (AACT sums per-term rows, counting participants "
        "once per term).",
    ),
    _int("registered_in_calendar_year", None, "Year of study_first_submitted_date."),
    _date(
        "nlm_download_date",
        None,
        "Always NULL, as in AACT since API v2 (kept so AACT queries that select it still run).",
    ),
    _int(
        "actual_duration",
        None,
        "Whole calendar months from start to primary completion, only when both dates are "
        "ACTUAL (AACT lets untyped dates through and counts 30-day blocks). A month-only date "
        "counts at month precision, a year-only one gives NULL. Negative if the data say so.",
    ),
    Column(
        "were_results_reported",
        pa.bool_(),
        "At least one results outcome measure is posted (AACT's rule; never NULL). "
        "studies.has_results is true from results submission, before anything is posted.",
        nullable=False,
    ),
    _int(
        "months_to_report_results",
        None,
        "Whole calendar months from an ACTUAL primary completion date to results first "
        "submitted; NULL when the completion date is estimated or untyped (AACT uses it anyway "
        "and counts 30-day blocks). Month-only completion dates count at month precision, "
        "year-only give NULL. Negative if results were submitted before that date.",
    ),
    _bool(
        "has_us_facility",
        None,
        "A location is in the US or a US territory (AACT's 18-name list, exact match); NULL "
        "when the study lists no locations.",
    ),
    _bool(
        "has_single_facility",
        None,
        "Exactly one location; NULL when the study lists no locations (as AACT).",
    ),
    _int("minimum_age_num", None, "Number of the minimum age ('18 Years' -> 18)."),
    _int("maximum_age_num", None, "Number of the maximum age."),
    text("minimum_age_unit", None, "Unit of the minimum age, lowercase singular ('year')."),
    text("maximum_age_unit", None, "Unit of the maximum age, lowercase singular ('year')."),
    _int(
        "number_of_primary_outcomes_to_measure",
        None,
        "Count of planned primary outcomes; NULL (not 0) when none, as AACT.",
    ),
    _int(
        "number_of_secondary_outcomes_to_measure",
        None,
        "Count of planned secondary outcomes; NULL when none.",
    ),
    _int(
        "number_of_other_outcomes_to_measure",
        None,
        "Count of planned other outcomes; NULL when none.",
    ),
    primary_key=("nct_id",),
    grain="one row per study",
    doc="AACT's calculated values, computed from the study record alone.",
)

TABLES = (STUDIES, CALCULATED_VALUES)


def _view(name: str, columns: tuple[Column, ...], doc: str) -> View:
    """A view of `columns` of ctgov.studies, for studies where any of their sources has a value.

    AACT has a row only when the module exists; the API omits empty values, so "the module exists"
    is "one of its leaves has a value" (computed columns are NULL whenever their sources are).
    """
    names = [c.name for c in columns]
    present = " OR ".join(f"{c.name} IS NOT NULL" for c in columns if c.source)
    sql = f"SELECT nct_id, {', '.join(names)} FROM ctgov.studies WHERE {present}"
    return View(name, sql, doc)


def _description_view(name: str, column: str, what: str) -> View:
    sql = f"SELECT nct_id, {column} AS description FROM ctgov.studies WHERE {column} IS NOT NULL"
    return View(name, sql, f"AACT's {name}: the {what} of studies that have one.")


VIEWS = (
    _description_view("brief_summaries", "brief_summary", "brief summary"),
    _description_view("detailed_descriptions", "detailed_description", "detailed description"),
    _view(
        "designs",
        _DESIGN_COLUMNS,
        "AACT's designs: design info of studies that give any (plus who_masked).",
    ),
    _view(
        "eligibilities",
        _ELIGIBILITY_COLUMNS,
        "AACT's eligibilities: eligibility of studies that give any (plus std_ages and the "
        "parsed ages).",
    ),
)
