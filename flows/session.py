"""What every writing command shares: the working database, the writer lock and the run's life.

A run takes the writer lock, records itself in `pipeline.runs`, loads whatever a crashed run left
landed, does its own work, regenerates the summaries whose inputs changed, publishes, and records
how it ended. Any failure leaves the warehouse at the last committed batch and the previous
publication in place, and the run record says at which step it failed.

The steps go through `Hooks.stage`, so the Prefect flows (flows/orchestration.py) can run each
one as a task (retried when it is I/O) while the plain commands run them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from flows.ingest import Progress, recover
from flows.publishing import mirror_publication, publish_warehouse
from flows.runs import RunReport, new_run_id, utcnow
from flows.settings import Settings
from flows.summarizing import SummarizeResult, llm_backend_from_settings, summarize_studies
from flows.zip_loading import zip_loader
from schemas.tables import ALL_TABLES, ALL_VIEWS, schema_fingerprint
from warehouse import runs
from warehouse.database import connect, ensure_schema
from warehouse.lock import WriterLock
from warehouse.raw import RawStore

DB_NAME = "trialsync.duckdb"


class OrchestratorUnavailable(RuntimeError):
    """Prefect's server could not be reached or started, so no flow could run."""


T = TypeVar("T")


def run_directly(name: str, work: Callable[[], T], *, io: bool = False) -> T:
    """The plain way to run a step: call it (the API client retries its own requests)."""
    del name, io
    return work()


StageRunner = Callable[..., Any]


@dataclass(frozen=True)
class Hooks:
    """What a caller plugs into a run: progress callbacks, and how each step is run.

    `stage(name, work, io=...)` runs one step; the Prefect flows pass one that makes it a task
    (with retries, backoff and jitter when `io`), the CLI's plain mode calls it directly.
    """

    pages: Progress | None = None  # (pages, studies) fetched and loaded
    bulk: Progress | None = None  # (batches, studies) loaded from a bulk ZIP
    download: Callable[[int, int | None], None] | None = None  # (bytes so far, total)
    stage: StageRunner = run_directly
    # Called once the run is recorded as succeeded or failed, with the database still open:
    # the Prefect flows turn the report and the run's change events into artifacts and events.
    finished: Callable[[duckdb.DuckDBPyConnection, RunReport], None] | None = None


NO_HOOKS = Hooks()


@contextmanager
def open_warehouse(
    settings: Settings, db_path: Path | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The working database, created and checked against the declarations."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    con = connect(
        db_path or settings.data_dir / DB_NAME,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        wal_autocheckpoint=settings.duckdb_wal_autocheckpoint,
        row_group_size=settings.duckdb_row_group_size,
    )
    try:
        ensure_schema(con, ALL_TABLES, schema_fingerprint(), ALL_VIEWS)
        yield con
    finally:
        con.close()


@contextmanager
def recorded_run(
    con: duckdb.DuckDBPyConnection, report: RunReport, params: Mapping[str, object]
) -> Iterator[None]:
    """Record the run in pipeline.runs: started now, then how it ended, with its report."""
    runs.start_run(
        con,
        run_id=report.run_id,
        command=report.command,
        scope_key=None,
        params=params,
        started_at=report.started_at,
    )
    try:
        yield
        report.status = "succeeded"
    except BaseException as err:
        report.status = "failed"
        if report.error is None:
            report.error = f"{type(err).__name__}: {err}"
        raise
    finally:
        report.finished_at = utcnow()
        runs.finish_run(
            con,
            run_id=report.run_id,
            status=report.status,
            finished_at=report.finished_at,
            data_timestamp_start=report.data_timestamp_start,
            data_timestamp_end=report.data_timestamp_end,
            report=report.as_dict(),
            error=report.error,
        )


class RunSteps:
    """The current step of a run, so a failure is reported with where it happened."""

    def __init__(self, report: RunReport, hooks: Hooks) -> None:
        self.report = report
        self.hooks = hooks
        self.current = "start"

    def run(self, name: str, work: Callable[[], T], *, io: bool = False) -> T:
        """Time `work` as step `name` and run it the way the caller asked (task or direct)."""
        self.current = name
        with self.report.timed(name):
            result: T = self.hooks.stage(name, work, io=io)
        return result

    def failed(self, err: BaseException) -> None:
        """Note where the run failed, once (the innermost step wins)."""
        if self.report.error is None:
            self.report.error = f"{self.current}: {type(err).__name__}: {err}"


@contextmanager
def run_context(
    settings: Settings,
    command: str,
    scope: str,
    params: Mapping[str, object],
    *,
    publish: bool,
    force_publish: bool = False,
    hooks: Hooks = NO_HOOKS,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, RawStore, RunReport, RunSteps]]:
    """Lock, open, record the run, recover leftovers; on success summarize and publish.

    `force_publish` publishes even when the publishing gate objects (noted in the report).
    """
    with WriterLock(settings.data_dir, command), open_warehouse(settings) as con:
        report = RunReport(new_run_id(), command, scope)
        steps = RunSteps(report, hooks)
        raw = RawStore(settings.data_dir / "raw")
        try:
            with recorded_run(con, report, params):
                try:
                    report.recovered_pages = steps.run(
                        "recover",
                        lambda: recover(con, raw, report, load_bulk=zip_loader(settings)),
                    )
                    steps.current = command
                    yield con, raw, report, steps
                    if settings.summarize_in_runs:
                        steps.run("summarize", lambda: summarize_changed(con, settings, report))
                    if publish:
                        steps.run(
                            "publish",
                            lambda: publish_warehouse(con, settings, report, force=force_publish),
                            io=True,
                        )
                        steps.run("mirror", lambda: mirror_publication(settings, report), io=True)
                except BaseException as err:
                    steps.failed(err)
                    raise
        finally:
            if hooks.finished is not None:
                hooks.finished(con, report)


def summarize_changed(
    con: duckdb.DuckDBPyConnection, settings: Settings, report: RunReport
) -> SummarizeResult:
    """Regenerate the pages whose inputs changed (and drop those of removed studies)."""
    result = summarize_studies(
        con,
        None,
        generated_on=report.started_at.date(),
        backend=llm_backend_from_settings(settings),
    )
    report.summaries = result.as_dict()
    return result
