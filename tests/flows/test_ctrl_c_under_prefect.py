"""Ctrl-C during a Prefect-orchestrated run ends the command in one line, within seconds.

Without `PREFECT_API_URL`, the run reports to Prefect's temporary local server. Started the way
Prefect starts it, that server sat in the terminal's process group: Ctrl-C stopped it too, and
the run then spent ~2.5 minutes retrying to report its crash before ending in a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replay.server import ReplayServer
from tests.support.warehouse import cli_env


@pytest.fixture
def server(sample_dir):
    with ReplayServer(sample_dir / "studies") as srv:
        yield srv


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_ctrl_c_mid_sync_ends_in_one_line_and_leaves_no_process(server, data_dir, tmp_path):
    server.faults.add("slow", every=1, delay=0.15)  # slow pages, so the Ctrl-C lands mid-walk
    env = cli_env(
        TRIALSYNC_ORCHESTRATION="prefect",
        TRIALSYNC_PAGE_SIZE="20",
        TRIALSYNC_BOOTSTRAP_FROM_BULK="false",
    )
    env.pop("PREFECT_API_URL", None)  # the temporary server, as a newcomer's run has
    exe = Path(sys.executable).with_name("trialsync")
    args = [str(exe), "sync", "--api-url", server.base_url, "--data-dir", str(data_dir)]
    err_path = tmp_path / "stderr.txt"
    with err_path.open("w") as err:
        # A session of its own stands in for the terminal's foreground process group; Ctrl-C
        # restored in the child, as a shell's background job (and a test worker) may ignore it.
        proc = subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(data_dir.glob("raw/*/page-*.json.zst"))) < 3:
            assert proc.poll() is None, err_path.read_text()
            time.sleep(0.05)
        landed = len(list(data_dir.glob("raw/*/page-*.json.zst")))
        assert landed >= 3, "the run should be paging when Ctrl-C comes"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        proc.wait(timeout=60)  # ~140 s when the temporary server went down with the run
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    stderr = err_path.read_text()
    assert proc.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted"), stderr
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert not _group_alive(proc.pid), "a process of the run (the Prefect server?) was left behind"
