"""What a run tells its operators: a Markdown report, a table of status changes, and events.

Pure formatting of a `RunReport` and the run's change events, kept apart from Prefect so it can be
tested without the engine; flows/orchestration.py hands the results to Prefect's artifact and
event APIs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.runs import RunReport
from schemas.study.paths import OVERALL_STATUS

# Change events worth one Prefect event per study: automations act on these (the database stays
# the source of truth for everything else, and a big refresh must not become 28k events).
INTERESTING = ("status_changed", "results_posted")


@dataclass(frozen=True)
class PrefectEvent:
    """One event for `prefect.events.emit_event`."""

    event: str
    resource: dict[str, str]
    payload: dict[str, Any]


def _value(raw: object) -> object:
    """A JSON-encoded event value (old_value/new_value) as plain data."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def status_change_rows(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per study whose overall status changed: the table artifact."""
    return [
        {
            "nct_id": e["nct_id"],
            "from": _value(e["old_value"]),
            "to": _value(e["new_value"]),
            "last_update_post_date": str(e["last_update_post_date"] or ""),
        }
        for e in events
        if e["event_type"] == "status_changed" and e["field_path"] == OVERALL_STATUS
    ]


def study_events(run_id: str, events: Sequence[Mapping[str, Any]]) -> list[PrefectEvent]:
    """One event per study for a status change or newly posted results."""
    out = [
        PrefectEvent(
            "trialsync.study.status-changed",
            _study_resource(row["nct_id"]),
            {"run_id": run_id, "from": row["from"], "to": row["to"]},
        )
        for row in status_change_rows(events)
    ]
    out += [
        PrefectEvent(
            "trialsync.study.results-posted", _study_resource(e["nct_id"]), {"run_id": run_id}
        )
        for e in events
        if e["event_type"] == "results_posted"
    ]
    return out


def _study_resource(nct_id: str) -> dict[str, str]:
    return {"prefect.resource.id": f"ctgov.study.{nct_id}", "prefect.resource.name": nct_id}


def run_event(report: RunReport) -> PrefectEvent:
    """The one aggregate event of a run: `trialsync.<command>.succeeded|failed` with its counts."""
    data = report.as_dict()
    payload = {
        k: data[k]
        for k in ("run_id", "status", "fetched", "loaded", "events", "quarantined", "error")
    }
    payload["published"] = data["published"]
    return PrefectEvent(
        f"trialsync.{report.command}.{report.status}",
        {
            "prefect.resource.id": f"trialsync.run.{report.run_id}",
            "trialsync.command": report.command,
        },
        payload,
    )


def report_markdown(report: RunReport, status_rows: Sequence[Mapping[str, Any]] = ()) -> str:
    """The run report as Markdown: counts, events, transitions, drift, timings, outputs."""
    d = report.as_dict()
    lines = [
        f"# trialsync {report.command}: {report.status}",
        "",
        f"Run `{report.run_id}` · scope: {report.scope or '-'} · "
        f"registry data {d['data_timestamp_start'] or '-'} → {d['data_timestamp_end'] or '-'}",
        "",
    ]
    if report.error:
        lines += [
            f"**Failed at** {report.error}",
            "",
            "The warehouse and the publication are "
            "as the last committed batch and the previous publication left them.",
            "",
        ]
    lines += _table(
        ("measure", "value"),
        [
            ("pages fetched", d["pages"]),
            ("studies fetched", d["fetched"]),
            *((f"studies {action}", n) for action, n in sorted(d["loaded"].items())),
            ("new versions", d["loaded"].get("new_version", 0) + d["loaded"].get("add", 0)),
            ("quarantined records", d["quarantined"]),
            ("pages recovered from a crashed run", d["recovered_pages"]),
        ],
    )
    lines += ["", "## Change events", ""]
    lines += (
        _table(("event type", "count"), sorted(d["events"].items())) if d["events"] else ["none"]
    )
    lines += ["", "## Status transitions", ""]
    transitions = [
        (t["from"] or "(new)", t["to"] or "-", t["count"]) for t in d["status_transitions"]
    ]
    lines += _table(("from", "to", "studies"), transitions) if transitions else ["none"]
    if status_rows:
        lines += ["", f"{len(status_rows)} studies changed status (see the status-changes table)."]
    lines += ["", "## Schema drift", ""]
    drift = [(x["path"], x["kind"], x["count"]) for x in d["drift"]]
    lines += _table(("path", "kind", "records"), drift) if drift else ["none"]
    lines += ["", "## Timings (s)", ""]
    lines += _table(("step", "seconds"), sorted(d["timings"].items()))
    lines += ["", "## Outputs", "", f"- published snapshot: {d['published'] or 'not published'}"]
    if d["summaries"]:
        s = d["summaries"]
        lines.append(
            f"- summaries: {s.get('generated', 0)} regenerated, {s.get('unchanged', 0)} unchanged"
        )
    lines += [f"- note: {n}" for n in d["notes"]]
    return "\n".join(lines) + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out
