"""`make demo`'s script: real sample records through the replay server, edits become events."""

from __future__ import annotations

from flows.demo import DEMO_MARKER, run_demo
from flows.pipeline import DB_NAME
from flows.settings import Settings
from tests.support.warehouse import rows


def test_the_demo_turns_its_edits_into_typed_events_and_the_noise_into_none(data_dir, tmp_path):
    folder = tmp_path / "demo"
    settings = Settings(data_dir=folder, requests_per_second=1000.0)
    said: list[str] = []
    result = run_demo(settings, say=said.append)
    first, incremental, refetch = result.reports
    assert first.bootstrapped_from_bulk and first.status == "succeeded"
    assert incremental.outcome.actions["new_version"] == len(result.edited) == 3
    assert refetch.outcome.actions["new_version"] == 0  # re-captured studies: refresh noise only
    events = rows(
        folder / DB_NAME,
        "SELECT nct_id, event_type FROM history.change_events ORDER BY nct_id, event_type",
    )
    assert {nct for nct, _ in events} == set(result.edited)
    assert {kind for _, kind in events} >= {
        "status_changed",
        "enrollment_changed",
        "dates_changed",
        "sites_changed",
    }
    assert (folder / DEMO_MARKER).exists()
    assert (folder / "published" / "summaries" / "index.html").exists()
    assert any("replay server" in line for line in said)
