"""What a sync covers (a scope) and the `/studies` parameters that fetch it.

A scope is the user's selection (`--cond`, `--status`, `--ids`, ...) plus how far back to look
(`--full`, `--since`, or the stored cursor). Its `key` names the selection without the window, so
each selection keeps its own cursor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.ids import parse_nct_id_list

# Status enum of OAS 2.0.5 (`../shared/ctgov-sample/spec/enums-from-oas-2.0.5.json`, `Status`).
OVERALL_STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "ENROLLING_BY_INVITATION",
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "WITHDRAWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
        "UNKNOWN",
    }
)
# CLI option → API parameter.
OPTION_PARAMS: dict[str, str] = {
    "cond": "query.cond",
    "term": "query.term",
    "intr": "query.intr",
    "locn": "query.locn",
    "titles": "query.titles",
    "outc": "query.outc",
    "spons": "query.spons",
    "lead": "query.lead",
    "patient": "query.patient",
    "status": "filter.overallStatus",
    "advanced": "filter.advanced",
}
# Parameters a user may set; paging, projection and ids are the client's and the scope's own.
USER_PARAMS = frozenset(OPTION_PARAMS.values()) | {"query.id", "filter.geo", "filter.synonyms"}
CURSOR_PIECE = "LastUpdatePostDate"
_NCT_ONLY = re.compile(r"^\s*(?:[Nn][Cc][Tt]\d+[\s,]*)+$")


class ScopeError(ValueError):
    """An option value the API would reject, or a combination that makes no sense."""


class Scope(BaseModel):
    """One sync selection: which studies, and whether to walk them all or from a date."""

    model_config = ConfigDict(frozen=True)

    full: bool = False
    since: date | None = None
    ids: tuple[str, ...] = Field(default=())
    query: dict[str, str] = Field(default_factory=dict)

    @field_validator("ids", mode="before")
    @classmethod
    def _normalize_ids(cls, value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else list(value or ())
        return tuple(parse_nct_id_list(",".join(items))) if items else ()

    @field_validator("query")
    @classmethod
    def _check_query(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, raw in value.items():
            if name not in USER_PARAMS:
                raise ValueError(f"`{name}` cannot be set in a scope (allowed: {_allowed()})")
            text = raw.strip()
            if not text:
                continue
            if name.startswith("query.") and _NCT_ONLY.match(text):
                # The API ignores every filter when a query.* holds only NCT ids (OAS), which
                # would silently drop the incremental window.
                raise ValueError(f"`{name}` holds only NCT ids; use --ids instead")
            out[name] = _normalize_status(text) if name == "filter.overallStatus" else text
        return out

    @model_validator(mode="after")
    def _check_window(self) -> Scope:
        if self.full and self.since is not None:
            raise ValueError("--full and --since exclude each other")
        return self

    @classmethod
    def from_options(
        cls,
        *,
        full: bool = False,
        since: date | None = None,
        ids: Sequence[str] = (),
        **options: str | Sequence[str] | None,
    ) -> Scope:
        """Build a scope from CLI options (`cond="spine fusion"`, `status=["RECRUITING"]`, ...).

        Raises:
            ScopeError: with a message fit for the command line.
        """
        query: dict[str, str] = {}
        for name, value in options.items():
            if name not in OPTION_PARAMS:
                raise ScopeError(f"unknown scope option --{name}")
            if value:
                query[OPTION_PARAMS[name]] = value if isinstance(value, str) else ",".join(value)
        try:
            return cls(full=full, since=since, ids=tuple(ids), query=query)
        except ValueError as err:
            raise ScopeError(_first_error(err)) from None

    @property
    def key(self) -> str:
        """A stable name of the selection, without the window (one cursor per key)."""
        canon = orjson.dumps(
            {"ids": sorted(self.ids), "query": dict(sorted(self.query.items()))},
        )
        return hashlib.sha256(canon).hexdigest()[:16]

    @property
    def incremental(self) -> bool:
        """True unless this is a full walk."""
        return not self.full

    def window_start(self, cursor: date | None) -> date | None:
        """The first date to fetch: none for `--full`, `--since`, else the stored cursor."""
        if self.full:
            return None
        return self.since if self.since is not None else cursor

    def params(self, window_start: date | None) -> dict[str, str]:
        """The `/studies` parameters for this scope, from `window_start` on (None: everything).

        The window starts one day early (`RANGE[<start - 1 day>,MAX]`): the cursor has day
        precision and a day's records can be posted across a refresh (API reference, 8.2). The
        walk is sorted by `LastUpdatePostDate` ascending, so after a crash every record before
        the last committed cursor has been seen.
        """
        params = dict(self.query)
        if window_start is not None:
            window = f"AREA[{CURSOR_PIECE}]RANGE[{window_start - timedelta(days=1)},MAX]"
            user = params.get("filter.advanced")
            params["filter.advanced"] = f"({user}) AND {window}" if user else window
        if self.ids:
            params["filter.ids"] = "|".join(self.ids)
        params["sort"] = f"{CURSOR_PIECE}:asc"
        params["countTotal"] = "true"
        return params

    def describe(self) -> str:
        """A short human description for logs and CLI output."""
        parts = [f"{k}={v}" for k, v in sorted(self.query.items())]
        if self.ids:
            parts.append(f"{len(self.ids)} ids")
        window = "full" if self.full else f"since {self.since}" if self.since else "from cursor"
        return f"{', '.join(parts) or 'all studies'} ({window})"


def _normalize_status(text: str) -> str:
    values = [v.strip().upper() for v in re.split(r"[,|]", text) if v.strip()]
    bad = [v for v in values if v not in OVERALL_STATUSES]
    if bad:
        choices = ", ".join(sorted(OVERALL_STATUSES))
        raise ValueError(f"unknown overall status {', '.join(bad)}; choose from {choices}")
    return ",".join(dict.fromkeys(values))


def _allowed() -> str:
    return ", ".join(sorted(USER_PARAMS))


def _first_error(err: ValueError) -> str:
    errors = getattr(err, "errors", None)
    if callable(errors):
        first: Mapping[str, Any] = errors()[0]
        return str(first.get("msg", err)).removeprefix("Value error, ")
    return str(err)
