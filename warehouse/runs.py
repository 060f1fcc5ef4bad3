"""pipeline.runs: one row per run, written when it starts and again when it ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import duckdb
import orjson


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, default=str).decode()


def start_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    command: str,
    scope_key: str | None,
    params: Mapping[str, Any],
    started_at: dt.datetime,
) -> None:
    """Record that a run started (status 'running' until `finish_run`)."""
    con.execute(
        "INSERT INTO pipeline.runs (run_id, command, scope_key, params, started_at, status) "
        "VALUES (?, ?, ?, ?, ?, 'running')",
        [run_id, command, scope_key, _json(params), started_at],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    status: str,
    finished_at: dt.datetime,
    data_timestamp_start: dt.datetime | None,
    data_timestamp_end: dt.datetime | None,
    report: Mapping[str, Any],
    error: str | None = None,
) -> None:
    """Record how a run ended, with its report."""
    con.execute(
        "UPDATE pipeline.runs SET status = ?, finished_at = ?, data_timestamp_start = ?, "
        "data_timestamp_end = ?, report = ?, error = ? WHERE run_id = ?",
        [
            status,
            finished_at,
            data_timestamp_start,
            data_timestamp_end,
            _json(report),
            error,
            run_id,
        ],
    )


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs, newest first."""
    cursor = con.execute(
        "SELECT run_id, command, status, started_at, finished_at, data_timestamp_end, error "
        "FROM pipeline.runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
