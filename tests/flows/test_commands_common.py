"""Commands end in one clear line, Ctrl-C included, wherever it lands."""

from __future__ import annotations

import os
import signal
import threading

import duckdb
import pytest
import typer

from flows.commands.common import exits_cleanly


def _ctrl_c_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_during_a_duckdb_query_ends_in_the_interrupted_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # DuckDB's client turns the KeyboardInterrupt into its own error; the command must still say
    # what Ctrl-C means (committed batches are kept) rather than print a traceback.
    @exits_cleanly
    def command() -> None:
        duckdb.connect().execute("SELECT count(*) FROM range(20000000000) a").fetchall()

    # The query runs for seconds, so the signal lands inside it. DuckDB acts on it at once or when
    # the query ends (both seen); either way the command must end the same.
    timer = _ctrl_c_after(0.3)
    try:
        with pytest.raises(typer.Exit) as raised:
            command()
    finally:
        timer.cancel()
    assert raised.value.exit_code == 1
    assert "interrupted; everything committed so far is kept" in capsys.readouterr().err


def test_other_runtime_errors_are_not_taken_for_ctrl_c() -> None:
    @exits_cleanly
    def command() -> None:
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):
        command()
