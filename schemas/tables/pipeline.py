"""Pipeline state: runs, landed pages, sync cursors, quarantine and schema drift."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import text
from schemas.table import Column, Table

TS = pa.timestamp("us")
_SCHEMA = "pipeline"

RUNS = Table(
    "runs",
    text("run_id", None, "Sortable run id: UTC start time plus a random suffix.", nullable=False),
    text(
        "command", None, "What ran: sync, load-bulk, reconcile, rebuild, publish.", nullable=False
    ),
    text("scope_key", None, "Key of the sync scope (see pipeline.cursors)."),
    Column("params", pa.string(), "Run parameters as JSON.", is_json=True),
    Column("started_at", TS, "Wall-clock start (UTC).", nullable=False),
    Column("finished_at", TS, "Wall-clock end (UTC); NULL while running or after a crash."),
    text("status", None, "running, succeeded or failed.", nullable=False),
    Column("data_timestamp_start", TS, "API dataTimestamp read before the run."),
    Column("data_timestamp_end", TS, "API dataTimestamp read after the run."),
    Column("report", pa.string(), "Run report (counts, timings, drift) as JSON.", is_json=True),
    text("error", None, "Where and why the run failed."),
    primary_key=("run_id",),
    schema=_SCHEMA,
    grain="one row per pipeline run",
)

PAGES = Table(
    "pages",
    text("run_id", None, "Run that landed the page.", nullable=False),
    Column(
        "page_no",
        pa.int32(),
        "1-based page number within the run (bulk: batch number).",
        nullable=False,
    ),
    text("scope_key", None, "Scope the page was fetched for."),
    text("path", None, "Landed file, relative to the data folder.", nullable=False),
    Column("study_count", pa.int32(), "Studies in the page.", nullable=False),
    text("sha256", None, "sha256 of the uncompressed page body.", nullable=False),
    Column("fetched_at", TS, "When the page arrived (UTC).", nullable=False),
    Column("data_timestamp", TS, "API dataTimestamp of the run."),
    Column(
        "loaded_at", TS, "When the page's studies were committed to the warehouse.", nullable=False
    ),
    primary_key=("run_id", "page_no"),
    schema=_SCHEMA,
    grain="one row per landed page whose studies are committed",
)

CURSORS = Table(
    "cursors",
    text(
        "scope_key",
        None,
        "Stable key of the sync scope (query and filters, not the window).",
        nullable=False,
    ),
    Column("scope", pa.string(), "The scope as JSON.", is_json=True),
    Column(
        "cursor_date",
        pa.date32(),
        "Max lastUpdatePostDate committed for the scope; the next window starts a day earlier.",
        nullable=False,
    ),
    text("run_id", None, "Run that last advanced the cursor.", nullable=False),
    primary_key=("scope_key",),
    schema=_SCHEMA,
    grain="one row per sync scope",
)

QUARANTINE = Table(
    "quarantine",
    text(
        "record_key",
        None,
        "sha256 of the raw record: identifies it across re-runs.",
        nullable=False,
    ),
    Column("nct_id", pa.string(), "NCT id when one could be read."),
    text("run_id", None, "Run that first quarantined the record.", nullable=False),
    text("page_ref", None, "Where the record came from (run/page or bulk entry)."),
    text("reason", None, "Why the record could not be used.", nullable=False),
    Column(
        "raw_record", pa.string(), "The record exactly as received (JSON text).", nullable=False
    ),
    Column("quarantined_at", TS, "When (UTC, page fetch time).", nullable=False),
    primary_key=("record_key",),
    schema=_SCHEMA,
    grain="one row per distinct unusable record",
)

SCHEMA_DRIFT = Table(
    "schema_drift",
    text("path", None, "Record path ([] marks list items).", nullable=False),
    text(
        "kind",
        None,
        "unknown_key, known_extra, unknown_enum, type_mismatch, bad_date, "
        "new_metadata_path or vanished_metadata_path.",
        nullable=False,
    ),
    Column("occurrences", pa.int64(), "How many times it was seen.", nullable=False),
    text("example_nct_id", None, "An NCT id where it was seen."),
    text("example_value", None, "An example value (truncated)."),
    text("first_run_id", None, "Run that first saw it.", nullable=False),
    text("last_run_id", None, "Run that last saw it.", nullable=False),
    primary_key=("path", "kind"),
    schema=_SCHEMA,
    grain="one row per (path, kind) of upstream schema drift",
)

META = Table(
    "meta",
    text("key", None, "Setting name.", nullable=False),
    text("value", None, "Setting value."),
    primary_key=("key",),
    schema=_SCHEMA,
    grain="one row per warehouse-level fact (schema fingerprint, creation)",
)

TABLES = (RUNS, PAGES, CURSORS, QUARANTINE, SCHEMA_DRIFT, META)
