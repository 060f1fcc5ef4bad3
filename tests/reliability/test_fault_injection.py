"""A sync through a failing API: retried faults end in the clean result; lasting ones fail clearly.

The faults are the replay server's (`replay.faults`), planned on exact request numbers, so every
run meets the same failures in the same order.
"""

from __future__ import annotations

import pytest

from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from tests.reliability.conftest import error_lines, scenario_settings
from tests.support.publication import read_publication
from tests.support.warehouse import RUN_BOOKKEEPING, content_snapshot, duplicate_keys, rows, scalar

READ_TIMEOUT = 0.5

# (kind, /studies request numbers, options). Requests count every attempt, so consecutive numbers
# make one page fail several times in a row, each time differently.
STUDIES_FAULTS = [
    ("429", [1], {"retry_after": 1}),  # the very first page: wait as told
    ("429", [2], {}),  # no Retry-After: the client's own backoff
    ("500", [3], {}),
    ("503", [5, 6], {}),
    ("slow", [7], {"delay": 3 * READ_TIMEOUT}),  # a read timeout
    ("reset", [8], {}),  # TCP RST, no response at all
    ("truncated", [10], {}),  # Content-Length promised, half the body sent
    ("html200", [11], {}),  # a maintenance page with status 200
    ("500", [13], {}),
    ("503", [14], {"retry_after": "0"}),
    ("reset", [15], {}),
    ("truncated", [16], {}),
    ("missing_studies", [18], {}),  # JSON, but no `studies`
]


@pytest.mark.slow
def test_a_long_sync_through_every_kind_of_failure_ends_as_a_clean_sync(scenario, clean, data_dir):
    with scenario.serve(1) as server:
        planned = [server.faults.add(kind, on=on, **opts) for kind, on, opts in STUDIES_FAULTS]
        planned.append(server.faults.add("503", on=[1], path="/version"))
        planned.append(server.faults.add("html200", on=[1], path="/studies/metadata"))
        settings = scenario_settings(data_dir, server.base_url, read_timeout=READ_TIMEOUT)
        report = run_sync(settings, Scope())
        log = list(server.request_log)

    assert [f.fired for f in planned] == [len(f.on) for f in planned], "every fault must fire"
    pages = [e for e in log if e.path.endswith("/studies")]
    assert sum(e.fault is not None for e in pages) == sum(len(on) for _, on, _ in STUDIES_FAULTS)
    assert pages[1].at - pages[0].at >= 1.0, "Retry-After: 1 must be honoured"
    assert report.status == "succeeded"
    db = data_dir / DB_NAME
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.first
    assert duplicate_keys(db) == {}
    assert read_publication(data_dir).problems == []


@pytest.mark.slow
def test_an_outage_fails_the_run_in_one_line_and_the_next_run_finishes_the_work(
    scenario, clean, base_copy, cli
):
    before = read_publication(base_copy)
    with scenario.serve(2) as server:
        # Page 2 of the second sync fails on every attempt: an outage, not a blip.
        server.faults.add("503", on=[2, 3, 4])
        args = ("sync", "--api-url", server.base_url, "--data-dir", str(base_copy))
        failed = cli(*args, TRIALSYNC_MAX_ATTEMPTS="3")
        assert failed.exit_code == 1 and isinstance(failed.exception, SystemExit)
        errors = error_lines(failed.stderr)
        assert len(errors) == 1 and "page 2 failed after 3 attempts" in errors[0], failed.stderr
        db = base_copy / DB_NAME
        assert scalar(db, "SELECT count(*) FROM pipeline.pages") > 0  # page 1 was committed
        assert read_publication(base_copy).manifest == before.manifest
        server.faults.clear()
        report = run_sync(scenario_settings(base_copy, server.base_url), Scope())
    assert report.status == "succeeded"
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.second
    assert duplicate_keys(db) == {}


@pytest.mark.slow
def test_a_page_that_is_not_json_is_quarantined_and_the_next_run_heals(
    scenario, clean, base_copy, cli
):
    # A 200 answer shaped like a page but not JSON passes the client's cheap checks and is landed
    # before it is parsed. It fails the run (fine), but every later run's recovery then failed on
    # the landed bytes, for good, with a traceback.
    with scenario.serve(2) as server:
        server.faults.add("bad_json", on=[2])
        failed = cli("sync", "--api-url", server.base_url, "--data-dir", str(base_copy))
        assert failed.exit_code == 1 and isinstance(failed.exception, SystemExit)
        errors = error_lines(failed.stderr)
        assert len(errors) == 1 and "page 2 is not valid JSON" in errors[0], failed.stderr
        report = run_sync(scenario_settings(base_copy, server.base_url), Scope())
    assert report.status == "succeeded" and report.recovered_pages >= 1
    db = base_copy / DB_NAME
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.second
    reasons = [r[0] for r in rows(db, "SELECT reason FROM pipeline.quarantine")]
    assert len(reasons) == 1 and "page-00002" in reasons[0] and "not valid JSON" in reasons[0]
