"""Prefect flows: sync, load_bulk, reconcile and publish, for scheduled and watched runs.

Orchestration only: each flow builds its settings and calls the same plain function the CLI's
plain mode calls (flows/pipeline.py, flows/reconcile.py). What Prefect adds is plugged in through
`Hooks` and the API client:

* every API call is a task (`api-call`, named after the request) that Prefect retries with
  exponential, jittered backoff when it failed after the client's own retries, i.e. during an
  outage; an unreachable API (offline) fails at once;
* every step of a run (recover, fetch_and_load, summarize, publish, ...) is a task; the publish
  step is retried on I/O errors only, never when the publishing gate refuses;
* the API rate limit is a Prefect global concurrency limit when a Prefect server is configured
  (`PREFECT_API_URL`), so it holds across every process and worker; otherwise the client's own;
* each run leaves a Markdown report artifact, a table artifact of its status changes, one event
  per study whose status changed or whose results were posted, and one aggregate event.

The single DuckDB writer is the warehouse's writer lock, which every run takes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import rate_limit
from prefect.events import emit_event
from prefect.exceptions import ObjectNotFound
from prefect.settings import (
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    temporary_settings,
)
from prefect.tasks import exponential_backoff

from flows.artifacts import (
    INTERESTING,
    report_markdown,
    run_event,
    status_change_rows,
    study_events,
)
from flows.ctgov_client import ApiUnavailable, ApiUnreachable, CtgovClient
from flows.pipeline import run_load_bulk, run_publish, run_sync
from flows.reconcile import run_reconcile
from flows.runs import RunReport
from flows.scopes import Scope
from flows.session import NO_HOOKS, Hooks, OrchestratorUnavailable
from flows.settings import Settings
from flows.temporary_server import server_configured, start_temporary_server
from warehouse import state
from warehouse.object_store import MirrorError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """The settings and progress callbacks of the CLI (or test) that starts a flow in-process.

    A flow's parameters must be plain data a deployment can store, so these travel beside them.
    """

    settings: Settings
    hooks: Hooks = NO_HOOKS


_CALLER: ContextVar[Caller | None] = ContextVar("trialsync_caller", default=None)


@contextmanager
def started_by(caller: Caller) -> Iterator[None]:
    """Flows started inside this block use the caller's settings and progress callbacks.

    Without a configured server, a temporary local one is started here, out of Ctrl-C's reach
    (`flows.temporary_server`); it gets the configured time to come up, and failing to start is
    one clear error rather than Prefect's traceback.
    """
    token = _CALLER.set(caller)
    startup = {
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: caller.settings.prefect_startup_timeout
    }
    try:
        with temporary_settings(updates=startup):
            start_temporary_server()
            yield
    except RuntimeError as err:
        if "Prefect API server" not in str(err):
            raise
        raise OrchestratorUnavailable(
            f"{err} Set PREFECT_API_URL to a running Prefect server, raise "
            "TRIALSYNC_PREFECT_STARTUP_TIMEOUT, or run without Prefect: "
            "TRIALSYNC_ORCHESTRATION=plain"
        ) from err
    finally:
        _CALLER.reset(token)


def _is_outage(_task: object, _run: object, state: Any) -> bool:
    """Retry condition: worth another try later (an outage, an I/O error), not a bad request."""
    try:
        state.result()
    except ApiUnreachable:
        return False  # offline: say so at once (the client already tried a few times)
    except (ApiUnavailable, MirrorError, OSError):
        return True
    except Exception:  # noqa: BLE001 - anything else (a 400, the publishing gate) is not transient
        return False
    return False


@task(name="api-call", cache_policy=NO_CACHE)
def api_call(call: Callable[[], T]) -> T:
    """One API request, with the client's retries inside and the task's retries outside."""
    return call()


@task(name="step", cache_policy=NO_CACHE)
def run_step(work: Callable[[], T]) -> T:
    """One step of a run."""
    return work()


class PrefectRateLimit:
    """The client's limiter, backed by a Prefect global rate limit shared by every process."""

    def __init__(self, name: str) -> None:
        self.name = name

    def wait(self) -> float:
        """Take one slot of the rate limit (blocks until the limit's decay frees one)."""
        start = time.monotonic()
        rate_limit(self.name, occupy=1, strict=True)
        return time.monotonic() - start


class TaskRunner:
    """Runs API calls and run steps as Prefect tasks with this deployment's retry settings."""

    def __init__(self, settings: Settings) -> None:
        retry: dict[str, Any] = {
            "retries": settings.task_retries,
            "retry_delay_seconds": exponential_backoff(backoff_factor=settings.task_retry_delay),
            "retry_jitter_factor": 0.5,
            "retry_condition_fn": _is_outage,
        }
        self._api = api_call.with_options(**retry)
        self._io_step = run_step.with_options(**retry)

    def call(self, what: str, call: Callable[[], T]) -> T:
        """Run one API call as a task named after the request."""
        result: T = self._api.with_options(task_run_name=what)(call)
        return result

    def stage(self, name: str, work: Callable[[], T], *, io: bool = False) -> T:
        """Run one step as a task; I/O steps get retries."""
        step = self._io_step if io else run_step
        result: T = step.with_options(name=name, task_run_name=name)(work)
        return result


def ensure_rate_limit(settings: Settings) -> None:
    """Create the API rate limit on the server if it is missing (one slot, decaying at the rate)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(settings.api_rate_limit_name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(
                    name=settings.api_rate_limit_name,
                    limit=1,
                    slot_decay_per_second=settings.requests_per_second,
                )
            )


def api_client(settings: Settings, runner: TaskRunner) -> CtgovClient:
    """The API client for a flow run: calls as tasks, and the shared rate limit when possible."""
    limiter = None
    if server_configured():
        ensure_rate_limit(settings)
        limiter = PrefectRateLimit(settings.api_rate_limit_name)
    return CtgovClient.from_settings(settings, limiter=limiter, around_call=runner.call)


def record_outcome(con: duckdb.DuckDBPyConnection, report: RunReport) -> None:
    """Artifacts and events of a finished run (never fails the run it describes)."""
    try:
        events = state.run_events(con, report.run_id, INTERESTING)
        rows = status_change_rows(events)
        key = report.command.replace("_", "-")
        create_markdown_artifact(
            key=f"{key}-report",
            markdown=report_markdown(report, rows),
            description=f"trialsync {report.command} run {report.run_id}",
        )
        create_table_artifact(
            key=f"{key}-status-changes",
            table=rows,
            description=f"Overall status changes seen by run {report.run_id}",
        )
        for item in [*study_events(report.run_id, events), run_event(report)]:
            emit_event(event=item.event, resource=item.resource, payload=item.payload)
    except Exception:  # noqa: BLE001 - the run's own outcome matters more than its report
        log.exception("could not record the artifacts and events of run %s", report.run_id)


def _settings(data_dir: str | None, api_url: str | None) -> Settings:
    """The caller's settings (or the environment's), with the flow's parameters on top."""
    caller = _CALLER.get()
    base = caller.settings if caller else Settings()
    overrides: dict[str, Any] = {}
    if data_dir:
        overrides["data_dir"] = Path(data_dir)
    if api_url:
        overrides["api_url"] = api_url.rstrip("/")
    return base.model_copy(update=overrides)


def _hooks(runner: TaskRunner) -> Hooks:
    caller = _CALLER.get()
    hooks = caller.hooks if caller else NO_HOOKS
    return replace(hooks, stage=runner.stage, finished=record_outcome)


@contextmanager
def _flow_run(
    data_dir: str | None, api_url: str | None
) -> Iterator[tuple[Settings, CtgovClient, Hooks]]:
    """What every API flow starts with: its settings, a task-running client, its hooks."""
    settings = _settings(data_dir, api_url)
    runner = TaskRunner(settings)
    with api_client(settings, runner) as client:
        yield settings, client, _hooks(runner)


@flow(name="sync", description="Incremental sync from the ClinicalTrials.gov API, then publish.")
def sync_flow(
    scope: Scope | None = None,
    publish: bool = True,
    data_dir: str | None = None,
    api_url: str | None = None,
) -> RunReport:
    """Fetch the incremental window, land, load, detect changes, summarize and publish."""
    with _flow_run(data_dir, api_url) as (settings, client, hooks):
        return run_sync(settings, scope or Scope(), client=client, hooks=hooks, publish=publish)


@flow(name="load-bulk", description="Load the official full-registry ZIP, then publish.")
def load_bulk_flow(
    path: str | None = None,
    publish: bool = True,
    data_dir: str | None = None,
    api_url: str | None = None,
) -> RunReport:
    """Load a ZIP on disk, or download the current one (resumably) and load it."""
    zip_path = Path(path) if path else None
    with _flow_run(data_dir, api_url) as (settings, client, hooks):
        return run_load_bulk(settings, zip_path, client=client, hooks=hooks, publish=publish)


@flow(name="reconcile", description="Find removed, merged and missed studies, then publish.")
def reconcile_flow(
    slice_size: int | None = None,
    publish: bool = True,
    data_dir: str | None = None,
    api_url: str | None = None,
) -> RunReport:
    """List every id in scope, compare with the warehouse, and re-fetch what disagrees."""
    with _flow_run(data_dir, api_url) as (settings, client, hooks):
        return run_reconcile(
            settings, client=client, hooks=hooks, slice_size=slice_size, publish=publish
        )


@flow(name="publish", description="Publish the warehouse as it is, through the gate.")
def publish_flow(force: bool = False, data_dir: str | None = None) -> RunReport:
    """Republish without fetching (after a refused or failed publication)."""
    settings = _settings(data_dir, None)
    return run_publish(settings, force=force, hooks=_hooks(TaskRunner(settings)))
