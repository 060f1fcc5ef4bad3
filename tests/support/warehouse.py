"""Helpers for tests that run the pipeline: settings for a replay server, table snapshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

from flows.settings import Settings
from schemas.tables import ALL_TABLES, CTGOV_TABLES

ROOT = Path(__file__).resolve().parents[2]


def fast_settings(data_dir: Path, api_url: str, **overrides: Any) -> Settings:
    """Settings for tests: no rate limit to speak of, tiny backoff, the replay server's URL."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "api_url": api_url,
        "requests_per_second": 1000.0,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "read_timeout": 5.0,
        "connect_timeout": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for running `trialsync` in a subprocess (fast retries, no telemetry)."""
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "TRIALSYNC_REQUESTS_PER_SECOND": "1000",
        "TRIALSYNC_BACKOFF_INITIAL": "0.01",
        "TRIALSYNC_BACKOFF_MAX": "0.05",
    }
    env.update(extra)
    return env


def trialsync(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI."""
    exe = Path(sys.executable).with_name("trialsync")
    return subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        env=env or cli_env(),
        timeout=timeout,
        cwd=ROOT,
    )


# Moves every time a record is fetched again, changed or not (reconcile's rotation reads it): a
# re-fetch that changes nothing else is still "no change" for these snapshots.
FETCH_BOOKKEEPING = frozenset({"last_fetched_at"})


def content_snapshot(db: Path | duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every row of every registry and history table, sorted (for equality checks)."""
    con = duckdb.connect(str(db), read_only=True) if isinstance(db, Path) else db
    try:
        out: dict[str, list[str]] = {}
        for table in (*CTGOV_TABLES, *[t for t in ALL_TABLES if t.schema == "history"]):
            cols = ", ".join(c.name for c in table.columns if c.name not in FETCH_BOOKKEEPING)
            rows = con.execute(f"SELECT {cols} FROM {table.qualified_name}").fetchall()
            out[table.qualified_name] = sorted(map(repr, rows))
        return out
    finally:
        if isinstance(db, Path):
            con.close()


def scalar(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    """One value from a read-only connection."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()[0][0]
    finally:
        con.close()
