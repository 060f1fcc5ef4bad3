"""Run the real `trialsync` CLI, but SIGKILL the process (or fill its disk) at an exact point.

    python -m tests.reliability.killpoint TARGET NTH WHEN MARK -- <trialsync args>

TARGET is `module:qualname` of a real function or method (`warehouse.raw:RunLanding.record_page`).
Its NTH call (1-based) is the point, and WHEN says what happens there:

    before        instead of running the call
    after         once the call has returned, before its caller sees the result
    during=<s>    <s> seconds into the call, from another thread (or as it returns, if sooner)
    fsize=<n>     no kill: from this call on, no file may grow past <n> bytes (RLIMIT_FSIZE, with
                  SIGXFSZ ignored, so writes fail with EFBIG), as if the disk filled up here
    hold=<path>   no kill: wait (up to 120 s) until <path> exists, then make the call, so a test
                  can act while the command is paused at a known point (holding its locks)

Before the kill (or the limit, or the wait), one line naming the point is written to the file
MARK (and fsynced), so a test can tell a kill at the chosen point from a process that died some
other way. If the point is never reached, the command simply runs to its end.

A function bound by name into other modules (`from transforms.changes import batch_events`) is
replaced there too, so the point holds wherever the function is called from (the CLI and every
command module are imported first; a module imported later keeps the original).
"""

from __future__ import annotations

import functools
import importlib
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _resolve(target: str) -> tuple[Any, str, Callable[..., Any]]:
    module_name, _, qualname = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = qualname.split(".")
    for part in parents:
        owner = getattr(owner, part)
    return owner, name, getattr(owner, name)


def _die(mark: Path, text: str) -> None:
    _mark(mark, text)
    os.kill(os.getpid(), signal.SIGKILL)


def _mark(mark: Path, text: str) -> None:
    with mark.open("w") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _fill_disk(mark: Path, text: str, size: int) -> None:
    _mark(mark, text)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def _hold(mark: Path, text: str, release: Path) -> None:
    _mark(mark, text)
    deadline = time.monotonic() + 120
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def _wrapper(original: Callable[..., Any], nth: int, when: str, mark: Path, target: str) -> Any:
    calls = {"n": 0}

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] != nth:
            return original(*args, **kwargs)
        text = f"{target} call {nth} {when}"
        if when.startswith("hold="):
            _hold(mark, text, Path(when.split("=", 1)[1]))
            return original(*args, **kwargs)
        if when.startswith("fsize="):
            _fill_disk(mark, text, int(when.split("=", 1)[1]))
            return original(*args, **kwargs)
        if when == "before":
            _die(mark, text)
        if when.startswith("during="):
            timer = threading.Timer(float(when.split("=", 1)[1]), _die, (mark, text))
            timer.daemon = True
            timer.start()
        result = original(*args, **kwargs)
        _die(mark, text)  # `after`, or a `during` call that ended before its timer
        return result

    return wrapper


def install(target: str, nth: int, when: str, mark: Path) -> None:
    """Replace TARGET with the killing wrapper, in its owner and wherever it was imported."""
    if when not in {"before", "after"} and not when.startswith(("during=", "fsize=", "hold=")):
        raise SystemExit(f"WHEN must be before, after, during=, fsize= or hold=, not {when!r}")
    owner, name, original = _resolve(target)
    wrapper = _wrapper(original, nth, when, mark, target)
    setattr(owner, name, wrapper)
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        for attr, value in list(namespace.items()) if isinstance(namespace, dict) else ():
            if value is original:
                setattr(module, attr, wrapper)


def main(argv: list[str]) -> None:
    """Parse `TARGET NTH WHEN MARK -- ARGS`, install the kill point, run the CLI."""
    if "--" not in argv or argv.index("--") != 4:
        raise SystemExit(__doc__)
    target, nth, when, mark = argv[:4]
    from flows.cli import app  # every command module imported, so every binding is replaced

    install(target, int(nth), when, Path(mark))
    app(args=argv[5:], prog_name="trialsync")


if __name__ == "__main__":
    main(sys.argv[1:])
