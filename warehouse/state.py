"""Reads the load step needs: where each study stands, its previous record, the sync cursors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from schemas.codec import decompress_record
from warehouse.database import fetch_one


class StudyState(NamedTuple):
    """Where a study stands in the warehouse (a row of history.study_state)."""

    nct_id: str
    version_no: int
    content_hash: str
    record_hash: str
    last_update_post_date: dt.date | None
    data_timestamp: dt.datetime | None
    first_seen_at: dt.datetime
    is_removed: bool


def _ids_table(nct_ids: Iterable[str]) -> pa.Table:
    return pa.table({"nct_id": pa.array(sorted(set(nct_ids)), type=pa.string())})


def study_states(con: duckdb.DuckDBPyConnection, nct_ids: Iterable[str]) -> dict[str, StudyState]:
    """The state row of each given study that the warehouse has seen."""
    ids = _ids_table(nct_ids)
    if ids.num_rows == 0:
        return {}
    con.register("_state_ids", ids)
    try:
        rows = con.execute(
            "SELECT nct_id, version_no, content_hash, record_hash, last_update_post_date, "
            "data_timestamp, first_seen_at, is_removed FROM history.study_state "
            "WHERE nct_id IN (SELECT nct_id FROM _state_ids)"
        ).fetchall()
    finally:
        con.unregister("_state_ids")
    return {row[0]: StudyState(*row) for row in rows}


def version_records(
    con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, int]]
) -> dict[str, dict[str, Any]]:
    """The stored record of each (nct_id, version_no), keyed by nct_id."""
    if not keys:
        return {}
    wanted = pa.table(
        {
            "nct_id": pa.array([k[0] for k in keys], type=pa.string()),
            "version_no": pa.array([k[1] for k in keys], type=pa.int32()),
        }
    )
    con.register("_version_keys", wanted)
    try:
        # A semi-join on nct_id first: it reads the blob column only for matching rows.
        rows = con.execute(
            "SELECT v.nct_id, v.version_no, v.raw_record FROM history.study_versions v "
            "WHERE v.nct_id IN (SELECT nct_id FROM _version_keys)"
        ).fetchall()
    finally:
        con.unregister("_version_keys")
    want = set(keys)
    return {nct: decompress_record(blob) for nct, no, blob in rows if (nct, no) in want}


def cursor_date(con: duckdb.DuckDBPyConnection, scope_key: str) -> dt.date | None:
    """The committed cursor of a scope, or None before its first run."""
    row = fetch_one(
        con, "SELECT cursor_date FROM pipeline.cursors WHERE scope_key = ?", [scope_key]
    )
    return None if row is None else row[0]


def synced_scopes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The scope (JSON) of every selection the warehouse keeps a cursor for."""
    return [
        row[0] for row in con.execute("SELECT scope FROM pipeline.cursors ORDER BY 1").fetchall()
    ]


def loaded_pages(con: duckdb.DuckDBPyConnection) -> set[tuple[str, int]]:
    """(run_id, page_no) of every page whose studies are committed."""
    return {
        (r, int(p)) for r, p in con.execute("SELECT run_id, page_no FROM pipeline.pages").fetchall()
    }


def study_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many studies the warehouse has seen."""
    row = fetch_one(con, "SELECT count(*) FROM history.study_state")
    return 0 if row is None else int(row[0])


def run_events(
    con: duckdb.DuckDBPyConnection, run_id: str, event_types: Sequence[str]
) -> list[dict[str, Any]]:
    """The change events a run detected, of the given types, as dicts (ordered by study)."""
    if not event_types:
        return []
    cursor = con.execute(
        "SELECT nct_id, event_type, field_path, old_value, new_value, last_update_post_date "
        "FROM history.change_events WHERE run_id = ? AND list_contains(?, event_type) "
        "ORDER BY nct_id, event_type, field_path",
        [run_id, list(event_types)],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def has_loaded_before(con: duckdb.DuckDBPyConnection) -> bool:
    """True once a run that loads studies has succeeded: from then on, new studies are news.

    Not "the warehouse has studies": the re-run of an interrupted first load finds some, yet a
    first load must not announce every study it loads as added.
    """
    row = fetch_one(
        con,
        "SELECT count(*) FROM pipeline.runs WHERE status = 'succeeded' "
        "AND command IN ('sync', 'load-bulk', 'reconcile')",
    )
    return bool(row and row[0])
