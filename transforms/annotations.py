"""Rows for unposted-results events, violation events and results submission tracking."""

from __future__ import annotations

from typing import Any

# Not `from schemas.tables import annotations`: in that package `annotations` is also the
# `from __future__ import annotations` feature, which mypy resolves instead of the module.
import schemas.tables.annotations as tables
from transforms._dates import parse_date
from transforms._ids import stable_id
from transforms._json import Record, get_dict, get_list, items

Row = dict[str, Any]

_ANNOTATION = "annotationSection.annotationModule"
_TRACKING = "derivedSection.miscInfoModule.submissionTracking"


def pending_result_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per unposted-results event (AACT's `pending_results`)."""
    events = get_list(study, f"{_ANNOTATION}.unpostedAnnotation.unpostedEvents")
    return [
        {
            "id": stable_id("pending_results", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "event": event.get("type"),
            "event_date_description": event.get("date"),
            "event_date": parse_date(event.get("date")),
            "date_unknown": event.get("dateUnknown"),
        }
        for i, event in items(events)
    ]


def violation_event_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per FDAAA 801 violation event."""
    events = get_list(study, f"{_ANNOTATION}.violationAnnotation.violationEvents")
    return [
        {
            "id": stable_id("violation_events", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "type": event.get("type"),
            "description": event.get("description"),
            "creation_date": parse_date(event.get("creationDate")),
            "issued_date": parse_date(event.get("issuedDate")),
            "release_date": parse_date(event.get("releaseDate")),
            "posted_date": parse_date(event.get("postedDate")),
        }
        for i, event in items(events)
    ]


def submission_info_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per results submission cycle the registry tracks."""
    return [
        {
            "id": stable_id("submission_infos", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "release_date": parse_date(info.get("releaseDate")),
            "unrelease_date": parse_date(info.get("unreleaseDate")),
            "unrelease_date_unknown": info.get("unreleaseDateUnknown"),
            "reset_date": parse_date(info.get("resetDate")),
            "mcp_release_n": info.get("mcpReleaseN"),
        }
        for i, info in items(get_list(study, f"{_TRACKING}.submissionInfos"))
    ]


def submission_tracking_rows(study: Record, nct_id: str) -> list[Row]:
    """The study's one-off submission facts, one row when the registry gives any of them."""
    tracking = get_dict(study, _TRACKING)
    first_post = get_dict(tracking, "firstMcpInfo.postDateStruct")
    values = {
        "unposted_responsible_party": get_dict(study, f"{_ANNOTATION}.unpostedAnnotation").get(
            "unpostedResponsibleParty"
        ),
        "estimated_results_first_submit_date": tracking.get("estimatedResultsFirstSubmitDate"),
        "first_mcp_post_date": first_post.get("date"),
        "first_mcp_post_date_type": first_post.get("type"),
    }
    if all(v is None for v in values.values()):
        return []
    for key in ("estimated_results_first_submit_date", "first_mcp_post_date"):
        values[key] = parse_date(values[key])
    return [{"id": stable_id("submission_tracking", nct_id), "nct_id": nct_id} | values]


BUILDERS = {
    tables.PENDING_RESULTS: pending_result_rows,
    tables.VIOLATION_EVENTS: violation_event_rows,
    tables.SUBMISSION_INFOS: submission_info_rows,
    tables.SUBMISSION_TRACKING: submission_tracking_rows,
}
