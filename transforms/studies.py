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
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import studies as tables
from transforms._dates import (
    PartialDate,
    full_dates,
    parse_date,
    parse_partial_date,
    partial_dates,
)
from transforms.ages import parse_age
from transforms.batch import Level, table_of
from transforms.columns import per_value

_P = "protocolSection"
_ST = f"{_P}.statusModule"
_DES = f"{_P}.designModule"
_EL = f"{_P}.eligibilityModule"
_MASK = f"{_DES}.designInfo.maskingInfo"
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
_US_TERRITORIES = pa.array(sorted(US_TERRITORIES), pa.string())

# Columns that hold their leaf exactly as given are read from their declared `source`, so the
# declared path and the value can't disagree (enrollment_raw, `*_month_year` and `*_date_type`
# included). Dates are parsed and enrollment is filtered below.
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
    ("start", f"{_ST}.startDateStruct.date"),
    ("completion", f"{_ST}.completionDateStruct.date"),
    ("primary_completion", f"{_ST}.primaryCompletionDateStruct.date"),
    ("verification", f"{_ST}.statusVerifiedDate"),
)
_WHO_MASKED = (
    ("subject_masked", "PARTICIPANT"),
    ("caregiver_masked", "CARE_PROVIDER"),
    ("investigator_masked", "INVESTIGATOR"),
    ("outcomes_assessor_masked", "OUTCOMES_ASSESSOR"),
)
_STD_AGES = (("child", "CHILD"), ("adult", "ADULT"), ("older_adult", "OLDER_ADULT"))
# The columns that copy a list of texts.
_LISTS = tuple(
    col.name for col in tables.STUDIES.columns if col.source and col.source.endswith("[]")
)
_AGES = (("minimum", f"{_EL}.minimumAge"), ("maximum", f"{_EL}.maximumAge"))


def studies(level: Level) -> pa.Table:
    """The ctgov.studies rows: one per study."""
    columns: dict[str, Any] = {name: level.field(path) for name, path in _COPIED}
    columns["nct_id"] = level.nct_id
    columns |= _date_columns(level)
    count = level.field(f"{_DES}.enrollmentInfo.count")
    unknown = pc.equal(count, tables.ENROLLMENT_UNKNOWN)
    columns["enrollment"] = _null_where(unknown, count)
    columns["is_enrollment_unknown"] = unknown
    columns |= _arm_counts(level, columns["study_type"])
    columns["phase"] = phase(columns["phases"])
    columns |= flags(level, f"{_MASK}.whoMasked", _WHO_MASKED)
    columns |= flags(level, f"{_EL}.stdAges", _STD_AGES)
    columns |= _age_columns(level)
    for name in _LISTS:
        columns[name] = _without_partial_lists(columns[name])
    return table_of(tables.STUDIES, len(level), columns)


def _date_columns(level: Level) -> dict[str, pa.Array]:
    """The parsed full dates, and each PartialDate's `_date` and `_date_precision`."""
    # Each set of columns is parsed in one go: a kernel call costs about the same for one column
    # as for eight.
    n = len(level)
    full = full_dates(pa.concat_arrays([level.field(path) for _, path in _FULL_DATES]))
    last, precision = partial_dates(
        pa.concat_arrays([level.field(path) for _, path in _PARTIAL_DATES])
    )
    columns = {name: full.slice(k * n, n) for k, (name, _) in enumerate(_FULL_DATES)}
    for k, (prefix, _) in enumerate(_PARTIAL_DATES):
        columns[f"{prefix}_date"] = last.slice(k * n, n)
        columns[f"{prefix}_date_precision"] = precision.slice(k * n, n)
    return columns


def _age_columns(level: Level) -> dict[str, pa.Array]:
    """`<which>_age_num` and `<which>_age_unit` of the minimum and maximum ages (`parse_age`).

    Parsed once per batch: studies and calculated_values both have them.
    """
    return level.shared("age_columns", lambda: _parsed_ages(level))


def _parsed_ages(level: Level) -> dict[str, pa.Array]:
    columns: dict[str, pa.Array] = {}
    for which, path in _AGES:
        num, unit = per_value(parse_age, level.field(path), (pa.int32(), pa.string()))
        columns |= {f"{which}_age_num": num, f"{which}_age_unit": unit}
    return columns


def phase(phases: pa.Array) -> pa.Array:
    """AACT's phase: the phases joined with '/' in registry order; NULL when there are none.

    A list with a non-text item (made null) gives NULL here; the list itself goes to the `phases`
    column, where the bad item is reported.
    """
    return _null_where(pc.equal(pc.list_value_length(phases), 0), pc.binary_join(phases, "/"))


def flags(level: Level, path: str, codes: tuple[tuple[str, str], ...]) -> dict[str, pa.Array]:
    """AACT's booleans for codes of a list (whoMasked, stdAges); all NULL when there is no list."""
    listed = level.each(path)
    no_list = pc.is_null(level.field(path))
    return {
        name: _null_where(
            no_list, _studies_with(level, listed.study.filter(pc.equal(listed.values, code)))
        )
        for name, code in codes
    }


def _arm_counts(level: Level, study_type: pa.Array) -> dict[str, pa.Array]:
    # AACT: arms for interventional studies, groups (cohorts) for every other type.
    groups = _counts_or_null(level, f"{_P}.armsInterventionsModule.armGroups")
    interventional = pc.fill_null(pc.equal(study_type, "INTERVENTIONAL"), False)
    return {
        "number_of_arms": _null_where(pc.invert(interventional), groups),
        "number_of_groups": _null_where(interventional, groups),
    }


def calculated_values(level: Level) -> pa.Table:
    """The ctgov.calculated_values rows: one per study (rules in the module docstring)."""
    submitted = full_dates(level.field(f"{_ST}.studyFirstSubmitDate"))
    completion = _actual(level, "primaryCompletionDateStruct")
    columns: dict[str, Any] = {
        "nct_id": level.nct_id,
        "number_of_nsae_subjects": _group_totals(level, "otherNumAffected"),
        "number_of_sae_subjects": _group_totals(level, "seriousNumAffected"),
        "registered_in_calendar_year": pc.year(submitted),
        "nlm_download_date": None,
        "actual_duration": _per_pair(
            actual_duration, _actual(level, "startDateStruct"), completion, pa.int32()
        ),
        "were_results_reported": pc.greater(
            _item_counts(level, "resultsSection.outcomeMeasuresModule.outcomeMeasures"), 0
        ),
        "months_to_report_results": _per_pair(
            months_to_report_results,
            completion,
            level.field(f"{_ST}.resultsFirstSubmitDate"),
            pa.int32(),
        ),
    }
    columns |= _age_columns(level)
    for name, key in _OUTCOME_COUNTS:
        columns[name] = _counts_or_null(level, f"{_P}.outcomesModule.{key}")
    columns |= facility_columns(level)
    return table_of(tables.CALCULATED_VALUES, len(level), columns)


_OUTCOME_COUNTS = tuple(
    (f"number_of_{kind}_outcomes_to_measure", f"{kind}Outcomes")
    for kind in ("primary", "secondary", "other")
)


def facility_columns(level: Level) -> dict[str, pa.Array]:
    """Facility count, single-facility and US-facility flags (NULL flags without locations)."""
    path = f"{_P}.contactsLocationsModule.locations"
    count = _item_counts(level, path)
    sites = level.each(path)
    in_us = sites.study.filter(pc.is_in(sites.field("country"), value_set=_US_TERRITORIES))
    none = pc.equal(count, 0)
    return {
        "number_of_facilities": count,
        "has_us_facility": _null_where(none, _studies_with(level, in_us)),
        "has_single_facility": _null_where(none, pc.equal(count, 1)),
    }


def _group_totals(level: Level, key: str) -> pa.Array:
    """Sum of an integer count over the adverse-event groups; NULL when no group gives one."""
    groups = level.each(f"{_AE}.eventGroups")
    counts = groups.field(key)
    given = pc.is_valid(counts)
    return _sums(level, groups.study.filter(given), counts.filter(given))


def _actual(level: Level, key: str) -> pa.Array:
    """The text of a status date struct's date where its type is ACTUAL, else NULL."""
    is_actual = pc.equal(level.field(f"{_ST}.{key}.type"), "ACTUAL")
    return _null_where(pc.invert(pc.fill_null(is_actual, False)), level.field(f"{_ST}.{key}.date"))


def actual_duration(start: str | None, completion: str | None) -> int | None:
    """Months from the ACTUAL start to the ACTUAL primary completion date.

    Args:
        start: The start date's text when its type is ACTUAL, else None.
        completion: The primary completion date's text when its type is ACTUAL, else None.
    """
    first, last = _parsed(start), _parsed(completion)
    if first is None or last is None:
        return None
    return month_span(first, last)


def months_to_report_results(completion: str | None, submitted: str | None) -> int | None:
    """Months from the ACTUAL primary completion date to the first results submission.

    Args:
        completion: The primary completion date's text when its type is ACTUAL, else None.
        submitted: `resultsFirstSubmitDate` as given.
    """
    first, date = _parsed(completion), parse_date(submitted)
    if first is None or date is None:
        return None
    return month_span(first, PartialDate(date.isoformat(), date, date, "day"))


def _parsed(raw: str | None) -> PartialDate | None:
    if raw is None:
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


# --- per-study arrays from the items of a list ------------------------------------------------


def _null_where(mask: pa.Array, values: pa.Array) -> pa.Array:
    """`values`, NULL where `mask` is true (or NULL)."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def _without_partial_lists(lists: pa.Array) -> pa.Array:
    """`lists`, NULL where an item is NULL.

    A list with a wrong-typed item is reported and dropped whole (as the row path did), never
    stored with a hole where that item was.
    """
    return _null_where(pc.is_null(pc.binary_join(lists, "")), lists)


def _spread(level: Level, study: pa.Array, values: pa.Array) -> pa.Array:
    """Per study of `level`: the value given for it (`study`: distinct indices), else NULL."""
    return values.take(pc.index_in(level.study, value_set=study))


def _studies_with(level: Level, study: pa.Array) -> pa.Array:
    """Per study of `level`: whether it is among `study` (indices, repeats allowed)."""
    return pc.is_in(level.study, value_set=study)


def _item_counts(level: Level, path: str) -> pa.Array:
    """Per study, the object items of the list at `path` (what child tables give rows for)."""
    lists = level.field(path)
    if not pc.list_flatten(lists).null_count:  # no null item: the lengths are the counts
        return pc.list_value_length(lists).fill_null(0)
    counts = pc.value_counts(level.each(path).study)
    return _spread(level, counts.field("values"), counts.field("counts")).fill_null(0)


def _sums(level: Level, study: pa.Array, values: pa.Array) -> pa.Array:
    """Per study of `level`: the sum of its `values`; NULL for a study without any.

    `study` is each value's study, ascending (as `each` gives them).
    """
    if not len(values):
        return pa.nulls(len(level), pa.int64())
    counts = pc.value_counts(study)  # studies in order of first appearance: ascending
    # A running total read at each study's last value, minus the one at the previous study's.
    running = pc.cumulative_sum(values.cast(pa.int64())).take(
        pc.subtract(pc.cumulative_sum(counts.field("counts")), 1)
    )
    before = pa.concat_arrays([pa.array([0], pa.int64()), running[:-1]])
    return _spread(level, counts.field("values"), pc.subtract(running, before))


def _counts_or_null(level: Level, path: str) -> pa.Array:
    """`_item_counts`, NULL (not 0) where there are none, as AACT."""
    counts = _item_counts(level, path)
    return _null_where(pc.equal(counts, 0), counts)


def _per_pair(
    fn: Callable[[Any, Any], Any], first: pa.Array, second: pa.Array, arrow_type: pa.DataType
) -> pa.Array:
    """`fn(a, b)` for each row's pair of values, run once per distinct pair (nulls included)."""
    first_codes, first_values = _codes(first)
    second_codes, second_values = _codes(second)
    width = len(second_values)
    pairs = pc.add(pc.multiply(first_codes, width), second_codes).dictionary_encode()
    results = [
        fn(first_values[code // width], second_values[code % width])
        for code in pairs.dictionary.to_pylist()
    ]
    return pa.array(results, type=arrow_type).take(pairs.indices)


def _codes(values: pa.Array) -> tuple[pa.Array, list[Any]]:
    """Each value's index among the distinct values, and those values (None last, for nulls)."""
    encoded = values.dictionary_encode()
    distinct = [*encoded.dictionary.to_pylist(), None]
    return encoded.indices.cast(pa.int64()).fill_null(len(distinct) - 1), distinct


TABLE_BUILDERS = {
    tables.STUDIES: studies,
    tables.CALCULATED_VALUES: calculated_values,
}
