"""Field types of the Study contract: tolerant date texts, open enums, leaf-kind markers, base.

The generated models (`schemas/study/_generate.py`) use only these types, so
`schemas/study/paths.py` can read every leaf's kind back from the models (the single source).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

DatePrecision = Literal["year", "month", "day"]

# OAS 2.0.5 `DesignModule.targetDuration`, `EligibilityModule.minimumAge` / `maximumAge`.
DURATION_PATTERN = r"^\d+ (Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$"

# re.ASCII: `\d` means 0-9 as in the spec's (Java) patterns, not every Unicode digit. Used with
# fullmatch, because `$` also matches before a final newline.
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATETIME_MINUTES = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$", re.ASCII)


# The parsers cache by text (the same few thousand dates recur in every page); texts longer than
# any date are refused before the cache, so odd input cannot fill it with large strings.
_LONGEST = len("yyyy-MM-ddTHH:mm")


def parse_partial_date(raw: str) -> tuple[dt.date, DatePrecision] | None:
    """First day of the period and the precision of `yyyy`, `yyyy-MM` or `yyyy-MM-dd`, else None."""
    return _partial_date(raw) if len(raw) <= _LONGEST else None


def parse_calendar_date(raw: str) -> dt.date | None:
    """The date of a `yyyy-MM-dd` text (OAS `format: date`), else None."""
    return _calendar_date(raw) if len(raw) <= _LONGEST else None


def parse_datetime_minutes(raw: str) -> dt.datetime | None:
    """The naive timestamp of a `yyyy-MM-dd'T'HH:mm` text (OAS `DateTimeMinutes`), else None."""
    return _datetime_minutes(raw) if len(raw) <= _LONGEST else None


@lru_cache(maxsize=65536)
def _partial_date(raw: str) -> tuple[dt.date, DatePrecision] | None:
    match = _PARTIAL.fullmatch(raw)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:  # month 13, February 30: the right shape but no such day
        return None
    return value, "day" if day else "month" if month else "year"


@lru_cache(maxsize=65536)
def _calendar_date(raw: str) -> dt.date | None:
    if _DATE.fullmatch(raw) is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _datetime_minutes(raw: str) -> dt.datetime | None:
    if _DATETIME_MINUTES.fullmatch(raw) is None:
        return None
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


class _RawText(str):
    """A string kept exactly as the API sent it; subclasses add a parsed view."""

    __slots__ = ()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Any string validates (an invalid date is drift to report, not a reason to reject the
        # record); it serializes back to the plain string, so a dump reproduces the input.
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )


class PartialDate(_RawText):
    """OAS `PartialDate`: `yyyy`, `yyyy-MM` or `yyyy-MM-dd`, kept raw, with its period's first day.

    `PartialDate("2021-07").date == date(2021, 7, 1)` and `.precision == "month"`. A text that is
    not such a date (`"2021-13"`) still validates; its `date` and `precision` are None and the drift
    walker reports it as `bad_date`.
    """

    __slots__ = ()

    @property
    def date(self) -> dt.date | None:
        """First day of the period, or None when the text is not a partial date."""
        parsed = parse_partial_date(self)
        return parsed[0] if parsed else None

    @property
    def precision(self) -> DatePrecision | None:
        """'year', 'month' or 'day', or None when the text is not a partial date."""
        parsed = parse_partial_date(self)
        return parsed[1] if parsed else None

    @property
    def is_valid(self) -> bool:
        """True when the text is one of the three partial-date forms and names a real day."""
        return parse_partial_date(self) is not None


class CalendarDate(_RawText):
    """OAS `string` with `format: date`: `yyyy-MM-dd`, kept raw, with its parsed date."""

    __slots__ = ()

    @property
    def date(self) -> dt.date | None:
        """The date, or None when the text is not `yyyy-MM-dd`."""
        return parse_calendar_date(self)

    @property
    def is_valid(self) -> bool:
        """True when the text is a real `yyyy-MM-dd` date."""
        return parse_calendar_date(self) is not None


class DateTimeMinutes(_RawText):
    """OAS `DateTimeMinutes`: `yyyy-MM-dd'T'HH:mm` (only `largeDocs[].uploadDate`), kept raw."""

    __slots__ = ()

    @property
    def datetime(self) -> dt.datetime | None:
        """The naive timestamp (the API gives no zone), or None when the text has another form."""
        return parse_datetime_minutes(self)

    @property
    def is_valid(self) -> bool:
        """True when the text is a real `yyyy-MM-dd'T'HH:mm` timestamp."""
        return parse_datetime_minutes(self) is not None


@dataclass(frozen=True)
class OpenEnum:
    """Annotation marker: a string field whose spec enum is `enum`, open to unknown values.

    Known values become members of `enum` (a `StrEnum`, so they still compare equal to the text);
    unknown values stay plain strings instead of failing validation, because the registry adds
    values before the published spec does (2.0.0 added `CTIS`, 2.0.5 added
    `ISSUES_IN_LETTER_ADDRESSED_CONFIRMED`).
    """

    enum: type[StrEnum]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        members = {member.value: member for member in self.enum}
        return core_schema.no_info_after_validator_function(
            lambda value: members.get(value, value), handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["examples"] = [member.value for member in self.enum]
        json_schema["description"] = f"OAS enum {self.enum.__name__}; unknown values are kept."
        return json_schema


@dataclass(frozen=True)
class LeafKind:
    """Annotation marker for string leaves with a narrower meaning (markup, NCT id, a pattern).

    Pydantic ignores it; `schemas.study.paths` reads it to give the leaf its kind.
    """

    kind: Literal["string", "markup", "nct"]
    pattern: str | None = None


# CommonMark rich text (the `/studies/metadata` response types these fields `markup`).
Markup = Annotated[str, LeafKind("markup")]
# OAS `nct`: an 11-character NCT number. Not enforced here; the envelope and drift check it.
NctId = Annotated[str, LeafKind("nct")]
# Ages and target durations such as "18 Years"; the pattern is reported by drift, not enforced.
Duration = Annotated[str, LeafKind("string", pattern=DURATION_PATTERN)]


class StudyModel(BaseModel):
    """Base of every Study model: reads raw API JSON tolerantly and says what it did not know.

    Unknown keys are kept (`model_extra`, and in dumps) rather than rejected, every field is
    optional because the API omits empty values, and `class` is reached as `class_`.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )
