"""Run identity, clocks and the run report shared by every command."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flows.loading import LoadOutcome


def utcnow() -> dt.datetime:
    """Now, UTC, without tzinfo (DuckDB TIMESTAMP columns hold UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: `20261124T093012Z-3fa2c1`."""
    return f"{(now or utcnow()):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def parse_timestamp(value: str | None) -> dt.datetime | None:
    """An API/manifest timestamp (`2026-11-20T09:00:05`, maybe with a zone) as naive UTC."""
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


class DriftAlert(NamedTuple):
    """One (path, kind) of upstream schema drift a run saw, with how often."""

    path: str
    kind: str
    occurrences: int


@dataclass
class RunReport:
    """What a run did; stored as JSON in pipeline.runs.report and shown by the CLI."""

    run_id: str
    command: str
    scope: str = ""
    started_at: dt.datetime = field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    status: str = "running"
    data_timestamp_start: dt.datetime | None = None
    data_timestamp_end: dt.datetime | None = None
    refreshed_during_run: bool = False
    pages: int = 0
    fetched: int = 0
    duplicates_in_run: int = 0
    recovered_pages: int = 0
    bootstrapped_from_bulk: bool = False
    outcome: LoadOutcome = field(default_factory=LoadOutcome)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    published: str | None = None
    summaries: dict[str, Any] | None = None  # what the summarize step did (SummarizeResult)
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the wall time of a step to `timings` (seconds)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = round(self.timings.get(step, 0.0) + time.perf_counter() - start, 3)

    @property
    def drift_alerts(self) -> list[DriftAlert]:
        """Every drift seen by the run except known extras: what the report must show loudly."""
        return [
            DriftAlert(path, kind, count)
            for (path, kind), count in sorted(self.outcome.drift.items())
            if kind != "known_extra"
        ]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        o = self.outcome
        return {
            "run_id": self.run_id,
            "command": self.command,
            "scope": self.scope,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "data_timestamp_start": _iso(self.data_timestamp_start),
            "data_timestamp_end": _iso(self.data_timestamp_end),
            "refreshed_during_run": self.refreshed_during_run,
            "pages": self.pages,
            "fetched": self.fetched,
            "duplicates_in_run": self.duplicates_in_run,
            "recovered_pages": self.recovered_pages,
            "bootstrapped_from_bulk": self.bootstrapped_from_bulk,
            "loaded": dict(o.actions),
            "quarantined": o.quarantined,
            "events": dict(o.events),
            "status_transitions": [
                {"from": a, "to": b, "count": n}
                for (a, b), n in sorted(o.status_transitions.items(), key=str)
            ],
            "drift": [{"path": p, "kind": k, "count": n} for (p, k), n in sorted(o.drift.items())],
            "type_issues": len(o.type_issues),
            "max_last_update_post_date": o.max_last_update.isoformat()
            if o.max_last_update
            else None,
            "timings": self.timings,
            "error": self.error,
            "published": self.published,
            "summaries": self.summaries,
            "notes": self.notes,
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
