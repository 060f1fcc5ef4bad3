"""Prefect's temporary local server, started where the terminal's Ctrl-C does not reach it.

Without `PREFECT_API_URL`, Prefect starts a temporary server on the first flow call, as a plain
child process in the terminal's process group. Ctrl-C then stopped the server along with the run,
and the run went on to report its crash to a server that was gone: Prefect's client retried for
about 2.5 minutes and ended in a traceback, where the command should have said in one line that it
was interrupted (measured: `trialsync sync` interrupted mid-run, 141-144 s after the signal).

A child process starts with the signal mask of the thread that started it, so a server started
from a thread that blocks SIGINT never sees Ctrl-C. The run takes the Ctrl-C, reports its crash
to the server still up, and Prefect stops the server when the program exits (SIGTERM, registered
by the server's `start`).
"""

from __future__ import annotations

import contextvars
import signal
import threading

from prefect.settings import get_current_settings


def server_configured() -> bool:
    """True when runs report to a Prefect server (not the temporary ephemeral one)."""
    return bool(get_current_settings().api.url)


def start_temporary_server() -> None:
    """Start Prefect's temporary server (the one its client would start) out of Ctrl-C's reach.

    Call it with Prefect's settings in place: the server takes them, and the start-up timeout,
    from the caller's context. Does nothing when a server is configured (`PREFECT_API_URL`) or
    the temporary one is up already.

    A Ctrl-C while it starts stops the caller at once; the start-up itself goes on in its thread,
    which the interpreter waits for at exit, so the server is up when Prefect's exit handler
    stops it and is never left behind.
    """
    if server_configured():
        return
    # The server's module pulls in the whole Prefect server: imported only when it is started.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    if server.running:
        return
    failed: list[BaseException] = []
    context = contextvars.copy_context()

    def start() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            context.run(server.start)
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread below
            failed.append(err)

    thread = threading.Thread(target=start, name="prefect-temporary-server")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
