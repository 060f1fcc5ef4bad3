"""Annotations: unposted-results events, FDAAA violation events and results submission tracking."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Column, Table

_UNPOSTED = "annotationSection.annotationModule.unpostedAnnotation"
_EVENT = f"{_UNPOSTED}.unpostedEvents[]"
_VIOLATION = "annotationSection.annotationModule.violationAnnotation.violationEvents[]"
_TRACKING = "derivedSection.miscInfoModule.submissionTracking"
_INFO = f"{_TRACKING}.submissionInfos[]"


def _date(name: str, source: str, doc: str) -> Column:
    return Column(name, pa.date32(), doc, source=source)


PENDING_RESULTS = Table(
    "pending_results",
    stable_id(),
    nct_id(),
    ordinal("0-based position in unpostedEvents."),
    text("event", f"{_EVENT}.type", "RELEASE (submitted), RESET (returned after QC) or UNRELEASE."),
    text(
        "event_date_description",
        f"{_EVENT}.date",
        "The event date exactly as the registry wrote it (AACT keeps it as text too).",
    ),
    Column("event_date", pa.date32(), "The event date as a date."),
    Column(
        "date_unknown",
        pa.bool_(),
        "The registry does not know the event date.",
        source=f"{_EVENT}.dateUnknown",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per results submission event of a study whose results are not yet posted",
)

VIOLATION_EVENTS = Table(
    "violation_events",
    stable_id(),
    nct_id(),
    ordinal("0-based position in violationEvents."),
    text(
        "type",
        f"{_VIOLATION}.type",
        "VIOLATION_IDENTIFIED, CORRECTION_CONFIRMED, PENALTY_IMPOSED or "
        "ISSUES_IN_LETTER_ADDRESSED_CONFIRMED.",
    ),
    text("description", f"{_VIOLATION}.description", "The registry's description of the event."),
    _date("creation_date", f"{_VIOLATION}.creationDate", "When the event was recorded."),
    _date("issued_date", f"{_VIOLATION}.issuedDate", "When the notice was issued."),
    _date("release_date", f"{_VIOLATION}.releaseDate", "Release date the event refers to."),
    _date("posted_date", f"{_VIOLATION}.postedDate", "When the event was posted."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per FDAAA 801 violation event the registry annotates on the study",
)

SUBMISSION_INFOS = Table(
    "submission_infos",
    stable_id(),
    nct_id(),
    ordinal("0-based position in submissionInfos."),
    _date("release_date", f"{_INFO}.releaseDate", "When results were submitted (released)."),
    _date("unrelease_date", f"{_INFO}.unreleaseDate", "When the submission was withdrawn."),
    Column(
        "unrelease_date_unknown",
        pa.bool_(),
        "The registry does not know the unrelease date.",
        source=f"{_INFO}.unreleaseDateUnknown",
    ),
    _date("reset_date", f"{_INFO}.resetDate", "When the submission was returned after QC review."),
    Column(
        "mcp_release_n",
        pa.int32(),
        "The registry's MCP release number of this submission, when given (a running count that "
        "can start above 1).",
        source=f"{_INFO}.mcpReleaseN",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per results submission cycle the registry tracks for the study",
)

SUBMISSION_TRACKING = Table(
    "submission_tracking",
    stable_id(),
    nct_id(),
    text(
        "unposted_responsible_party",
        f"{_UNPOSTED}.unpostedResponsibleParty",
        "Who submitted the results that are not yet posted.",
    ),
    _date(
        "estimated_results_first_submit_date",
        f"{_TRACKING}.estimatedResultsFirstSubmitDate",
        "Date results were first submitted, as the registry estimates it.",
    ),
    _date(
        "first_mcp_post_date",
        f"{_TRACKING}.firstMcpInfo.postDateStruct.date",
        "Post date of the study's first MCP release (submissionTracking.firstMcpInfo).",
    ),
    text(
        "first_mcp_post_date_type",
        f"{_TRACKING}.firstMcpInfo.postDateStruct.type",
        "Whether first_mcp_post_date is ACTUAL or ESTIMATED.",
    ),
    primary_key=("nct_id",),
    grain=(
        "one row per study with an unposted responsible party, an estimated results first submit "
        "date or a first MCP post date"
    ),
)

TABLES = (PENDING_RESULTS, VIOLATION_EVENTS, SUBMISSION_INFOS, SUBMISSION_TRACKING)
