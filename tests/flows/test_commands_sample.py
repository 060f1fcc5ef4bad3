"""`trialsync record-sample` against the replay server: files laid out like the shared sample."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli import app
from replay.server import ReplayServer

FAST = {"TRIALSYNC_REQUESTS_PER_SECOND": "1000", "TRIALSYNC_BACKOFF_INITIAL": "0.01"}


@pytest.fixture
def server(sample_studies: dict[str, dict[str, Any]]) -> Iterator[ReplayServer]:
    with ReplayServer(list(sample_studies.values())) as srv:
        yield srv


def test_record_sample_writes_files_like_the_shared_sample(
    server: ReplayServer, sample_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sample" / "studies"
    result = CliRunner().invoke(
        app,
        ["record-sample", "--api-url", server.base_url, "--out", str(out), "--limit", "25"],
        env=FAST,
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.json"))
    assert len(files) == 25
    # Byte for byte the layout of ../shared/ctgov-sample/studies (2-space indent, API key order).
    for path in files:
        assert path.read_bytes() == (sample_dir / "studies" / path.name).read_bytes()
    assert "wrote 25 studies" in result.output
    # 25 studies at pageSize 25: /version and exactly one page.
    assert [e.path for e in server.request_log] == ["/api/v2/version", "/api/v2/studies"]
    assert server.request_log[1].query["pageSize"] == "25"


def test_record_sample_passes_filters(server: ReplayServer, tmp_path: Path) -> None:
    out = tmp_path / "studies"
    args = ["record-sample", "--api-url", server.base_url, "--out", str(out), "--limit", "100"]
    result = CliRunner().invoke(
        app, [*args, "--status", "suspended", "--status", "WITHDRAWN"], env=FAST
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.json"))) == 8  # all the sample holds with those statuses
    assert server.request_log[1].query["filter.overallStatus"] == "SUSPENDED,WITHDRAWN"


def test_record_sample_offline_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v2"
    result = CliRunner().invoke(
        app, ["record-sample", "--api-url", url, "--out", str(tmp_path / "s")], env=FAST
    )
    assert result.exit_code == 1
    assert f"cannot reach the ClinicalTrials.gov API at {url}" in result.output
    assert "make demo" in result.output
