"""`make demo` as a newcomer runs it: the command, its Prefect flows, and nothing but its output.

The demo is offline by design. Under Prefect it runs on the temporary local server, whose usage
heartbeat to prefect.io would fail offline and print an ERROR line in the middle of the demo.
"""

from __future__ import annotations

import re

import pytest

from tests.support.warehouse import prefect_cli_env, trialsync


@pytest.mark.slow
def test_demo_under_prefect_ends_with_the_outputs_and_logs_no_error(tmp_path):
    env = prefect_cli_env(
        TRIALSYNC_DATA_DIR=str(tmp_path / "data"),
        COLUMNS="400",  # one line per path, however rich would wrap it
    )
    done = trialsync("demo", env=env, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "runs as the Prefect `sync` flow" in output
    assert "published/parquet" in output
    assert "analyst database" in output
    assert re.search(r"trialsync sql .*SELECT", output)
    assert not re.search(r"\bERROR\b|Traceback", output), output
