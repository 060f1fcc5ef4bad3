"""The upstream data-model check: the API's field list vs ours, at most once per interval.

`check_metadata` fetches `/studies/metadata`, compares it with the model
(`transforms.metadata_drift`) and records what differs in `pipeline.schema_drift` with the same
merge the loader uses for record drift (one occurrence per check that saw it). The time of the last
completed check is kept in `pipeline.meta`, so a sync every hour still asks the API once a day.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import pyarrow as pa

from flows.ctgov_client import ApiError, CtgovClient
from flows.runs import utcnow
from schemas.tables.pipeline import SCHEMA_DRIFT
from transforms.metadata_drift import MetadataDrift, metadata_drift
from warehouse.database import fetch_one
from warehouse.loader import BatchWrite, apply_batch

log = logging.getLogger(__name__)

LAST_CHECK_KEY = "metadata_checked_at"


def check_metadata(
    con: duckdb.DuckDBPyConnection,
    client: CtgovClient,
    run_id: str,
    *,
    every: dt.timedelta = dt.timedelta(days=1),
    now: dt.datetime | None = None,
) -> list[MetadataDrift]:
    """Compare the API's field list with the model unless a check ran less than `every` ago.

    Returns the observations of this check (empty when it was skipped or found nothing); they
    are also merged into `pipeline.schema_drift` and logged as warnings. A failed request is
    logged and not recorded as a check, so the next run tries again; it never fails the caller.

    Args:
        con: The working database (the caller holds the writer lock).
        client: The API client (its retry policy applies).
        run_id: The run the observations are attributed to.
        every: Minimum time between two checks.
        now: The current time, naive UTC (default: the clock).
    """
    now = now or utcnow()
    last = last_metadata_check(con)
    if last is not None and now - last < every:
        log.debug("metadata checked at %s; next check after %s", last, last + every)
        return []
    try:
        nodes = client.metadata()
        found = metadata_drift(nodes)
    except (ApiError, ValueError) as err:
        log.warning("could not check the API's field list (/studies/metadata): %s", err)
        return []
    if found:
        apply_batch(con, BatchWrite(drift=_drift_rows(found, run_id)))
    for drift in found:
        log.warning("upstream data model: %s %s (%s)", drift.kind, drift.path, drift.example)
    con.execute(
        "INSERT OR REPLACE INTO pipeline.meta (key, value) VALUES (?, ?)",
        [LAST_CHECK_KEY, now.isoformat()],
    )
    return found


def last_metadata_check(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the last completed metadata check ran (naive UTC), or None."""
    row = fetch_one(con, "SELECT value FROM pipeline.meta WHERE key = ?", [LAST_CHECK_KEY])
    return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


def _drift_rows(found: list[MetadataDrift], run_id: str) -> pa.Table:
    rows = [
        {
            "path": drift.path,
            "kind": drift.kind,
            "occurrences": 1,
            "example_nct_id": None,
            "example_value": drift.example or None,
            "first_run_id": run_id,
            "last_run_id": run_id,
        }
        for drift in found
    ]
    return pa.Table.from_pylist(rows, schema=SCHEMA_DRIFT.arrow_schema())
