"""Rows for ctgov.studies and ctgov.calculated_values: exactly one of each per study.

calculated_values is computed from the record alone (AACT counts rows of its other tables; the
counts here count the same list items those tables get rows for). It follows AACT's current rules
(`calculated_value.rb` `populate_for`) except where they are loose:

* `actual_duration`, `months_to_report_results`: only from ACTUAL dates. AACT computes
  months_to_report_results from an ESTIMATED primary completion date too, and lets untyped dates
  through for actual_duration; here an untyped date gives NULL (88 sample start dates have no
  type, from records last edited before the registry asked for one).
* Months are whole calendar months (Jan 31 -> Feb 28 is one month), not AACT's 30-day blocks
  between end-of-period dates. A month-only date counts at month precision (the difference of the
  calendar months); a year-only date is too coarse and gives NULL. Negative values are kept: they
  are what the record says (e.g. results submitted before a later-corrected completion date).
* `number_of_sae_subjects`, `number_of_nsae_subjects`: participants affected, summed over the
  adverse-event groups (`eventGroups[].seriousNumAffected` / `otherNumAffected`). AACT sums its
  per-term rows, which counts a participant once per event term (NCT02513394: 5,424 participants
  with other AEs, 45,152 by AACT's rule).
* Ages: a text that is not `<number> <unit>` gives NULL (AACT's Ruby `to_i` makes "N/A" 0).

`nlm_download_date` is always NULL, as in AACT since API v2.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from schemas.tables import studies as tables
from transforms._dates import PartialDate, parse_date, parse_partial_date, partial_date_fields
from transforms._json import Record, get_dict, get_list, get_path, items
from transforms.ages import parse_age

Row = dict[str, Any]

_P = "protocolSection"
_ST = f"{_P}.statusModule"
_DES = f"{_P}.designModule"
_EL = f"{_P}.eligibilityModule"
_AE = "resultsSection.adverseEventsModule"

# AACT's Facility.us_territories, matched exactly against locations[].country.
US_TERRITORIES = frozenset(
    {
        "United States", "Guam", "Puerto Rico", "U.S. Virgin Islands", "Virgin Islands (U.S.)",
        "Northern Mariana Islands", "American Samoa", "Midway Atoll", "Palmyra Atoll",
        "Baker Island", "Howland Island", "Jarvis Island", "Johnston Atoll", "Kingman Reef",
        "Wake Island", "Navassa Island", "Serranilla Bank", "Bajo Nuevo Bank",
    }
)  # fmt: skip

# Columns that hold their leaf exactly as given are read from their declared `source`, so the
# declared path and the value can't disagree (enrollment_raw included). Dates are parsed and
# enrollment is filtered below.
_BUILT = frozenset({"nct_id", "enrollment"})
_COPIED = tuple(
    (col.name, col.source.removesuffix("[]"))
    for col in tables.STUDIES.columns
    if col.source and col.name not in _BUILT and not pa.types.is_date(col.type)
)
_FULL_DATES = tuple(
    (col.name, col.source)
    for col in tables.STUDIES.columns
    if col.source and pa.types.is_date(col.type)
)
_PARTIAL_DATES = (
    ("start", "startDateStruct"),
    ("completion", "completionDateStruct"),
    ("primary_completion", "primaryCompletionDateStruct"),
)
_WHO_MASKED = (
    ("subject_masked", "PARTICIPANT"),
    ("caregiver_masked", "CARE_PROVIDER"),
    ("investigator_masked", "INVESTIGATOR"),
    ("outcomes_assessor_masked", "OUTCOMES_ASSESSOR"),
)
_STD_AGES = (("child", "CHILD"), ("adult", "ADULT"), ("older_adult", "OLDER_ADULT"))


def _grouped(
    columns: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(parent path, ((column, leaf key), ...)): each parent object is looked up once per study."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, path in columns:
        parent, _, leaf = path.rpartition(".")
        groups.setdefault(parent, []).append((name, leaf))
    return tuple((parent, tuple(cols)) for parent, cols in groups.items())


_COPIED_BY_PARENT = _grouped(_COPIED)
_FULL_DATES_BY_PARENT = _grouped(_FULL_DATES)


def study_rows(study: Record, nct_id: str) -> list[Row]:
    """The study's one ctgov.studies row."""
    row: Row = {"nct_id": nct_id}
    for parent, columns in _COPIED_BY_PARENT:
        obj = get_dict(study, parent) if parent else study  # top-level leaves: hasResults
        for name, leaf in columns:
            row[name] = obj.get(leaf)
    for parent, columns in _FULL_DATES_BY_PARENT:
        obj = get_dict(study, parent)
        for name, leaf in columns:
            row[name] = parse_date(obj.get(leaf))
    status = get_dict(study, _ST)
    for prefix, key in _PARTIAL_DATES:
        struct = get_dict(status, key)
        row |= partial_date_fields(prefix, struct.get("date"), struct.get("type"))
    row |= partial_date_fields("verification", status.get("statusVerifiedDate"))
    row |= _enrollment_fields(get_path(study, f"{_DES}.enrollmentInfo.count"))
    row |= _arm_counts(study, row["study_type"])
    row["phase"] = phase(row["phases"])
    row |= flags(row["who_masked"], _WHO_MASKED)
    row |= flags(row["std_ages"], _STD_AGES)
    for text, num, unit in _AGE_COLUMNS:
        row[num], row[unit] = parse_age(row[text])
    return [row]


_AGE_COLUMNS = (
    ("minimum_age", "minimum_age_num", "minimum_age_unit"),
    ("maximum_age", "maximum_age_num", "maximum_age_unit"),
)


def phase(phases: Any) -> str | None:
    """AACT's phase: the phases joined with '/' in registry order; NULL when there are none.

    A list with a non-text item gives NULL here; the list itself goes to the `phases` column,
    where the bad item is reported.
    """
    if not isinstance(phases, list) or not phases:
        return None
    if not all(isinstance(p, str) for p in phases):
        return None
    return "/".join(phases)


def flags(listed: Any, codes: tuple[tuple[str, str], ...]) -> Row:
    """AACT's booleans for codes of a list (whoMasked, stdAges); all NULL when there is no list."""
    if not isinstance(listed, list):
        return {name: None for name, _ in codes}
    return {name: code in listed for name, code in codes}


def _enrollment_fields(count: Any) -> Row:
    is_count = isinstance(count, int) and not isinstance(count, bool)
    unknown = count == tables.ENROLLMENT_UNKNOWN if is_count else None
    return {"enrollment": None if unknown else count, "is_enrollment_unknown": unknown}


def _arm_counts(study: Record, study_type: Any) -> Row:
    # AACT: arms for interventional studies, groups (cohorts) for every other type.
    groups = len(items(get_list(study, f"{_P}.armsInterventionsModule.armGroups"))) or None
    interventional = study_type == "INTERVENTIONAL"
    return {
        "number_of_arms": groups if interventional else None,
        "number_of_groups": None if interventional else groups,
    }


def calculated_value_rows(study: Record, nct_id: str) -> list[Row]:
    """The study's one ctgov.calculated_values row (rules in the module docstring)."""
    status = get_dict(study, _ST)
    submitted = parse_date(status.get("studyFirstSubmitDate"))
    groups = _objects(get_list(study, f"{_AE}.eventGroups"))
    eligibility = get_dict(study, _EL)
    minimum = parse_age(eligibility.get("minimumAge"))
    maximum = parse_age(eligibility.get("maximumAge"))
    outcomes = get_dict(study, f"{_P}.outcomesModule")
    measures = get_list(study, "resultsSection.outcomeMeasuresModule.outcomeMeasures")
    row: Row = {
        "nct_id": nct_id,
        "number_of_nsae_subjects": group_total(groups, "otherNumAffected"),
        "number_of_sae_subjects": group_total(groups, "seriousNumAffected"),
        "registered_in_calendar_year": submitted.year if submitted else None,
        "nlm_download_date": None,
        "actual_duration": actual_duration(status),
        "were_results_reported": any(type(measure) is dict for measure in measures),
        "months_to_report_results": months_to_report_results(status),
        "minimum_age_num": minimum.num,
        "maximum_age_num": maximum.num,
        "minimum_age_unit": minimum.unit,
        "maximum_age_unit": maximum.unit,
    }
    for name, key in _OUTCOME_COUNTS:
        row[name] = len(_objects(get_list(outcomes, key))) or None
    locations = _objects(get_list(study, f"{_P}.contactsLocationsModule.locations"))
    return [row | facility_fields(locations)]


_OUTCOME_COUNTS = tuple(
    (f"number_of_{kind}_outcomes_to_measure", f"{kind}Outcomes")
    for kind in ("primary", "secondary", "other")
)


def _objects(values: Sequence[Any]) -> list[Record]:
    """The object items of a list (what the child tables give rows for)."""
    return [value for value in values if type(value) is dict]


def facility_fields(locations: list[Record]) -> Row:
    """Facility count, single-facility and US-facility flags (NULL flags without locations)."""
    if not locations:
        return {"number_of_facilities": 0, "has_us_facility": None, "has_single_facility": None}
    countries = [location.get("country") for location in locations]
    return {
        "number_of_facilities": len(locations),
        "has_us_facility": any(isinstance(c, str) and c in US_TERRITORIES for c in countries),
        "has_single_facility": len(locations) == 1,
    }


def group_total(groups: list[Record], key: str) -> int | None:
    """Sum of an integer count over the adverse-event groups; NULL when no group gives one.

    Values of another type are left out (the drift check reports them).
    """
    values = [g.get(key) for g in groups]
    counts = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return sum(counts) if counts else None


def actual_duration(status: Record) -> int | None:
    """Months from the ACTUAL start to the ACTUAL primary completion date."""
    start = _actual(get_dict(status, "startDateStruct"))
    completion = _actual(get_dict(status, "primaryCompletionDateStruct"))
    if start is None or completion is None:
        return None
    return month_span(start, completion)


def months_to_report_results(status: Record) -> int | None:
    """Months from the ACTUAL primary completion date to the first results submission."""
    completion = _actual(get_dict(status, "primaryCompletionDateStruct"))
    submitted = parse_date(status.get("resultsFirstSubmitDate"))
    if completion is None or submitted is None:
        return None
    return month_span(completion, PartialDate(submitted.isoformat(), submitted, submitted, "day"))


def _actual(struct: Record) -> PartialDate | None:
    raw = struct.get("date")
    if struct.get("type") != "ACTUAL" or not isinstance(raw, str):
        return None
    parsed = parse_partial_date(raw)
    return parsed if parsed.first is not None else None


def month_span(start: PartialDate, end: PartialDate) -> int | None:
    """Whole calendar months from `start` to `end`, at the coarser precision of the two.

    Two days: whole months, counted from the earlier date (Jan 31 -> Feb 28 is one month; Jan 20
    -> Feb 19 none), negative when `end` is earlier. A month-only date on either side: the
    difference of the calendar months. A year-only date on either side: None.
    """
    a, b = start.first, end.first
    if a is None or b is None or "year" in (start.precision, end.precision):
        return None
    if "month" in (start.precision, end.precision):
        return (b.year - a.year) * 12 + b.month - a.month
    return _whole_months(a, b) if a <= b else -_whole_months(b, a)


def _whole_months(a: dt.date, b: dt.date) -> int:
    # Adding n months to `a` clamps to the end of the month, so a `b` on its month's last day
    # completes the month even when its day number is smaller than `a`'s.
    months = (b.year - a.year) * 12 + b.month - a.month
    last_day = calendar.monthrange(b.year, b.month)[1]
    if b.day < a.day and b.day != last_day:
        months -= 1
    return months


BUILDERS = {
    tables.STUDIES: study_rows,
    tables.CALCULATED_VALUES: calculated_value_rows,
}
