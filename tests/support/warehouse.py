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
        **os.environ,  # noqa: TID251 - passed on to the child (PATH, HOME); no setting is read here
        "DO_NOT_TRACK": "1",
        "TRIALSYNC_REQUESTS_PER_SECOND": "1000",
        "TRIALSYNC_BACKOFF_INITIAL": "0.01",
        "TRIALSYNC_BACKOFF_MAX": "0.05",
    }
    env.update(extra)
    return env


def prefect_cli_env(**extra: str) -> dict[str, str]:
    """`cli_env` for commands run as Prefect flows on the temporary server (a fresh machine)."""
    env = cli_env(TRIALSYNC_ORCHESTRATION="prefect", **extra)
    env.pop("PREFECT_API_URL", None)
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
# Which run wrote a row: a run killed half-way and the re-run that finishes its work write the same
# rows as one clean run, under other run ids. Compare with this left out to prove "the same data".
RUN_BOOKKEEPING = FETCH_BOOKKEEPING | {"run_id"}


def content_snapshot(
    db: Path | duckdb.DuckDBPyConnection, *, ignore: frozenset[str] = FETCH_BOOKKEEPING
) -> dict[str, list[str]]:
    """Every row of every registry and history table, sorted (for equality checks).

    Columns named in `ignore` are left out (default: the fetch bookkeeping).
    """
    con = duckdb.connect(str(db), read_only=True) if isinstance(db, Path) else db
    try:
        out: dict[str, list[str]] = {}
        for table in (*CTGOV_TABLES, *[t for t in ALL_TABLES if t.schema == "history"]):
            cols = ", ".join(c.name for c in table.columns if c.name not in ignore)
            rows = con.execute(f"SELECT {cols} FROM {table.qualified_name}").fetchall()
            out[table.qualified_name] = sorted(map(repr, rows))
        return out
    finally:
        if isinstance(db, Path):
            con.close()


def duplicate_keys(db: Path) -> dict[str, int]:
    """Tables holding rows that share a primary key, with how many surplus rows (empty: none)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, int] = {}
        for table in ALL_TABLES:
            if not table.primary_key:
                continue
            key = ", ".join(table.primary_key)
            surplus = con.execute(
                f"SELECT count(*) - count(DISTINCT ({key})) FROM {table.qualified_name}"
            ).fetchall()[0][0]
            if surplus:
                out[table.qualified_name] = surplus
        return out
    finally:
        con.close()


def torn_studies(db: Path) -> list[str]:
    """Studies whose rows disagree with their history (a batch applied in part), with why.

    Every study the history holds as current must have its version row (same content hash) and
    exactly one ctgov.studies row; every ctgov.studies row must belong to such a study.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            f"{nct_id}: {why}"
            for nct_id, why in con.execute(
                "SELECT s.nct_id, 'no version row with its content hash' "
                "FROM history.study_state s LEFT JOIN history.study_versions v "
                "ON v.nct_id = s.nct_id AND v.version_no = s.version_no "
                "AND v.content_hash = s.content_hash WHERE v.nct_id IS NULL "
                "UNION ALL SELECT s.nct_id, 'ctgov.studies rows: ' || count(c.nct_id) "
                "FROM history.study_state s LEFT JOIN ctgov.studies c ON c.nct_id = s.nct_id "
                "WHERE NOT s.is_removed GROUP BY s.nct_id HAVING count(c.nct_id) <> 1 "
                "UNION ALL SELECT c.nct_id, 'in ctgov.studies without a current version' "
                "FROM ctgov.studies c ANTI JOIN history.study_state s ON s.nct_id = c.nct_id"
            ).fetchall()
        ]
    finally:
        con.close()


def scalar(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    """One value from a read-only connection."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()[0][0]
    finally:
        con.close()


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Every row of a query, from a read-only connection."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
