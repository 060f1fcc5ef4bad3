"""The run report artifact, status-change table and Prefect events, built without Prefect."""

from __future__ import annotations

import datetime as dt
import json

from flows.artifacts import report_markdown, run_event, status_change_rows, study_events
from flows.runs import RunReport

_STATUS = "protocolSection.statusModule.overallStatus"


def _event(nct: str, kind: str, path: str | None, old: object, new: object) -> dict[str, object]:
    return {
        "nct_id": nct,
        "event_type": kind,
        "field_path": path,
        "old_value": None if old is None else json.dumps(old),
        "new_value": None if new is None else json.dumps(new),
        "last_update_post_date": dt.date(2026, 11, 23),
    }


EVENTS = [
    _event("NCT00000001", "status_changed", _STATUS, "RECRUITING", "COMPLETED"),
    _event("NCT00000001", "status_changed", "protocolSection.statusModule.whyStopped", None, "x"),
    _event("NCT00000002", "results_posted", "resultsSection", None, None),
]


def test_status_rows_take_only_overall_status_and_decode_values():
    assert status_change_rows(EVENTS) == [
        {
            "nct_id": "NCT00000001",
            "from": "RECRUITING",
            "to": "COMPLETED",
            "last_update_post_date": "2026-11-23",
        }
    ]


def test_one_event_per_status_change_and_per_results_posting():
    events = study_events("run-1", EVENTS)
    assert [(e.event, e.resource["prefect.resource.id"]) for e in events] == [
        ("trialsync.study.status-changed", "ctgov.study.NCT00000001"),
        ("trialsync.study.results-posted", "ctgov.study.NCT00000002"),
    ]
    assert events[0].payload == {"run_id": "run-1", "from": "RECRUITING", "to": "COMPLETED"}


def test_the_aggregate_event_names_the_command_and_its_outcome():
    report = RunReport("run-9", "sync", status="failed", error="fetch_and_load: boom")
    report.outcome.events.update({"status_changed": 3})
    event = run_event(report)
    assert event.event == "trialsync.sync.failed"
    assert event.resource["prefect.resource.id"] == "trialsync.run.run-9"
    assert event.payload["events"] == {"status_changed": 3}
    assert event.payload["error"] == "fetch_and_load: boom"


def test_markdown_report_has_counts_transitions_drift_timings_and_failure():
    report = RunReport("run-2", "sync", "all studies", status="failed", error="publish: x | y")
    report.pages, report.fetched = 3, 2500
    report.outcome.actions.update({"add": 10, "new_version": 4, "unchanged": 2486})
    report.outcome.quarantined = 1
    report.outcome.events.update({"status_changed": 2, "sites_changed": 5})
    report.outcome.status_transitions.update({("RECRUITING", "COMPLETED"): 2})
    report.outcome.drift.update({("protocolSection.newThing", "unknown_key"): 7})
    report.timings["fetch_and_load"] = 12.5
    text = report_markdown(report, status_change_rows(EVENTS))
    for expected in (
        "# trialsync sync: failed",
        "**Failed at** publish: x | y",
        "| studies fetched | 2500 |",
        "| new versions | 14 |",
        "| quarantined records | 1 |",
        "| status_changed | 2 |",
        "| RECRUITING | COMPLETED | 2 |",
        "| protocolSection.newThing | unknown_key | 7 |",
        "| fetch_and_load | 12.5 |",
        "1 studies changed status",
    ):
        assert expected in text, expected


def test_markdown_table_cells_escape_pipes_and_newlines():
    report = RunReport("run-3", "sync")
    report.notes.append("ok")
    report.outcome.drift.update({("a|b\nc", "unknown_key"): 1})
    assert "| a\\|b c | unknown_key | 1 |" in report_markdown(report)
