"""Reconcile's side of the warehouse: the registry's id list against what is stored, and removals.

A study that left the registry is never deleted. `mark_removed` flags it in history.study_state,
closes its current version (valid_to, is_removed) and records the lifecycle event, in one
transaction. Its ctgov rows stay as they were, so that `ctgov` keeps meaning "the record as last
published"; whether a study is still in the registry is read from history.study_state (and the
publication's views built on it). If the study comes back, the next load makes a new version of it.

The removals a reconcile run decided are also landed next to its raw pages (`removals.json`), so a
rebuild from the raw folder can apply them again at the same point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from schemas.tables.history import CHANGE_EVENTS
from warehouse.database import insert_arrow, transaction
from warehouse.files import write_atomic

REMOVALS_FILE = "removals.json"


@dataclass(frozen=True)
class ListingComparison:
    """How the registry's id list and the warehouse disagree (each list sorted)."""

    missing: list[str]  # listed, but never loaded, or marked removed: new, or back again
    outdated: list[str]  # listed with a newer lastUpdatePostDate than the stored record's
    gone: list[str]  # stored and not marked removed, but not listed


def compare_listing(con: duckdb.DuckDBPyConnection, listed: pa.Table) -> ListingComparison:
    """Compare `listed` (nct_id, last_update_post_date) with history.study_state, in SQL."""
    con.register("_listed", listed)
    try:
        rows = con.execute(
            "SELECT l.nct_id, CASE WHEN s.nct_id IS NULL OR s.is_removed THEN 'missing' "
            "ELSE 'outdated' END FROM _listed l LEFT JOIN history.study_state s USING (nct_id) "
            "WHERE s.nct_id IS NULL OR s.is_removed "
            "OR l.last_update_post_date > s.last_update_post_date "
            "UNION ALL SELECT nct_id, 'gone' FROM history.study_state WHERE NOT is_removed "
            "AND nct_id NOT IN (SELECT nct_id FROM _listed) ORDER BY 1"
        ).fetchall()
    finally:
        con.unregister("_listed")
    kinds: dict[str, list[str]] = {"missing": [], "outdated": [], "gone": []}
    for nct_id, kind in rows:
        kinds[kind].append(nct_id)
    return ListingComparison(**kinds)


def oldest_fetched(
    con: duckdb.DuckDBPyConnection, limit: int, exclude: Iterable[str] = ()
) -> list[str]:
    """The `limit` studies (not removed) whose record was fetched longest ago, oldest first."""
    if limit <= 0:
        return []
    skip = pa.table({"nct_id": pa.array(sorted(set(exclude)), pa.string())})
    con.register("_skip", skip)
    try:
        rows = con.execute(
            "SELECT nct_id FROM history.study_state WHERE NOT is_removed "
            "AND nct_id NOT IN (SELECT nct_id FROM _skip) "
            "ORDER BY last_fetched_at, nct_id LIMIT ?",
            [limit],
        ).fetchall()
    finally:
        con.unregister("_skip")
    return [row[0] for row in rows]


def mark_removed(
    con: duckdb.DuckDBPyConnection,
    nct_ids: Sequence[str],
    removed_at: dt.datetime,
    events: pa.Table,
) -> int:
    """Flag studies removed, close their current version and add their events, atomically.

    Studies already flagged are left as they are (their events have stable ids and are ignored),
    so applying the same removals twice changes nothing. Returns how many studies were flagged.
    """
    if not nct_ids:
        return 0
    con.register("_removed", pa.table({"nct_id": pa.array(list(nct_ids), pa.string())}))
    try:
        with transaction(con):
            con.execute(
                "UPDATE history.study_versions AS v SET valid_to = ?, is_removed = true "
                "FROM history.study_state s WHERE s.nct_id IN (SELECT nct_id FROM _removed) "
                "AND NOT s.is_removed AND v.nct_id = s.nct_id AND v.version_no = s.version_no "
                "AND v.valid_to IS NULL",
                [removed_at],
            )
            flagged = con.execute(
                "UPDATE history.study_state SET is_removed = true, removed_at = ? "
                "WHERE nct_id IN (SELECT nct_id FROM _removed) AND NOT is_removed RETURNING nct_id",
                [removed_at],
            ).fetchall()
            insert_arrow(con, CHANGE_EVENTS, events, or_ignore=True)
    finally:
        con.unregister("_removed")
    return len(flagged)


@dataclass(frozen=True)
class Removal:
    """A study reconcile found gone: `study_removed`, or `study_merged` into another record."""

    nct_id: str
    event_type: str
    merged_into: str | None = None


@dataclass(frozen=True)
class LandedRemovals:
    """What `removals.json` of a reconcile run holds."""

    detected_at: dt.datetime
    removals: list[Removal]


def land_removals(run_folder: Path, landed: LandedRemovals) -> Path:
    """Write the removals a run decided next to its raw pages (atomically; replaced if rerun)."""
    path = run_folder / REMOVALS_FILE
    body = {
        "detected_at": landed.detected_at.isoformat(),
        "removals": [
            {"nct_id": r.nct_id, "event_type": r.event_type, "merged_into": r.merged_into}
            for r in landed.removals
        ],
    }
    write_atomic(path, orjson.dumps(body, option=orjson.OPT_INDENT_2))
    return path


def read_landed_removals(run_folder: Path) -> LandedRemovals | None:
    """The removals landed in a run folder, or None when the run landed none."""
    path = run_folder / REMOVALS_FILE
    if not path.exists():
        return None
    body = orjson.loads(path.read_bytes())
    return LandedRemovals(
        detected_at=dt.datetime.fromisoformat(body["detected_at"]),
        removals=[
            Removal(r["nct_id"], r["event_type"], r.get("merged_into")) for r in body["removals"]
        ],
    )
