"""Ctrl-C during a Prefect-orchestrated run, or `serve`, ends the command within seconds.

Without `PREFECT_API_URL`, runs report to Prefect's temporary local server. Started the way
Prefect starts it, that server sat in the terminal's process group: Ctrl-C stopped it too, and
a run then spent ~2.5 minutes (`serve` ~70 s) retrying to report before ending in a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from replay.server import ReplayServer
from tests.support.warehouse import prefect_cli_env

TRIALSYNC = str(Path(sys.executable).with_name("trialsync"))


@pytest.fixture
def server(sample_dir):
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


def _started(args: list[str], env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    """`args` with stdout and stderr in `out`, in a session of its own.

    The session stands in for the terminal's foreground process group; Ctrl-C is restored in
    the child, as a shell's background job (and a test worker) may ignore it.
    """
    with out.open("w") as sink:
        return subprocess.Popen(
            args,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def _running_until(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> bool:
    """Wait, up to two minutes and while `proc` runs, until `ready()`; then whether it is."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.05)
    return ready()


def _interrupted(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Ctrl-C to the process's group, as a terminal sends it; the group is killed if it hangs."""
    try:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=timeout)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _prefect_server_of(pid: int) -> int | None:
    """The Prefect server process `pid` started (a uvicorn child), if any (Linux /proc)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and b"uvicorn" in cmdline:
            return int(stat.parent.name)
    return None


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_ctrl_c_mid_sync_ends_in_one_line_and_leaves_no_process(server, data_dir, tmp_path):
    server.faults.add("slow", every=1, delay=0.15)  # slow pages, so the Ctrl-C lands mid-walk
    env = prefect_cli_env(TRIALSYNC_PAGE_SIZE="20", TRIALSYNC_BOOTSTRAP_FROM_BULK="false")
    args = [TRIALSYNC, "sync", "--api-url", server.base_url, "--data-dir", str(data_dir)]
    log = tmp_path / "output.txt"
    proc = _started(args, env, log)
    paging = _running_until(proc, lambda: len(list(data_dir.glob("raw/*/page-*.json.zst"))) >= 3)
    _interrupted(proc, timeout=60)  # ~140 s when the temporary server went down with the run
    output = log.read_text()
    assert paging, f"the run should be paging (3 pages landed) when Ctrl-C comes: {output}"
    assert proc.returncode == 1, output
    assert output.strip().splitlines()[-1].startswith("error: interrupted"), output
    assert "Traceback" not in output
    time.sleep(0.5)
    assert not _group_alive(proc.pid), "a process of the run (the Prefect server?) was left behind"


@pytest.mark.slow
def test_ctrl_c_stops_serve_at_once_and_leaves_no_process(data_dir, tmp_path):
    log = tmp_path / "output.txt"
    proc = _started([TRIALSYNC, "serve", "--data-dir", str(data_dir)], prefect_cli_env(), log)
    serving = _running_until(proc, lambda: "deployment run" in log.read_text())
    # The server must outlive a Ctrl-C: the one Prefect starts itself dies of it, every time.
    # (serve then hung 70-76 s and ended in a traceback, in about half the runs.)
    prefect_server = _prefect_server_of(proc.pid)
    if prefect_server is not None:
        os.kill(prefect_server, signal.SIGINT)
        time.sleep(2)
    server_survived = prefect_server is not None and proc.poll() is None and _alive(prefect_server)
    _interrupted(proc, timeout=20)
    output = log.read_text()
    assert serving, f"serve should be serving when Ctrl-C comes: {output}"
    assert prefect_server is not None, "serve should report to a temporary Prefect server"
    assert server_survived, "the temporary Prefect server died of Ctrl-C"
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    time.sleep(0.5)
    assert not _group_alive(proc.pid), "a process of serve (the Prefect server?) was left behind"
