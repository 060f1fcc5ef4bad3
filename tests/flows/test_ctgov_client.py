"""The API client against the replay server over real HTTP: paging, retries, limits, bulk."""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from flows.ctgov_client import (
    ApiError,
    ApiUnavailable,
    ApiUnreachable,
    CtgovClient,
    InvalidNctId,
    MalformedPage,
    _retry_after,
)
from flows.scopes import Scope
from replay.server import ReplayServer
from warehouse.bulk import iter_bulk_studies

ALIAS, CANONICAL = "NCT02380456", "NCT02300909"
# The replay server builds the ZIP before answering (~0.5 s, more on a busy machine): these tests
# count requests exactly, so a read timeout must not add a retry.
ZIP_TIMEOUT = 10.0


@pytest.fixture
def server(sample_studies: dict[str, dict[str, Any]], sample_dir: Path) -> Iterator[ReplayServer]:
    metadata = sample_dir / "spec" / "studies-metadata_2024-10.json"
    with ReplayServer(list(sample_studies.values()), metadata_path=metadata) as srv:
        yield srv


def make_client(url: str, **overrides: Any) -> CtgovClient:
    """Test timing: fast limiter, short timeouts, near-zero backoff."""
    options: dict[str, Any] = {
        "requests_per_second": 1000.0,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_attempts": 4,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
    }
    options.update(overrides)
    return CtgovClient(url, **options)


def walk_ids(client: CtgovClient, params: dict[str, str]) -> list[str]:
    return [
        s["protocolSection"]["identificationModule"]["nctId"]
        for page in client.iter_pages(params)
        for s in page.studies
    ]


@pytest.mark.parametrize(
    ("page_size", "fields", "pages"),
    [
        pytest.param("1", "NCTId", 671, id="size-1-phantom"),  # 670 full pages + 1 empty
        pytest.param("7", "NCTId", 96, id="size-7"),  # 95 full + a short last page
        pytest.param("67", "NCTId", 11, id="size-67-phantom"),  # 10 exactly full + 1 empty
        pytest.param("1000", None, 1, id="size-1000-full-records"),
    ],
)
def test_full_walk_returns_exactly_the_served_set(
    server: ReplayServer, page_size: str, fields: str | None, pages: int
) -> None:
    params = {"pageSize": page_size, **({"fields": fields} if fields else {})}
    with make_client(server.base_url) as client:
        got = list(client.iter_pages(params))
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for p in got for s in p.studies]
    assert len(ids) == len(set(ids)) == 670
    assert set(ids) == set(server.studies)
    assert len(got) == pages == len(server.requests_to("/studies"))
    assert [p.page_no for p in got] == list(range(1, pages + 1))
    assert got[-1].next_page_token is None
    # Every page after the first repeats the first page's parameters plus the token.
    first = server.requests_to("/studies")[0].query
    assert all(
        {k: v for k, v in e.query.items() if k != "pageToken"} == first
        for e in server.requests_to("/studies")
    )


def test_count_total_is_read_from_the_first_page_only(server: ReplayServer) -> None:
    with make_client(server.base_url) as client:
        pages = list(client.iter_pages({"pageSize": "300", "countTotal": "true"}))
    assert [p.total_count for p in pages] == [670, None, None]


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("429", id="429-no-retry-after"),
        pytest.param("500", id="500"),
        pytest.param("503", id="503"),
        pytest.param("403", id="403"),  # ctrdata treats 403 as transient
        pytest.param("slow", id="slow-read-timeout"),
        pytest.param("truncated", id="truncated-body"),
        pytest.param("html200", id="html-with-200"),
        pytest.param("reset", id="connection-reset"),
        pytest.param("missing_studies", id="json-without-studies"),
    ],
)
def test_faults_are_survived_without_loss_or_duplicates(server: ReplayServer, kind: str) -> None:
    # Fail the 2nd and 4th page requests (a retry of page 2 is request 3, so it succeeds).
    server.faults.add(kind, on=[2, 4], delay=2.0)
    landed: list[tuple[int, bytes]] = []
    # Only the slow fault needs a read timeout shorter than its delay.
    with make_client(server.base_url, read_timeout=1.0 if kind == "slow" else 5.0) as client:
        pages = list(
            client.iter_pages(
                {"pageSize": "100", "fields": "NCTId"}, on_page=lambda n, b: landed.append((n, b))
            )
        )
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p.studies]
    assert sorted(ids) == sorted(server.studies)
    assert len(ids) == 670
    assert [n for n, _ in landed] == list(range(1, 8))  # each page landed once, in order
    log = server.requests_to("/studies")
    assert [e.fault for e in log].count(kind) == 2
    assert len(log) == 9


def test_landed_bytes_are_the_served_bytes(server: ReplayServer) -> None:
    landed: list[bytes] = []
    with make_client(server.base_url) as client:
        pages = list(client.iter_pages({"pageSize": "250"}, on_page=lambda n, b: landed.append(b)))
    served = [e.body_sha256 for e in server.requests_to("/studies")]
    assert [hashlib.sha256(b).hexdigest() for b in landed] == served
    assert [p.raw for p in pages] == landed


def test_landing_hook_runs_before_the_page_is_parsed(server: ReplayServer) -> None:
    # A body that looks whole but is not JSON inside: it is landed first, then parsing fails.
    server.faults.add("bad_json", on=1)
    landed: list[bytes] = []
    with make_client(server.base_url) as client, pytest.raises(MalformedPage):
        next(client.iter_pages({"pageSize": "5"}, on_page=lambda n, b: landed.append(b)))
    assert len(landed) == 1
    assert hashlib.sha256(landed[0]).hexdigest() == server.request_log[0].body_sha256


def test_a_failing_landing_hook_stops_the_walk(server: ReplayServer) -> None:
    def refuse(page_no: int, body: bytes) -> None:
        raise OSError("disk full")

    with make_client(server.base_url) as client, pytest.raises(OSError, match="disk full"):
        next(client.iter_pages({"pageSize": "5"}, on_page=refuse))
    assert len(server.requests_to("/studies")) == 1


@pytest.mark.slow
def test_retry_after_is_honoured(server: ReplayServer, caplog: pytest.LogCaptureFixture) -> None:
    server.faults.add("429", on=1, retry_after=1, path="/version")
    with caplog.at_level(logging.WARNING, "flows.ctgov_client"), make_client(server.base_url) as c:
        assert c.version().api_version == "2.0.5"
    # Every retry is logged with its reason and delay.
    assert [r.getMessage() for r in caplog.records] == [
        "retrying GET /version after HTTP 429 (attempt 1 of 4 failed); waiting 1.00 s"
    ]
    first, second = server.requests_to("/version")
    assert first.status == 429
    assert second.status == 200
    assert second.at - first.at >= 1.0


def test_retry_after_as_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= (_retry_after(format_datetime(when, usegmt=True)) or 0) <= 30
    assert _retry_after("2") == 2.0
    assert _retry_after("soon") is None


def test_rate_limit_holds_across_threads(server: ReplayServer) -> None:
    rate, threads, per_thread = 20.0, 4, 5
    with make_client(server.base_url, requests_per_second=rate) as client:
        workers = [
            threading.Thread(target=lambda: [client.version() for _ in range(per_thread)])
            for _ in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    arrivals = sorted(e.at for e in server.requests_to("/version"))
    assert len(arrivals) == threads * per_thread
    # n requests at rate R need at least (n - 1) / R seconds. The client spaces its sends
    # exactly; arrivals may shift by connection set-up (each thread opens one), so allow half an
    # interval. Without the limiter these 20 requests arrive within a few milliseconds.
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) / rate - 0.5 / rate


def test_bad_request_fails_fast_with_the_api_message(server: ReplayServer) -> None:
    with make_client(server.base_url) as client, pytest.raises(ApiError) as caught:
        list(client.iter_pages({"query.bogus": "x"}))
    assert caught.value.status == 400
    assert "`query.bogus` is unknown parameter" in str(caught.value)
    assert not isinstance(caught.value, ApiUnavailable)
    assert len(server.request_log) == 1


def test_unknown_study_is_a_404_without_retry(server: ReplayServer) -> None:
    with make_client(server.base_url) as client, pytest.raises(ApiError) as caught:
        client.get_study("NCT09999999")
    assert caught.value.status == 404
    assert "Study not found" in str(caught.value)
    assert len(server.request_log) == 1


def test_alias_is_followed_to_the_canonical_record(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    with make_client(server.base_url) as client:
        assert client.get_study(ALIAS) == sample_studies[CANONICAL]
        ids = walk_ids(client, {"filter.ids": f"{ALIAS},nct3103880,NCT09999999"})
    assert [
        (e.path.rsplit("/", 1)[1], e.status) for e in server.requests_to(f"/studies/{ALIAS}")
    ] == [(ALIAS, 301)]
    assert sorted(ids) == [CANONICAL, "NCT03103880"]
    # The client sent the ids normalized and pipe-joined.
    assert server.requests_to("/studies")[0].query["filter.ids"] == (
        f"{ALIAS}|NCT03103880|NCT09999999"
    )


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("NCT00000000", id="all-zero"),  # fails the API's own pattern
        pytest.param("NCT123456789", id="nine-digits"),
        pytest.param("12345678", id="no-prefix"),
    ],
)
def test_invalid_ids_are_rejected_before_any_request(server: ReplayServer, bad: str) -> None:
    with make_client(server.base_url) as client:
        with pytest.raises(InvalidNctId):
            client.get_study(bad)
        with pytest.raises(InvalidNctId):
            next(client.iter_pages({"filter.ids": f"NCT02300909|{bad}"}))
    assert server.request_log == []


def test_incremental_window_selects_exactly_the_window(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    since = date(2025, 9, 1)
    scope = Scope(since=since)
    with make_client(server.base_url) as client:
        pages = list(client.iter_pages(scope.params(scope.window_start(cursor=None))))
    got = [s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p.studies]
    start = (since - timedelta(days=1)).isoformat()
    expected = {
        k
        for k, s in sample_studies.items()
        if s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] >= start
    }
    assert set(got) == expected
    assert len(got) == len(expected) > 10
    dates = [
        sample_studies[k]["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
        for k in got
    ]
    assert dates == sorted(dates)  # walked oldest first, so a per-batch cursor is safe
    assert pages[0].total_count == len(expected)


def test_list_ids_projects_to_id_and_date(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    with make_client(server.base_url) as client:
        listed = dict(client.list_ids())
    assert listed == {
        k: date.fromisoformat(
            s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
        )
        for k, s in sample_studies.items()
    }
    assert server.requests_to("/studies")[0].query["fields"] == "NCTId,LastUpdatePostDate"


def test_exhausted_retries_raise_api_unavailable_with_the_last_cause(
    server: ReplayServer,
) -> None:
    server.faults.add("503", every=1, path="/version")
    with (
        make_client(server.base_url, max_attempts=3) as client,
        pytest.raises(ApiUnavailable) as caught,
    ):
        client.version()
    assert str(caught.value) == "GET /version failed after 3 attempts; last error: HTTP 503"
    assert len(server.request_log) == 3


def test_headers_identify_the_client(server: ReplayServer) -> None:
    with make_client(server.base_url, user_agent="trialsync-test/1 (ops@example.org)") as client:
        client.version()
    headers = server.request_log[0].headers
    assert headers["user-agent"] == "trialsync-test/1 (ops@example.org)"
    assert headers["accept-encoding"] == "gzip"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"


@pytest.mark.slow
def test_offline_start_fails_quickly_with_one_line() -> None:
    url = closed_port_url()
    started = time.monotonic()
    # Default settings-like backoff: the offline rule must still give up within seconds.
    client = CtgovClient(url, requests_per_second=1000, max_attempts=8, backoff_initial=1.0)
    with client, pytest.raises(ApiUnreachable) as caught:
        client.version()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert message == (
        f"cannot reach the ClinicalTrials.gov API at {url}: connection refused. Check your "
        "connection, or run `make demo` to work offline against the replay server."
    )
    assert "\n" not in message


def test_losing_the_server_later_is_unavailable_not_unreachable(
    sample_studies: dict[str, Any],
) -> None:
    srv = ReplayServer(list(sample_studies.values())[:3]).start()
    client = make_client(srv.base_url, max_attempts=2)
    client.version()
    srv.stop()
    with client, pytest.raises(ApiUnavailable) as caught:
        client.version()
    assert not isinstance(caught.value, ApiUnreachable)


def test_bulk_download_yields_every_study(
    server: ReplayServer, sample_studies: dict[str, Any], tmp_path: Path
) -> None:
    dest = tmp_path / "bulk" / "ctg-studies.json.zip"
    seen: list[tuple[int, int | None]] = []
    with make_client(server.base_url, read_timeout=ZIP_TIMEOUT) as client:
        assert client.download_bulk(dest, progress=lambda d, t: seen.append((d, t))) == dest
    assert not dest.with_name(dest.name + ".part").exists()
    assert seen[-1] == (dest.stat().st_size, dest.stat().st_size)
    studies = {nct: orjson.loads(b) for batch in iter_bulk_studies(dest, 100) for nct, b in batch}
    assert studies == sample_studies


def test_bulk_download_resumes_with_range(server: ReplayServer, tmp_path: Path) -> None:
    dest = tmp_path / "ctg-studies.json.zip"
    part = dest.with_name(dest.name + ".part")
    server.faults.add("zip_truncated", on=1)
    with make_client(server.base_url, max_attempts=1, read_timeout=ZIP_TIMEOUT) as client:
        with pytest.raises(ApiUnavailable):
            client.download_bulk(dest)
        assert not dest.exists()
        half = part.stat().st_size
        assert half > 0
        client.download_bulk(dest)
    first, second = server.requests_to("/studies/download")
    assert first.status == 200 and first.fault == "zip_truncated"
    assert second.status == 206
    assert second.headers["range"] == f"bytes={half}-"
    assert second.headers["if-range"] == f'"{first.body_sha256[:32]}"'  # the served ETag
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == first.body_sha256
    assert zipfile.ZipFile(dest).testzip() is None


def test_bulk_download_retries_resume_within_one_call(server: ReplayServer, tmp_path: Path) -> None:
    dest = tmp_path / "ctg-studies.json.zip"
    server.faults.add("zip_truncated", on=[1, 2])
    with make_client(server.base_url, read_timeout=ZIP_TIMEOUT) as client:
        client.download_bulk(dest)
    statuses = [e.status for e in server.requests_to("/studies/download")]
    assert statuses == [200, 206, 206]
    assert (
        hashlib.sha256(dest.read_bytes()).hexdigest()
        == server.requests_to("/studies/download")[0].body_sha256
    )


def test_changed_archive_restarts_instead_of_splicing(
    server: ReplayServer, sample_studies: dict[str, Any], tmp_path: Path
) -> None:
    dest = tmp_path / "ctg-studies.json.zip"
    server.faults.add("zip_truncated", on=1)
    with make_client(server.base_url, max_attempts=1, read_timeout=ZIP_TIMEOUT) as client:
        with pytest.raises(ApiUnavailable):
            client.download_bulk(dest)
        server.remove_studies([CANONICAL])  # the archive changes: the old ETag no longer holds
        client.download_bulk(dest)
    assert server.requests_to("/studies/download")[1].status == 200
    with zipfile.ZipFile(dest) as archive:
        assert len(archive.namelist()) == len(sample_studies) - 1


def test_scope_filters_combine_with_the_window(
    server: ReplayServer, sample_studies: dict[str, Any]
) -> None:
    scope = Scope.from_options(
        status=["RECRUITING"],
        advanced="AREA[StudyFirstPostDate]RANGE[2023-01-01,MAX]",
        since=date(2025, 1, 1),
    )
    with make_client(server.base_url, page_size=20) as client:
        got = walk_ids(client, scope.params(scope.window_start(None)))

    def status(s: dict[str, Any]) -> dict[str, Any]:
        return s["protocolSection"]["statusModule"]

    expected = {
        k
        for k, s in sample_studies.items()
        if status(s)["overallStatus"] == "RECRUITING"
        and status(s)["studyFirstPostDateStruct"]["date"] >= "2023-01-01"
        and status(s)["lastUpdatePostDateStruct"]["date"] >= "2024-12-31"
    }
    assert sorted(got) == sorted(expected)
    assert len(expected) > 20  # more than one page


def test_expired_token_is_a_clear_error_not_a_retry(server: ReplayServer) -> None:
    # Tokens "may expire on data refresh" (reference §3.4): the walk must restart, not loop.
    server.expire_tokens_on_refresh = True
    with make_client(server.base_url) as client:
        pages = client.iter_pages({"pageSize": "100"})
        next(pages)
        server.set_data_timestamp("2026-11-23T09:00:04")
        with pytest.raises(ApiError, match="expired") as caught:
            next(pages)
    assert caught.value.status == 400
    assert len(server.requests_to("/studies")) == 2
