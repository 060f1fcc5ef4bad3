"""Registry dates: PartialDate strings keep their text, their period and their precision."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from transforms.columns import mapped, per_value

# re.ASCII and fullmatch, as in schemas/study/fields.py: `\d` would take any Unicode digit (and
# int() reads Arabic-Indic or full-width digits as numbers), and `$` a final newline.
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


class PartialDate(NamedTuple):
    """A parsed registry PartialDate: the raw text, its period, and its precision."""

    raw: str
    first: dt.date | None  # first day of the period
    last: dt.date | None  # last day of the period (AACT's choice for `*_date` columns)
    precision: str | None  # 'year' | 'month' | 'day'; None when the text is not a date


@lru_cache(maxsize=65536)
def parse_partial_date(raw: str) -> PartialDate:
    """Parse `yyyy`, `yyyy-MM` or `yyyy-MM-dd`; anything else keeps its text with no date."""
    match = _PARTIAL.fullmatch(raw)
    if match is None:
        return PartialDate(raw, None, None, None)
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return PartialDate(raw, None, None, None)
    if precision == "day":
        last = first
    elif precision == "month":
        last = dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    else:
        last = dt.date(first.year, 12, 31)
    return PartialDate(raw, first, last, precision)


def parse_date(raw: Any) -> dt.date | None:
    """A full `yyyy-MM-dd` date, or None (also for partial dates, which have their own columns)."""
    if not isinstance(raw, str):
        return None
    parsed = parse_partial_date(raw)
    return parsed.first if parsed.precision == "day" else None


# --- whole columns, in Arrow kernels (see transforms.columns) -------------------------------------

# A PartialDate text by its length, and its first day's text: the text, then "-01-01" cut to
# ten characters ("2021" -> "2021-01-01", "2021-05" -> "2021-05-01").
_LENGTHS = pa.array([10, 7, 4], pa.int32())
_FIRST_DAY_TAIL = "-01-01"
_ONE_DAY = pa.scalar(1, pa.int32())


def full_dates(raw: pa.Array) -> pa.Array:
    """`parse_date` of each text, as date32 (null where it gives None).

    A study has a dozen date texts: parsing them with Arrow kernels is several times faster than
    calling `parse_date` once per distinct text. See `_calendar_dates` for why they agree.
    """
    dated = pc.and_(pc.equal(pc.binary_length(raw), 10), _not_year_zero(raw))
    dates = _calendar_dates(pc.if_else(dated, raw, pa.scalar(None, pa.string())))
    return mapped(parse_date, raw, pa.date32()) if dates is None else dates


def partial_dates(raw: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The last day of each text's period (date32) and its precision, as `parse_partial_date`.

    Null, both, where the text is not a date. Parsed with Arrow kernels, as `full_dates`.
    """
    length = pc.binary_length(raw)
    dated = pc.and_(pc.is_in(length, value_set=_LENGTHS), _not_year_zero(raw))
    texts = pc.utf8_slice_codeunits(pc.binary_join_element_wise(raw, _FIRST_DAY_TAIL, ""), 0, 10)
    first = _calendar_dates(pc.if_else(dated, texts, pa.scalar(None, pa.string())))
    if first is None:
        return per_value(_partial_values, raw, (pa.date32(), pa.string()))
    is_day, is_month = pc.equal(length, 10), pc.equal(length, 7)
    precision = pc.if_else(
        pc.is_valid(first),
        pc.case_when(pc.make_struct(is_day, is_month), "day", "month", "year"),
        pa.scalar(None, pa.string()),
    )
    # The last day of a month or year is the day before the next one begins.
    next_month = pc.ceil_temporal(first, unit="month", ceil_is_strictly_greater=True)
    next_year = pc.ceil_temporal(first, unit="year", ceil_is_strictly_greater=True)
    last = pc.case_when(
        pc.make_struct(is_day, is_month), first, _day_before(next_month), _day_before(next_year)
    )
    return last, precision


def _partial_values(raw: Any) -> tuple[dt.date | None, str | None]:
    parsed = parse_partial_date(raw) if isinstance(raw, str) else None
    return (parsed.last, parsed.precision) if parsed is not None else (None, None)


def _not_year_zero(raw: pa.Array) -> pa.Array:
    """Whether each text does not start with year 0000 (which `datetime.date` rejects)."""
    return pc.invert(pc.starts_with(raw, "0000"))


def _calendar_dates(texts: pa.Array) -> pa.Array | None:
    """Texts of exactly `yyyy-MM-dd` (or nulls) as date32; None if any other text is given.

    Arrow's cast takes exactly ten characters, ASCII digits and dashes in `_PARTIAL`'s places,
    and checks the calendar as `datetime.date` does (no Feb 30); only year 0 it takes and
    `datetime.date` does not, which the callers leave out. Anything else fails the whole cast:
    rare in registry dates, and then the callers parse the texts one by one.
    """
    try:
        return texts.cast(pa.date32())
    except pa.ArrowInvalid:
        return None


def _day_before(dates: pa.Array) -> pa.Array:
    return pc.subtract(dates.cast(pa.int32()), _ONE_DAY).cast(pa.date32())
