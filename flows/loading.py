"""Loading one batch of records: screen, decide, normalize, write. Plain functions, no Prefect.

This is the one load path. Pages from the API, entries of the bulk ZIP and replayed raw pages all
go through `load_records`, which is why re-loading any of them is idempotent and a rebuild is
identical.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb
import orjson
import pyarrow as pa

from schemas.codec import compress_encoded, encode_record
from schemas.study.paths import OVERALL_STATUS
from schemas.tables.history import CHANGE_EVENTS, STUDY_STATE, STUDY_VERSIONS
from schemas.tables.pipeline import QUARANTINE, SCHEMA_DRIFT
from transforms.arrow_tables import TypeIssue, arrow_table
from transforms.changes import batch_events
from transforms.drift import summarize
from transforms.normalize import NormalizedBatch, gc_paused, normalize
from transforms.screening import Screening, newest_per_study, screen
from transforms.versions import (
    WRITES_ROWS,
    Action,
    Decision,
    LoadContext,
    closed_versions,
    decide,
    new_version_records,
    refetched_ids,
    state_rows,
    version_rows,
)
from warehouse import state
from warehouse.loader import BatchWrite, CursorAdvance, FetchStamp, apply_batch

# One thread that compresses new versions' records (`compress_encoded` releases the GIL).
_COMPRESSOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialsync-compress")


class RowSource(Protocol):
    """Where the rows a batch writes come from, once the writer has decided what to write.

    `BuiltHere` builds them from the parsed records; a sharded bulk load builds them in worker
    processes ahead of the writer (`flows.shard_work.BuiltByWorker`). The writer's decisions and
    writes are the same code either way, so either load gives the same warehouse.
    """

    def with_records(self, decisions: list[Decision]) -> list[Decision]:
        """The decisions, each new version of a stored study carrying its record (for events)."""
        ...

    def compressed(self, decisions: Sequence[Decision]) -> Callable[[], list[bytes]]:
        """Start compressing the new versions' records; the call returns them (`version_rows`)."""
        ...

    def normalized(self, to_write: Sequence[Decision], strict: frozenset[str]) -> NormalizedBatch:
        """The ctgov tables of the studies to write (`strict`: those checked value by value)."""
        ...


class BuiltHere:
    """Rows built in this process from the screened records (`RowSource`)."""

    def with_records(self, decisions: list[Decision]) -> list[Decision]:
        """The decisions as they are: screened here, every study has its record."""
        return decisions

    def compressed(self, decisions: Sequence[Decision]) -> Callable[[], list[bytes]]:
        """Compressed on another thread while this one normalizes (without the GIL)."""
        texts = [encode_record(r) for r in new_version_records(decisions)]
        return _COMPRESSOR.submit(compress_encoded, texts).result

    def normalized(self, to_write: Sequence[Decision], strict: frozenset[str]) -> NormalizedBatch:
        """Only the studies to write are normalized."""
        return normalize([(d.study.nct_id, d.study.record) for d in to_write], strict=strict)


BUILT_HERE = BuiltHere()


@dataclass(frozen=True)
class CursorTarget:
    """The scope whose cursor this batch may advance."""

    scope_key: str
    scope_json: str


@dataclass
class LoadOutcome:
    """What one or more batches did (summable across a run)."""

    received: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    quarantined: int = 0
    drift: Counter[tuple[str, str]] = field(default_factory=Counter)
    type_issues: list[TypeIssue] = field(default_factory=list)
    max_last_update: dt.date | None = None
    events: Counter[str] = field(default_factory=Counter)
    status_transitions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)

    def add(self, other: LoadOutcome) -> None:
        """Fold another outcome into this one."""
        self.received += other.received
        self.events.update(other.events)
        self.status_transitions.update(other.status_transitions)
        self.actions.update(other.actions)
        self.quarantined += other.quarantined
        self.drift.update(other.drift)
        self.type_issues.extend(other.type_issues)
        if other.max_last_update and (
            self.max_last_update is None or other.max_last_update > self.max_last_update
        ):
            self.max_last_update = other.max_last_update


def load_records(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[Any],
    ctx: LoadContext,
    *,
    cursor: CursorTarget | None = None,
    pages: pa.Table | None = None,
    page_ref: str = "",
    emit_added: bool = True,
) -> LoadOutcome:
    """Screen and load one batch of parsed records atomically, and report what it did."""
    return load_screened(
        con,
        screen(records),
        len(records),
        ctx,
        BUILT_HERE,
        cursor=cursor,
        pages=pages,
        page_ref=page_ref,
        emit_added=emit_added,
    )


def load_screened(
    con: duckdb.DuckDBPyConnection,
    screening: Screening,
    received: int,
    ctx: LoadContext,
    rows: RowSource,
    *,
    cursor: CursorTarget | None = None,
    pages: pa.Table | None = None,
    page_ref: str = "",
    emit_added: bool = True,
) -> LoadOutcome:
    """Load one screened batch (of `received` records) atomically, and report what it did.

    Deciding reads the warehouse, so it happens here, in the writer; `rows` supplies what the
    decisions call for, built here or by a worker.
    """
    studies = newest_per_study(screening.studies)
    decisions = decide(studies, state.study_states(con, [s.nct_id for s in studies]))
    decisions = rows.with_records(decisions)
    previous = state.version_records(
        con,
        [
            (d.study.nct_id, d.previous_version_no or 0)
            for d in decisions
            if d.action is Action.NEW_VERSION
        ],
    )
    events = batch_events(decisions, previous, ctx, emit_added=emit_added)
    to_write = [d for d in decisions if d.action in WRITES_ROWS]
    compressed = rows.compressed(decisions)
    normalized = rows.normalized(
        to_write, frozenset(d.study.nct_id for d in to_write if d.study.has_type_drift)
    )
    max_seen = max(
        (s.last_update_post_date for s in studies if s.last_update_post_date), default=None
    )
    batch = BatchWrite(
        replace_ids=[d.study.nct_id for d in to_write if d.action is not Action.ADD],
        ctgov_rows=normalized.tables,
        new_versions=_arrow(STUDY_VERSIONS, version_rows(decisions, ctx, compressed())),
        closed_versions=closed_versions(decisions, ctx),
        states=_arrow(STUDY_STATE, state_rows(decisions, ctx)),
        refetched=FetchStamp(refetched_ids(decisions), ctx.fetched_at),
        events={CHANGE_EVENTS: _arrow(CHANGE_EVENTS, events)},
        pages=pages,
        quarantine=_arrow(QUARANTINE, _quarantine_rows(screening, ctx, page_ref)),
        drift=_arrow(SCHEMA_DRIFT, _drift_rows(screening, ctx)),
        cursor=_cursor_advance(cursor, max_seen, ctx),
    )
    apply_batch(con, batch)
    outcome = _outcome(received, screening, decisions, normalized.type_issues, max_seen)
    outcome.events.update(e["event_type"] for e in events)
    outcome.status_transitions.update(
        (e["old_value"], e["new_value"]) for e in events if e["field_path"] == OVERALL_STATUS
    )
    return outcome


def _arrow(table: Any, rows: list[dict[str, Any]]) -> pa.Table:
    data, issues = arrow_table(table, rows)
    if issues:
        raise ValueError(f"{table.qualified_name}: rows of the wrong type: {issues[:3]}")
    return data


def _quarantine_rows(screening: Screening, ctx: LoadContext, page_ref: str) -> list[dict[str, Any]]:
    return [
        {
            "record_key": r.record_key,
            "nct_id": r.nct_id,
            "run_id": ctx.run_id,
            "page_ref": page_ref,
            "reason": r.reason,
            "raw_record": r.raw.decode(),
            "quarantined_at": ctx.fetched_at,
        }
        for r in screening.rejected
    ]


def _drift_rows(screening: Screening, ctx: LoadContext) -> list[dict[str, Any]]:
    return [
        {
            "path": s.path,
            "kind": s.kind,
            "occurrences": s.count,
            "example_nct_id": s.example_nct_id,
            "example_value": s.example_value,
            "first_run_id": ctx.run_id,
            "last_run_id": ctx.run_id,
        }
        for s in summarize(screening.drift)
    ]


def _cursor_advance(
    cursor: CursorTarget | None, max_seen: dt.date | None, ctx: LoadContext
) -> CursorAdvance | None:
    if cursor is None or max_seen is None:
        return None
    return CursorAdvance(cursor.scope_key, cursor.scope_json, max_seen, ctx.run_id)


def _outcome(
    received: int,
    screening: Screening,
    decisions: Sequence[Decision],
    type_issues: list[TypeIssue],
    max_seen: dt.date | None,
) -> LoadOutcome:
    return LoadOutcome(
        received=received,
        actions=Counter(d.action.value for d in decisions),
        quarantined=len(screening.rejected),
        drift=Counter((d.path, d.kind) for d in screening.drift),
        type_issues=type_issues,
        max_last_update=max_seen,
    )


def parse_page(body: bytes) -> list[Any]:
    """The `studies` of an API page body (the page was landed before this is called)."""
    with gc_paused():
        page = orjson.loads(body)
    studies = page.get("studies") if isinstance(page, dict) else None
    if not isinstance(studies, list):
        raise ValueError("page body has no `studies` list")
    return studies
