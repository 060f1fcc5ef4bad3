"""`trialsync replay-server` as a user runs it: help, fault spec checks, serving until Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from flows.cli import app

TRIALSYNC = str(Path(sys.executable).with_name("trialsync"))


def test_replay_server_help() -> None:
    result = CliRunner().invoke(app, ["replay-server", "--help"])
    assert result.exit_code == 0
    for option in ("--data", "--host", "--port", "--data-timestamp", "--faults"):
        assert option in result.output


def test_bad_fault_spec_is_refused_before_binding() -> None:
    result = CliRunner().invoke(app, ["replay-server", "--faults", "teapot:on=1"])
    assert result.exit_code == 2
    assert "unknown fault kind" in result.output


@pytest.fixture
def running(sample_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`trialsync replay-server` in the foreground of a child process, with one fault planned."""
    proc = subprocess.Popen(
        [
            TRIALSYNC,
            "replay-server",
            "--data",
            str(sample_dir / "studies"),
            "--port",
            "0",
            "--data-timestamp",
            "2026-11-23T09:00:04",
            "--faults",
            "503:on=1,path=/version",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if match := re.search(r"replay server: (http://\S+/api/v2)", line):
                yield proc, match.group(1)
                break
        else:
            pytest.fail("replay-server exited before printing its URL")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_replay_server_runs_until_ctrl_c(running: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = running
    assert requests.get(f"{url}/version", timeout=5).status_code == 503  # the planned fault
    assert (
        requests.get(f"{url}/version", timeout=5).json()["dataTimestamp"] == "2026-11-23T09:00:04"
    )
    doc = requests.get(f"{url}/studies", params={"countTotal": "true"}, timeout=5).json()
    assert doc["totalCount"] == 670
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "stopped" in output
