"""What every command shares: settings from options, logging, progress bars, clean error exits."""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import duckdb
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from flows.ctgov_client import ApiError
from flows.pipeline import Hooks
from flows.runs import RunReport
from flows.scopes import ScopeError
from flows.session import OrchestratorUnavailable
from flows.settings import Settings
from schemas.ids import InvalidNctId
from warehouse.bulk import BulkArchiveError
from warehouse.database import SchemaMismatch
from warehouse.lock import WarehouseBusy
from warehouse.object_store import MirrorError
from warehouse.publish import PublishError
from warehouse.raw import RawStoreError

log = logging.getLogger("trialsync")
console = Console(stderr=True)
out = Console()

ApiUrl = Annotated[
    str | None,
    typer.Option("--api-url", help="API base URL (default: TRIALSYNC_API_URL or the live API)."),
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder (default: TRIALSYNC_DATA_DIR or ./data)."),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")]

# Errors a user can act on: shown as one line, exit code 1, no traceback.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    ApiError,
    WarehouseBusy,
    SchemaMismatch,
    BulkArchiveError,
    PublishError,
    RawStoreError,
    ScopeError,
    InvalidNctId,
    OrchestratorUnavailable,
    MirrorError,
    OSError,
    duckdb.Error,
    ValidationError,
)

P = ParamSpec("P")
R = TypeVar("R")


def settings_for(
    api_url: str | None = None, data_dir: Path | None = None, **overrides: Any
) -> Settings:
    """The settings object with the command-line options applied on top of the environment."""
    values = {
        k: v
        for k, v in {"api_url": api_url, "data_dir": data_dir, **overrides}.items()
        if v is not None
    }
    return Settings(**values)


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr through rich; `--verbose` adds debug lines and Prefect's own messages.

    Prefect's records still reach its API handler (the UI); only the console leaves them out,
    since the run's report and a one-line error say what the user needs.
    """
    handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
    if not verbose:
        handler.addFilter(_not_prefect)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[handler],
        force=True,
    )
    for noisy in ("urllib3", "httpx", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _not_prefect(record: logging.LogRecord) -> bool:
    return not record.name.startswith("prefect")


def run_configured(
    settings: Settings,
    verbose: bool,
    plain: Callable[[Hooks], RunReport],
    flow_name: str,
    **flow_params: Any,
) -> RunReport:
    """Run a command as its Prefect flow (`TRIALSYNC_ORCHESTRATION=prefect`) or as plain calls.

    Both run the same work with the same progress display; the flow adds task retries,
    artifacts and events.
    """
    with progress_hooks() as hooks:
        if settings.orchestration == "plain":
            return plain(hooks)
        from flows import orchestration  # imports Prefect (~1 s): only when it is used

        configure_logging(verbose)  # Prefect sets up logging on import; ours again on top
        with orchestration.started_by(orchestration.Caller(settings, hooks)):
            report: RunReport = getattr(orchestration, flow_name)(**flow_params)
        return report


INTERRUPTED = "interrupted; everything committed so far is kept, re-run to finish"
# What DuckDB's Python client raises in place of KeyboardInterrupt when Ctrl-C comes during a query.
DUCKDB_INTERRUPTED = "Query interrupted"


def exits_cleanly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn an expected failure into `error: <one line>` and exit code 1 (no traceback)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except EXPECTED_ERRORS as err:
            fail(_one_line(err))
        except KeyboardInterrupt:
            fail(INTERRUPTED)
        except RuntimeError as err:
            if str(err) != DUCKDB_INTERRUPTED:
                raise
            fail(INTERRUPTED)
        raise AssertionError("unreachable")

    return wrapper


def fail(message: str) -> None:
    """Print one error line and exit 1."""
    log.debug("failure", exc_info=True)
    # The message can quote user input or registry text: never read it as rich markup.
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _one_line(err: BaseException) -> str:
    storage = _storage_failure(err)
    if storage is not None:
        (what, todo), cause = storage
        return f"{what}: {_flat(str(cause) or type(cause).__name__)}; {todo}"
    text = str(err).strip() or type(err).__name__
    if isinstance(err, ValidationError):
        first = err.errors()[0]
        text = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return _flat(text)


def _flat(text: str) -> str:
    return " ".join(text.split())


# Storage refusing a write, as the OS (errno) or DuckDB (text) says it: what it means, what to do.
_DISK_FULL = (
    "out of disk space (or over a file-size limit)",
    "free some space and run the command again; everything committed so far is kept",
)
_NO_ACCESS = (
    "storage refused access (read-only, or no permission)",
    "check that the data folder is writable by this user, or choose another with --data-dir",
)
_NOT_A_FOLDER = (
    "a path that must be a folder is not one",
    "choose another folder with --data-dir",
)
_STORAGE_ERRNOS = {
    **dict.fromkeys((errno.ENOSPC, errno.EFBIG, errno.EDQUOT), _DISK_FULL),
    **dict.fromkeys((errno.EROFS, errno.EACCES, errno.EPERM), _NO_ACCESS),
    errno.ENOTDIR: _NOT_A_FOLDER,
}
_STORAGE_TEXTS = {
    "No space left on device": _DISK_FULL,
    "File too large": _DISK_FULL,
    "Disk quota exceeded": _DISK_FULL,
    "Read-only file system": _NO_ACCESS,
    "Permission denied": _NO_ACCESS,
}


def _storage_failure(err: BaseException) -> tuple[tuple[str, str], BaseException] | None:
    """The first storage failure behind `err`, if storage is why it failed.

    A refused write is usually followed by a refused attempt to record the failure, which is then
    the error raised; the cause shown is the innermost one, where the work stopped.
    """
    found: tuple[tuple[str, str], BaseException] | None = None
    seen: set[int] = set()
    chain: BaseException | None = err
    while chain is not None and id(chain) not in seen:
        seen.add(id(chain))
        if isinstance(chain, OSError) and chain.errno in _STORAGE_ERRNOS:
            found = (_STORAGE_ERRNOS[chain.errno], chain)
        elif isinstance(chain, duckdb.Error | OSError):
            for text, meaning in _STORAGE_TEXTS.items():
                if text in str(chain):
                    found = (meaning, chain)
        chain = chain.__cause__ or chain.__context__
    return found


@contextmanager
def progress_hooks(enabled: bool = True) -> Iterator[Hooks]:
    """A live progress display (pages, studies, rate) feeding the pipeline's hooks."""
    if not enabled or not console.is_terminal:
        yield Hooks(pages=_log_progress("pages"), bulk=_log_progress("bulk batches"))
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} {task.fields[unit]}"),
        TextColumn("{task.fields[studies]:,} studies"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def hook(name: str, unit: str) -> Callable[[int, int], None]:
            def advance(units: int, studies: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=None, unit=unit, studies=0, rate="")
                task = bar.tasks[tasks[name]]
                total = task.fields["studies"] + studies
                elapsed = task.elapsed or 1e-9
                bar.update(
                    tasks[name], advance=units, studies=total, rate=f"{total / elapsed:,.0f}/s"
                )

            return advance

        download = bar.add_task("download", total=None, visible=False, unit="", studies=0, rate="")

        def on_download(done: int, total: int | None) -> None:
            bar.update(download, completed=done, total=total, visible=True)

        _ = DownloadColumn
        yield Hooks(
            pages=hook("fetch", "pages"), bulk=hook("bulk load", "batches"), download=on_download
        )


def _log_progress(unit: str) -> Callable[[int, int], None]:
    state = {"units": 0, "studies": 0}

    def advance(units: int, studies: int) -> None:
        state["units"] += units
        state["studies"] += studies
        if state["units"] % 50 == 0:
            log.info("%s %s, %s studies", f"{state['units']:,}", unit, f"{state['studies']:,}")

    return advance


def print_report(report: RunReport) -> None:
    """The end-of-run summary on stdout."""
    data = report.as_dict()
    loaded = data["loaded"]
    # The scope quotes the user's options, notes and paths can hold anything: never markup.
    out.print(
        f"[bold]{report.command}[/] {report.run_id}: [green]{report.status}[/] "
        f"({escape(report.scope)})"
    )
    out.print(
        f"  fetched {report.fetched:,} studies in {report.pages:,} pages"
        + (" (bootstrapped from the bulk ZIP)" if report.bootstrapped_from_bulk else "")
        + (
            f"; loaded {report.recovered_pages} page(s) left by an interrupted run"
            if report.recovered_pages
            else ""
        )
    )
    out.print(
        "  new studies {add:,} · new versions {new_version:,} · refreshed {refresh:,} · "
        "unchanged {unchanged:,} · older than stored {stale:,}".format(
            **{k: loaded.get(k, 0) for k in ("add", "new_version", "refresh", "unchanged", "stale")}
        )
    )
    if data["quarantined"]:
        out.print(
            f"  [yellow]quarantined {data['quarantined']:,} unusable record(s)[/] "
            "(trialsync status)"
        )
    if data["events"]:
        events = ", ".join(f"{k} {v:,}" for k, v in sorted(data["events"].items()))
        out.print(f"  change events: {events}")
    alerts = report.drift_alerts
    if alerts:
        out.print(f"  [bold yellow]schema drift: {len(alerts)} path(s)[/] (trialsync status)")
        for alert in alerts:
            out.print(
                f"    [yellow]{alert.kind}[/] {escape(alert.path)} ({alert.occurrences:,}×)",
                highlight=False,
                soft_wrap=True,
            )
    for note in report.notes:
        out.print(f"  note: {escape(note)}")
    if report.published:
        out.print(f"  published: {escape(report.published)}")
    total = sum(report.timings.values())
    out.print(
        f"  took {total:,.1f} s ({', '.join(f'{k} {v:.1f}s' for k, v in report.timings.items())})"
    )


def stdout_is_piped() -> bool:
    """True when stdout is not a terminal (scripts, CI)."""
    return not sys.stdout.isatty()
