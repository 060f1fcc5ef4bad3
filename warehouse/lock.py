"""One writer per data folder: an advisory lock that the kernel drops when the process dies."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from types import TracebackType


class WarehouseBusy(RuntimeError):
    """Another trialsync process is writing to this data folder."""


class WriterLock:
    """`flock` on `<data>/.writer.lock`, held for a whole writing command.

    DuckDB itself allows one writer process per file; taking our own lock first turns a second
    concurrent sync into a clear refusal instead of a DuckDB lock error half-way through. The kernel
    releases an flock when its holder exits, even on SIGKILL, so a crash never leaves it stuck.
    """

    def __init__(self, data_dir: Path, command: str) -> None:
        self.path = data_dir / ".writer.lock"
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise `WarehouseBusy` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise WarehouseBusy(
                f"another trialsync process is already writing to {self.path.parent} ({holder}); "
                "wait for it to finish or stop it, then run this command again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "command": self.command}).encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def current_writer(data_dir: Path) -> str | None:
    """Who holds `data_dir`'s writer lock right now, or None; needs only read access.

    A shared `flock` attempt fails while a writer holds the exclusive one, so a reader of a folder
    it may not write to (another user's, or a read-only mount) can still tell.
    """
    try:
        fd = os.open(data_dir / ".writer.lock", os.O_RDONLY)
    except OSError:  # no lock file (no writer ever ran), or not readable: nothing to tell
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_holder(fd)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return "holder unknown"
    return f"pid {info.get('pid', '?')}, running `trialsync {info.get('command', '?')}`"
