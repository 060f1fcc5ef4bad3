"""Deciding what a screened record means for the warehouse, and the history rows that follow.

Per study, compared with where the warehouse stands (history.study_state):

* ADD: never seen. Version 1.
* NEW_VERSION: the content hash differs (a real edit, or a removed study that came back).
* REFRESH: only refresh noise differs (record hash changed, content hash did not): the current rows
  are rebuilt from the newer record, and no version or event is created.
* UNCHANGED: the same record again: nothing is written (this is what makes re-loads idempotent).
* STALE: older than what the warehouse has (replayed or late pages): ignored, never a regression.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from transforms.screening import ScreenedStudy


class CurrentState(Protocol):
    """What the decision needs to know about a study the warehouse already has."""

    @property
    def version_no(self) -> int:
        """The current version."""
        ...

    @property
    def content_hash(self) -> str:
        """content_hash of the current version."""
        ...

    @property
    def record_hash(self) -> str:
        """record_hash of the record the current rows were built from."""
        ...

    @property
    def last_update_post_date(self) -> dt.date | None:
        """The lastUpdatePostDate of that record."""
        ...

    @property
    def first_seen_at(self) -> dt.datetime:
        """valid_from of the first version."""
        ...

    @property
    def is_removed(self) -> bool:
        """True once reconcile found the study gone."""
        ...


class Action(enum.Enum):
    """What loading a record does."""

    ADD = "add"
    NEW_VERSION = "new_version"
    REFRESH = "refresh"
    UNCHANGED = "unchanged"
    STALE = "stale"


@dataclass(frozen=True)
class Decision:
    """The action for one study and the version numbers involved."""

    study: ScreenedStudy
    action: Action
    version_no: int
    previous_version_no: int | None
    first_seen_at: dt.datetime | None
    was_removed: bool = False


@dataclass(frozen=True)
class LoadContext:
    """Where a batch comes from; every timestamp is data time, so a rebuild reproduces it."""

    run_id: str
    source: str  # 'api' | 'bulk' | 'reconcile'
    data_timestamp: dt.datetime | None
    fetched_at: dt.datetime

    @property
    def observed_at(self) -> dt.datetime:
        """When the registry showed this data: the API's dataTimestamp, else the fetch time."""
        return self.data_timestamp or self.fetched_at


def decide(studies: Sequence[ScreenedStudy], states: Mapping[str, CurrentState]) -> list[Decision]:
    """One decision per (already deduplicated) study."""
    return [_decide_one(study, states.get(study.nct_id)) for study in studies]


def _decide_one(study: ScreenedStudy, state: CurrentState | None) -> Decision:
    if state is None:
        return Decision(study, Action.ADD, 1, None, None)
    newer, older = study.last_update_post_date, state.last_update_post_date
    if newer is not None and older is not None and newer < older:
        action = Action.STALE
    elif study.content_hash != state.content_hash or state.is_removed:
        action = Action.NEW_VERSION
    elif study.record_hash != state.record_hash:
        action = Action.REFRESH
    else:
        action = Action.UNCHANGED
    version = state.version_no + 1 if action is Action.NEW_VERSION else state.version_no
    return Decision(study, action, version, state.version_no, state.first_seen_at, state.is_removed)


WRITES_ROWS = frozenset({Action.ADD, Action.NEW_VERSION, Action.REFRESH})
NEW_VERSIONS = frozenset({Action.ADD, Action.NEW_VERSION})


def new_version_records(decisions: Sequence[Decision]) -> list[Mapping[str, Any]]:
    """The records of the decisions that create a version, in `version_rows` order."""
    return [d.study.record for d in decisions if d.action in NEW_VERSIONS]


def version_rows(
    decisions: Sequence[Decision], ctx: LoadContext, raw_records: Sequence[bytes]
) -> list[dict[str, Any]]:
    """history.study_versions rows for the decisions that create a version.

    `raw_records`: `compress_record` of each of `new_version_records(decisions)`, made by the
    caller so that it can compress them on another thread.
    """
    new = [d for d in decisions if d.action in NEW_VERSIONS]
    return [
        {
            "nct_id": d.study.nct_id,
            "version_no": d.version_no,
            "content_hash": d.study.content_hash,
            "record_hash": d.study.record_hash,
            "last_update_post_date": d.study.last_update_post_date,
            "overall_status": d.study.overall_status,
            "data_timestamp": ctx.data_timestamp,
            "run_id": ctx.run_id,
            "source": ctx.source,
            "valid_from": ctx.observed_at,
            "valid_to": None,
            "is_removed": False,
            "raw_record": raw,
        }
        for d, raw in zip(new, raw_records, strict=True)
    ]


def closed_versions(
    decisions: Sequence[Decision], ctx: LoadContext
) -> list[tuple[str, int, dt.datetime]]:
    """(nct_id, version_no, valid_to) of each version that a new one replaces."""
    return [
        (d.study.nct_id, d.previous_version_no, ctx.observed_at)
        for d in decisions
        if d.action is Action.NEW_VERSION and d.previous_version_no is not None
    ]


def state_rows(decisions: Sequence[Decision], ctx: LoadContext) -> list[dict[str, Any]]:
    """history.study_state rows for every study whose current rows change."""
    return [
        {
            "nct_id": d.study.nct_id,
            "version_no": d.version_no,
            "content_hash": d.study.content_hash,
            "record_hash": d.study.record_hash,
            "last_update_post_date": d.study.last_update_post_date,
            "data_timestamp": ctx.data_timestamp,
            "first_seen_at": d.first_seen_at or ctx.observed_at,
            "is_removed": False,
            "removed_at": None,
            "last_fetched_at": ctx.fetched_at,
        }
        for d in decisions
        if d.action in WRITES_ROWS
    ]


def refetched_ids(decisions: Sequence[Decision]) -> list[str]:
    """Studies fetched again with no row to write (unchanged, or older than stored).

    Only their `last_fetched_at` moves, so that reconcile's rotating re-fetch moves on.
    """
    return [d.study.nct_id for d in decisions if d.action not in WRITES_ROWS]
