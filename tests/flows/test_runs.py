"""The run report: drift alerts are all drift but known extras; the CLI summary names each."""

from __future__ import annotations

from flows.commands.common import print_report
from flows.runs import DriftAlert, RunReport


def report_with_drift() -> RunReport:
    report = RunReport("20261124T093012Z-3fa2c1", "sync", "all studies", status="succeeded")
    report.outcome.drift.update(
        {
            ("protocolSection.contactsLocationsModule.locations_nested", "known_extra"): 43,
            ("protocolSection.statusModule.pauseReason", "unknown_key"): 2,
            (
                "resultsSection.moreInfoModule.limitationsAndCaveats.description",
                "vanished_metadata_path",
            ): 1,
        }
    )
    return report


def test_drift_alerts_leave_known_extras_out():
    assert report_with_drift().drift_alerts == [
        DriftAlert("protocolSection.statusModule.pauseReason", "unknown_key", 2),
        DriftAlert(
            "resultsSection.moreInfoModule.limitationsAndCaveats.description",
            "vanished_metadata_path",
            1,
        ),
    ]
    assert RunReport("r", "sync").drift_alerts == []


def test_the_summary_lists_every_alert_path(capsys):
    print_report(report_with_drift())
    printed = capsys.readouterr().out
    assert "schema drift: 2 path(s)" in printed
    assert "unknown_key protocolSection.statusModule.pauseReason (2×)" in printed
    assert (
        "vanished_metadata_path resultsSection.moreInfoModule.limitationsAndCaveats.description"
        in printed
    )
    assert "locations_nested" not in printed
