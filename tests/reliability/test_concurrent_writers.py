"""Two writers on one data folder: the second refuses at once, naming the first; nothing harmed."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from flows.pipeline import DB_NAME
from tests.reliability.conftest import error_lines, point_command, sync_env
from tests.support.publication import read_publication
from tests.support.warehouse import ROOT, RUN_BOOKKEEPING, content_snapshot, duplicate_keys

# Where the writer that gets the lock pauses (until the test releases it): its first page is
# landed, so it is well inside its run, holding the lock, the database and a landed page.
PAUSE_AT = "warehouse.raw:RunLanding.record_page"

# The other commands that take the writer lock at their own call site (sync, reconcile and
# load-bulk share the sync's, which the race below covers).
OTHER_WRITERS = [
    ("rebuild", ("rebuild",)),
    ("publish", ("publish",)),
    ("summarize --all", ("summarize", "--all")),
]


@pytest.mark.slow
def test_two_syncs_started_at_once_one_refuses_clearly_and_nothing_is_corrupted(
    scenario, clean, base_copy, tmp_path, cli
):
    release = tmp_path / "release"
    marks = [tmp_path / "paused-0", tmp_path / "paused-1"]
    with scenario.serve(2) as server:
        args = ("sync", "--api-url", server.base_url, "--data-dir", str(base_copy))
        both = [
            subprocess.Popen(
                point_command(PAUSE_AT, 1, f"hold={release}", mark, *args),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=sync_env(),
                cwd=ROOT,
            )
            for mark in marks
        ]
        deadline = time.monotonic() + 90
        while not (any(p.poll() is not None for p in both) and any(m.exists() for m in marks)):
            assert sum(m.exists() for m in marks) < 2, "both syncs got past the writer lock"
            assert time.monotonic() < deadline, "no sync refused, or none reached its pause"
            time.sleep(0.05)
        status = cli("status", "--data-dir", str(base_copy))
        others = {name: cli(*args, "--data-dir", str(base_copy)) for name, args in OTHER_WRITERS}
        release.touch()
        results = [(p.pid, *p.communicate(timeout=120), p.returncode) for p in both]

    assert sorted(code for *_, code in results) == [0, 1], [r[2][-1500:] for r in results]
    (winner,) = [pid for pid, _, _, code in results if code == 0]
    (refused,) = [err for _, _, err, code in results if code == 1]
    errors = [line for line in refused.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in refused, refused
    assert "another trialsync process is already writing" in errors[0]
    assert f"pid {winner}, running `trialsync sync`" in errors[0]
    for command, result in others.items():
        lines = error_lines(result.stderr)
        assert result.exit_code == 1 and len(lines) == 1, (command, result.output[-1500:])
        assert f"already writing to {base_copy} (pid {winner}" in " ".join(lines[0].split())
    # A reader is never blocked, and is told who writes.
    assert status.exit_code == 0, status.output
    assert f"a writer is running now: pid {winner}" in " ".join(status.stdout.split())

    db = base_copy / DB_NAME
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.second
    assert duplicate_keys(db) == {}
    assert read_publication(base_copy).problems == []


@pytest.mark.slow
def test_a_rebuild_refused_while_another_runs_leaves_that_one_whole(clean, tmp_path, cli):
    data_dir = tmp_path / "data"
    shutil.copytree(clean.second_dir, data_dir, symlinks=True)
    release, mark = tmp_path / "release", tmp_path / "paused"
    first = subprocess.Popen(
        point_command(
            "flows.ingest:recover",
            1,
            f"hold={release}",
            mark,
            "rebuild",
            "--no-publish",
            "--data-dir",
            str(data_dir),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sync_env(),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert first.poll() is None and time.monotonic() < deadline, "the rebuild never paused"
        time.sleep(0.05)
    second = cli("rebuild", "--data-dir", str(data_dir))
    release.touch()
    _, err = first.communicate(timeout=120)
    assert second.exit_code == 1 and "already writing" in second.stderr
    assert first.returncode == 0, err[-1500:]
    assert content_snapshot(data_dir / DB_NAME, ignore=RUN_BOOKKEEPING) == clean.second
