"""Registry dates: PartialDate strings keep their text, their period and their precision."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any, NamedTuple

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


_NO_TYPE = object()


def partial_date_fields(prefix: str, raw: Any, date_type: Any = _NO_TYPE) -> dict[str, Any]:
    """The row values for `schemas.columns.partial_date(prefix, ...)` columns.

    Pass `date_type` only for dates whose table declares a `<prefix>_date_type` column.
    """
    date, month_year, precision, type_ = _field_names(prefix)
    if isinstance(raw, str):
        parsed = parse_partial_date(raw)
        row = {date: parsed.last, month_year: raw, precision: parsed.precision}
    else:
        row = {date: None, month_year: None, precision: None}
    if date_type is not _NO_TYPE:
        row[type_] = date_type
    return row


@lru_cache(maxsize=256)
def _field_names(prefix: str) -> tuple[str, str, str, str]:
    # Built once per prefix: the same key objects every row, instead of fresh strings to hash.
    return (
        f"{prefix}_date",
        f"{prefix}_month_year",
        f"{prefix}_date_precision",
        f"{prefix}_date_type",
    )


def parse_date(raw: Any) -> dt.date | None:
    """A full `yyyy-MM-dd` date, or None (also for partial dates, which have their own columns)."""
    if not isinstance(raw, str):
        return None
    parsed = parse_partial_date(raw)
    return parsed.first if parsed.precision == "day" else None
