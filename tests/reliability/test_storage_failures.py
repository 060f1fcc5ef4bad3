"""Storage that refuses writes: a full disk at chosen points, a read-only data folder.

Each failure must end the command with one clear `error:` line (no traceback), leave the working
database readable and free of duplicates, keep the previous publication whole, and a re-run with
working storage must reach the clean result.

The full disk is a real OS limit: from a chosen call on, the process may not grow any file past a
size (RLIMIT_FSIZE, writes fail with EFBIG), set by `killpoint`'s `fsize=` point. The read-only
folder is `chmod a-w` for an ordinary user; root ignores file modes, so as root the folder is
bind-mounted read-only in a private mount namespace (EROFS) for the command alone, or, where
root may not mount, the command runs as nobody (`READ_ONLY_WAYS`).
"""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from tests.reliability.conftest import error_lines, run_at_point, scenario_settings, sync_env
from tests.support.publication import read_publication
from tests.support.warehouse import (
    ROOT,
    RUN_BOOKKEEPING,
    content_snapshot,
    duplicate_keys,
    torn_studies,
)

DISK_FILLS = [
    # A page of the second sync cannot be landed.
    pytest.param("warehouse.raw:RunLanding.write_page", 2, 10_000, id="while-landing"),
    # The second batch's transaction cannot be written to the WAL at COMMIT.
    pytest.param("warehouse.loader:apply_batch", 2, 1_000_000, id="while-loading"),
    # The new snapshot's Parquet cannot be written (the studies file is over 100 kB).
    pytest.param("warehouse.publish:publish", 1, 100_000, id="while-publishing"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("target", "nth", "limit"), DISK_FILLS)
def test_a_full_disk_fails_clearly_and_corrupts_nothing(
    target, nth, limit, scenario, clean, base_copy, tmp_path
):
    before = read_publication(base_copy)
    mark = tmp_path / "filled-at"
    with scenario.serve(2) as server:
        args = ("sync", "--api-url", server.base_url, "--data-dir", str(base_copy))
        done = run_at_point(target, nth, f"fsize={limit}", mark, *args)
        assert mark.read_text().startswith(target), "the disk should fill at the chosen point"
        assert done.returncode == 1, done.stderr[-2000:]
        errors = error_lines(done.stderr)
        assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "out of disk space" in errors[0] and "File too large" in errors[0]
        assert "free some space and run the command again" in errors[0]

        db = base_copy / DB_NAME
        # It opens, replays its WAL, and holds whole batches only.
        assert duplicate_keys(db) == {} and torn_studies(db) == []
        after_failure = read_publication(base_copy)
        assert after_failure.problems == [] and after_failure.manifest == before.manifest
        assert not list((base_copy / "snapshots").glob(".staging-*"))  # a failed one is removed
        report = run_sync(scenario_settings(base_copy, server.base_url), Scope())
    assert report.status == "succeeded"
    assert content_snapshot(db, ignore=RUN_BOOKKEEPING) == clean.second
    assert read_publication(base_copy).problems == []


# Ways to run a command with a folder it cannot write to, tried in order until one works here.
_RO_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
READ_ONLY_WAYS = {
    # An ordinary user: the folder's modes (a-w, set by the fixture) are enough.
    "chmod a-w": lambda folder: [],
    # Root ignores modes: a read-only bind mount in a private mount namespace (EROFS).
    "read-only bind mount": lambda folder: [
        *("unshare", "--mount", "--propagation", "private", "sh", "-c", _RO_MOUNT, "sh"),
        str(folder),
    ],
    # Root without CAP_SYS_ADMIN: run as nobody, to whom the folder is not writable either.
    "setpriv nobody": lambda folder: [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ],
}
# Exit 0 only if the folder can be listed but a file cannot be created in it.
_PROBE = (
    "import pathlib, sys\n"
    "folder = pathlib.Path(sys.argv[1]); list(folder.iterdir())\n"
    "try:\n    (folder / 'probe').write_text('x')\n"
    "except OSError:\n    sys.exit(0)\n"
    "sys.exit(1)\n"
)


@pytest.fixture
def read_only(base_copy: Path) -> Iterator[tuple[Path, list[str]]]:
    """A data folder holding the first sync, and a command prefix that makes it read-only."""
    for path in [base_copy, *base_copy.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    tried = {}
    for name, way in READ_ONLY_WAYS.items():
        command = [*way(base_copy), sys.executable, "-c", _PROBE, str(base_copy)]
        try:
            probe = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except OSError as err:  # the tool is not installed
            tried[name] = str(err)
            continue
        (base_copy / "probe").unlink(missing_ok=True)
        if probe.returncode == 0:
            break
        tried[name] = probe.stderr.strip()[-300:] or f"exit {probe.returncode}"
    else:
        pytest.fail(f"no way to make a folder read-only worked here: {tried}")
    yield base_copy, way(base_copy)
    for path in [base_copy, *base_copy.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
    }


@pytest.mark.slow
def test_a_read_only_data_folder_refuses_writes_clearly_and_still_serves_readers(
    scenario, read_only
):
    data_dir, prefix = read_only
    files_before = _tree(data_dir)
    exe = str(Path(sys.executable).with_name("trialsync"))
    with scenario.serve(2) as server:
        sync = [exe, "sync", "--api-url", server.base_url, "--data-dir", str(data_dir)]
        done = subprocess.run(
            [*prefix, *sync], capture_output=True, text=True, env=sync_env(), cwd=ROOT, timeout=120
        )
    assert done.returncode == 1, done.stderr[-2000:]
    errors = error_lines(done.stderr)
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert errors[0].startswith("error: storage refused access (read-only, or no permission)")
    assert str(data_dir) in errors[0] and "check that the data folder is writable" in errors[0]
    # Readers need no write access: the publication is still there for them.
    status = [exe, "status", "--data-dir", str(data_dir)]
    shown = subprocess.run([*prefix, *status], capture_output=True, text=True, env=sync_env())
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "last runs" in shown.stdout
    assert _tree(data_dir) == files_before
    assert read_publication(data_dir).problems == []


def test_a_data_folder_below_a_regular_file_fails_in_one_line(scenario, tmp_path, cli):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with scenario.serve(1) as server:
        done = cli("sync", "--api-url", server.base_url, "--data-dir", str(blocker / "data"))
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)
    errors = error_lines(done.stderr)
    assert len(errors) == 1, done.stderr
    assert "a path that must be a folder is not one" in errors[0] and "Not a directory" in errors[0]
    assert blocker.read_text() == "a file where a folder should be"
