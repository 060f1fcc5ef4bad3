"""Registry dates: PartialDate strings keep their precision; AACT's 'Month yyyy' helper text."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, NamedTuple

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class PartialDate(NamedTuple):
    """A parsed registry PartialDate: the raw text, first day of its period, and its precision."""

    raw: str
    date: dt.date | None
    precision: str | None  # 'year' | 'month' | 'day'; None when the text is not a date

    @property
    def month_year(self) -> str | None:
        """AACT's display form: 'July 2021', or '2021' for a year-only date."""
        if self.date is None:
            return None
        if self.precision == "year":
            return str(self.date.year)
        return f"{_MONTHS[self.date.month - 1]} {self.date.year}"


@lru_cache(maxsize=65536)
def parse_partial_date(raw: str) -> PartialDate:
    """Parse `yyyy`, `yyyy-MM` or `yyyy-MM-dd`; anything else keeps its text with no date."""
    match = _PARTIAL.match(raw)
    if match is None:
        return PartialDate(raw, None, None)
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return PartialDate(raw, None, None)
    return PartialDate(raw, value, precision)


_NO_TYPE = object()


def partial_date_fields(prefix: str, raw: Any, date_type: Any = _NO_TYPE) -> dict[str, Any]:
    """The row values for `schemas.columns.partial_date(prefix, ...)` columns.

    Pass `date_type` only for dates whose table declares a `<prefix>_date_type` column.
    """
    if not isinstance(raw, str):
        row: dict[str, Any] = dict.fromkeys(
            (f"{prefix}_date", f"{prefix}_month_year", f"{prefix}_date_raw"), None
        )
        row[f"{prefix}_date_precision"] = None
    else:
        parsed = parse_partial_date(raw)
        row = {
            f"{prefix}_date": parsed.date,
            f"{prefix}_month_year": parsed.month_year,
            f"{prefix}_date_raw": raw,
            f"{prefix}_date_precision": parsed.precision,
        }
    if date_type is not _NO_TYPE:
        row[f"{prefix}_date_type"] = date_type
    return row


@lru_cache(maxsize=65536)
def parse_date(raw: Any) -> dt.date | None:
    """A full `yyyy-MM-dd` date, or None (also for partial dates, which have their own columns)."""
    if not isinstance(raw, str):
        return None
    parsed = parse_partial_date(raw)
    return parsed.date if parsed.precision == "day" else None
