"""Tables for unposted-results events, violation events and results submission tracking."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Not `from schemas.tables import annotations`: in that package `annotations` is also the
# `from __future__ import annotations` feature, which mypy resolves instead of the module.
import schemas.tables.annotations as tables
from transforms._dates import parse_date
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.columns import mapped, per_value_across

_ANNOTATION = "annotationSection.annotationModule"
_TRACKING = "derivedSection.miscInfoModule.submissionTracking"


def _dates(*columns: pa.Array) -> list[pa.Array]:
    """Full `yyyy-MM-dd` dates of text columns of one length (see `parse_date`).

    Parsed together (`per_value_across`): a study has a handful of each.
    """
    parsed = per_value_across(lambda raw: (parse_date(raw),), columns, (pa.date32(),))
    return [dates for (dates,) in parsed]


def pending_results(studies: Level) -> pa.Table:
    """One row per unposted-results event (AACT's `pending_results`)."""
    events = studies.each(f"{_ANNOTATION}.unpostedAnnotation.unpostedEvents")
    nct_id = events.nct_id
    date = events.field("date")
    return table_of(
        tables.PENDING_RESULTS,
        len(events),
        {
            "id": stable_ids("pending_results", nct_id, events.ordinal),
            "nct_id": nct_id,
            "ordinal": events.ordinal,
            "event": events.field("type"),
            "event_date_description": date,
            "event_date": mapped(parse_date, date, pa.date32()),
            "date_unknown": events.field("dateUnknown"),
        },
    )


def violation_events(studies: Level) -> pa.Table:
    """One row per FDAAA 801 violation event."""
    events = studies.each(f"{_ANNOTATION}.violationAnnotation.violationEvents")
    nct_id = events.nct_id
    created, issued, released, posted = _dates(
        *(events.field(f"{k}Date") for k in ("creation", "issued", "release", "posted"))
    )
    return table_of(
        tables.VIOLATION_EVENTS,
        len(events),
        {
            "id": stable_ids("violation_events", nct_id, events.ordinal),
            "nct_id": nct_id,
            "ordinal": events.ordinal,
            "type": events.field("type"),
            "description": events.field("description"),
            "creation_date": created,
            "issued_date": issued,
            "release_date": released,
            "posted_date": posted,
        },
    )


def submission_infos(studies: Level) -> pa.Table:
    """One row per results submission cycle the registry tracks."""
    infos = studies.each(f"{_TRACKING}.submissionInfos")
    nct_id = infos.nct_id
    released, unreleased, reset = _dates(
        *(infos.field(f"{k}Date") for k in ("release", "unrelease", "reset"))
    )
    return table_of(
        tables.SUBMISSION_INFOS,
        len(infos),
        {
            "id": stable_ids("submission_infos", nct_id, infos.ordinal),
            "nct_id": nct_id,
            "ordinal": infos.ordinal,
            "release_date": released,
            "unrelease_date": unreleased,
            "unrelease_date_unknown": infos.field("unreleaseDateUnknown"),
            "reset_date": reset,
            "mcp_release_n": infos.field("mcpReleaseN"),
        },
    )


def submission_tracking(studies: Level) -> pa.Table:
    """The study's one-off submission facts, one row when the registry gives any of them."""
    values = {
        "unposted_responsible_party": studies.field(
            f"{_ANNOTATION}.unpostedAnnotation.unpostedResponsibleParty"
        ),
        "estimated_results_first_submit_date": studies.field(
            f"{_TRACKING}.estimatedResultsFirstSubmitDate"
        ),
        "first_mcp_post_date": studies.field(f"{_TRACKING}.firstMcpInfo.postDateStruct.date"),
        "first_mcp_post_date_type": studies.field(f"{_TRACKING}.firstMcpInfo.postDateStruct.type"),
    }
    given = pc.is_valid(values["unposted_responsible_party"])
    for value in values.values():
        given = pc.or_(given, pc.is_valid(value))
    # Not `studies.where`: that would copy every kept study's whole record.
    nct_id = studies.nct_id.filter(given)
    columns = {name: value.filter(given) for name, value in values.items()}
    dates = ("estimated_results_first_submit_date", "first_mcp_post_date")
    columns.update(zip(dates, _dates(*(columns[name] for name in dates)), strict=True))
    return table_of(
        tables.SUBMISSION_TRACKING,
        len(nct_id),
        {"id": stable_ids("submission_tracking", nct_id), "nct_id": nct_id, **columns},
    )


TABLE_BUILDERS = {
    tables.PENDING_RESULTS: pending_results,
    tables.VIOLATION_EVENTS: violation_events,
    tables.SUBMISSION_INFOS: submission_infos,
    tables.SUBMISSION_TRACKING: submission_tracking,
}
