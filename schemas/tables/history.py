"""History: every distinct version of every study, and the typed change events between versions."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, text
from schemas.table import Column, Table
from schemas.view import View

TS = pa.timestamp("us")

STUDY_VERSIONS = Table(
    "study_versions",
    nct_id(),
    Column(
        "version_no",
        pa.int32(),
        "1-based number of this version among the study's versions.",
        nullable=False,
    ),
    text(
        "content_hash",
        None,
        "Hash of the record minus refresh noise (transforms/hashing.py).",
        nullable=False,
    ),
    text("record_hash", None, "Hash of the stored record minus versionHolder.", nullable=False),
    Column("last_update_post_date", pa.date32(), "The record's lastUpdatePostDate."),
    text("overall_status", None, "The record's overallStatus (feeds history.status_history)."),
    Column("data_timestamp", TS, "API dataTimestamp (UTC) of the data the version was read from."),
    text("run_id", None, "Run that first saw this version.", nullable=False),
    text(
        "source", None, "'api' (paged sync), 'bulk' (official ZIP) or 'reconcile'.", nullable=False
    ),
    Column(
        "valid_from",
        TS,
        "When this version became the current one (registry data time, UTC).",
        nullable=False,
    ),
    Column(
        "valid_to",
        TS,
        "When a later version replaced it, or the study was removed; NULL while current.",
    ),
    Column(
        "is_removed",
        pa.bool_(),
        "True once reconcile found the study gone from the registry.",
        nullable=False,
    ),
    Column(
        "raw_record", pa.binary(), "The record as received: zstd-compressed JSON.", nullable=False
    ),
    primary_key=("nct_id", "version_no"),
    schema="history",
    grain="one row per distinct version of a study (refresh noise is not a version)",
)


STUDY_STATE = Table(
    "study_state",
    nct_id(),
    Column(
        "version_no",
        pa.int32(),
        "The study's current version in history.study_versions.",
        nullable=False,
    ),
    text("content_hash", None, "content_hash of the current version.", nullable=False),
    text(
        "record_hash",
        None,
        "record_hash of the record the ctgov rows were built from.",
        nullable=False,
    ),
    Column("last_update_post_date", pa.date32(), "lastUpdatePostDate of that record."),
    Column("data_timestamp", TS, "API dataTimestamp of that record."),
    Column("first_seen_at", TS, "valid_from of the study's first version.", nullable=False),
    Column("is_removed", pa.bool_(), "True once reconcile found the study gone.", nullable=False),
    Column("removed_at", TS, "When reconcile found it gone (registry data time)."),
    Column(
        "last_fetched_at",
        TS,
        "When trialsync last fetched the record, changed or not (fetch "
        "time of the page or bulk batch, UTC); reconcile re-fetches the oldest first.",
        nullable=False,
    ),
    primary_key=("nct_id",),
    schema="history",
    grain="one row per study ever seen: where its current version and current rows stand",
)

CHANGE_EVENTS = Table(
    "change_events",
    text(
        "event_id",
        None,
        "Stable id: hash of (nct_id, to_version, event_type, field_path).",
        nullable=False,
    ),
    nct_id(),
    text(
        "event_type",
        None,
        "study_added, status_changed, enrollment_changed, dates_changed, "
        "sites_changed, eligibility_changed, results_posted, results_updated, sponsor_changed, "
        "title_changed, arms_or_interventions_changed, outcomes_changed, phase_changed, "
        "study_removed, study_merged or other_changed.",
        nullable=False,
    ),
    text("field_path", None, "Record path of the changed field ([] marks list items)."),
    Column("old_value", pa.string(), "Value in the previous version (JSON).", is_json=True),
    Column("new_value", pa.string(), "Value in the new version (JSON).", is_json=True),
    Column("from_version", pa.int32(), "history.study_versions.version_no before the change."),
    Column("to_version", pa.int32(), "history.study_versions.version_no after the change."),
    Column("last_update_post_date", pa.date32(), "lastUpdatePostDate of the new version."),
    Column(
        "detected_at",
        TS,
        "When trialsync saw the change (registry data time, UTC).",
        nullable=False,
    ),
    Column(
        "detected_date",
        pa.date32(),
        "UTC date of detected_at (the Parquet feed partition).",
        nullable=False,
    ),
    text("run_id", None, "Run that detected it.", nullable=False),
    Column(
        "details",
        pa.string(),
        "Type-specific details (e.g. why_stopped, shift_days) as JSON.",
        is_json=True,
    ),
    primary_key=("event_id",),
    schema="history",
    grain="one row per typed change between two consecutive versions of a study",
    partition_by=("detected_date",),
)

STATUS_HISTORY = View(
    "status_history",
    """
    WITH v AS (
        SELECT nct_id, version_no, overall_status, valid_from, valid_to, last_update_post_date,
               lag(overall_status) OVER (PARTITION BY nct_id ORDER BY version_no) AS previous
        FROM history.study_versions
    ), runs AS (
        SELECT *, sum(CASE WHEN previous IS DISTINCT FROM overall_status THEN 1 ELSE 0 END)
                  OVER (PARTITION BY nct_id ORDER BY version_no) AS stretch
        FROM v
    )
    SELECT nct_id, any_value(overall_status) AS overall_status,
           min(version_no) AS from_version, max(version_no) AS to_version,
           min(valid_from) AS valid_from, arg_max(valid_to, version_no) AS valid_to,
           arg_min(last_update_post_date, version_no) AS status_last_update_post_date
    FROM runs GROUP BY nct_id, stretch
    """,
    "Each study's overall-status timeline: one row per stretch of versions in one status "
    "(valid_to NULL while current).",
    schema="history",
)

TABLES = (STUDY_VERSIONS, STUDY_STATE, CHANGE_EVENTS)
VIEWS = (STATUS_HISTORY,)
