"""Fault plans fire deterministically, and every kind reaches the wire as described."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from replay.faults import FaultPlan, parse_fault_spec
from replay.server import ReplayServer


def fired(plan: FaultPlan, paths: list[str]) -> list[str | None]:
    out = []
    for path in paths:
        fault = plan.next_for(path)
        out.append(fault.kind if fault else None)
    return out


def test_on_counts_matching_requests_only() -> None:
    plan = FaultPlan()
    plan.add("500", on=[2, 3])
    paths = ["/studies", "/version", "/studies", "/studies", "/studies"]
    assert fired(plan, paths) == [None, None, "500", "500", None]


def test_every_and_count() -> None:
    plan = FaultPlan()
    plan.add("503", every=2, count=2)
    assert fired(plan, ["/studies"] * 8) == [None, "503", None, "503", None, None, None, None]


def test_path_is_a_glob_and_zip_truncated_defaults_to_the_download() -> None:
    plan = FaultPlan()
    plan.add("403", on=1, path="/studies/NCT*")
    plan.add("zip_truncated", on=1)
    assert fired(plan, ["/studies", "/studies/NCT00000001", "/studies/download"]) == [
        None,
        "403",
        "zip_truncated",
    ]


def test_same_plan_same_requests_same_faults() -> None:
    def run() -> list[str | None]:
        plan = FaultPlan()
        plan.add("429", every=3, retry_after=1)
        plan.add("reset", on=[4, 5])
        return fired(plan, ["/studies"] * 9)

    assert run() == run() == [None, None, "429", "reset", "reset", "429", None, None, "429"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"kind": "teapot", "on": 1}, "unknown fault kind", id="kind"),
        pytest.param({"kind": "500"}, "needs `on`", id="no-trigger"),
    ],
)
def test_bad_faults_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan().add(**kwargs)


def test_cli_spec_parses_to_add_arguments() -> None:
    spec = "429:on=2+5,retry_after=1; 500:every=5,count=2 ;slow:on=3,delay=0.5,path=/studies"
    assert parse_fault_spec(spec) == [
        ("429", {"on": [2, 5], "retry_after": "1"}),
        ("500", {"every": 5, "count": 2}),
        ("slow", {"on": [3], "delay": 0.5, "path": "/studies"}),
    ]
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_fault_spec("500:when=2")


RECORD = {
    "protocolSection": {"identificationModule": {"nctId": "NCT00000001"}},
    "hasResults": False,
}


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer([RECORD]) as srv:
        yield srv


def raw_http(server: ReplayServer, path: str) -> bytes:
    """Send one GET over a bare socket and return whatever comes back before the close."""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(f"GET /api/v2{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def test_status_faults_on_the_wire(server: ReplayServer) -> None:
    server.faults.add("429", on=1, retry_after=7)
    server.faults.add("429", on=2)
    url = server.base_url + "/studies"
    first, second, third = (requests.get(url, timeout=5) for _ in range(3))
    assert (first.status_code, first.headers.get("Retry-After")) == (429, "7")
    assert (second.status_code, second.headers.get("Retry-After")) == (429, None)
    assert third.status_code == 200
    assert [e.fault for e in server.request_log] == ["429", "429", None]


def test_html200_and_missing_studies(server: ReplayServer) -> None:
    server.faults.add("html200", on=1)
    server.faults.add("missing_studies", on=2)
    url = server.base_url + "/studies"
    html = requests.get(url, timeout=5)
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
    assert html.text.startswith("<!DOCTYPE html>")
    body = requests.get(url, timeout=5)
    assert body.status_code == 200
    assert "studies" not in body.json()


def test_truncated_declares_full_length_but_sends_half(server: ReplayServer) -> None:
    full = raw_http(server, "/studies")
    server.faults.add("truncated", on=1)  # counted from when the fault is added
    cut = raw_http(server, "/studies")
    head, _, body = cut.partition(b"\r\n\r\n")
    full_body = full.partition(b"\r\n\r\n")[2]
    assert f"Content-Length: {len(full_body)}".encode() in head
    assert body == full_body[: len(full_body) // 2]


def test_reset_sends_nothing(server: ReplayServer) -> None:
    server.faults.add("reset", on=1)
    assert raw_http(server, "/studies") == b""
    assert server.request_log[-1].status is None


def test_slow_waits_before_answering(server: ReplayServer) -> None:
    server.faults.add("slow", on=1, delay=0.4)
    with pytest.raises(requests.ReadTimeout):
        requests.get(server.base_url + "/studies", timeout=(1, 0.1))
    assert requests.get(server.base_url + "/studies", timeout=5).status_code == 200


def test_extra_studies_adds_records_the_server_could_not_index(server: ReplayServer) -> None:
    hostile = {"protocolSection": {"identificationModule": {"nctId": "../../etc/passwd"}}}
    server.faults.add("extra_studies", on=1, records=[hostile])
    url = server.base_url + "/studies"
    page = requests.get(url, params={"countTotal": "true"}, timeout=5).json()
    assert page["studies"][-1] == hostile
    assert len(page["studies"]) == 2 and page["totalCount"] == 1  # the count stays the server's
    assert len(requests.get(url, timeout=5).json()["studies"]) == 1  # only the planned request
