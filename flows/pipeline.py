"""The commands' work as plain functions: sync, load-bulk, rebuild. Prefect flows wrap these.

Each command takes the writer lock, records its run, loads whatever a crashed run left landed,
does its own work, publishes, and records how it ended. Any failure leaves the warehouse at the
last committed batch and the previous publication in place.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.ctgov_client import CtgovClient
from flows.drift_checks import check_metadata
from flows.ingest import Progress, RunMeta, load_bulk_zip, load_page, recover, zip_data_timestamp
from flows.publishing import publish_warehouse
from flows.runs import RunReport, new_run_id, parse_timestamp, utcnow
from flows.scopes import Scope
from flows.settings import Settings
from schemas.tables import ALL_TABLES, ALL_VIEWS, schema_fingerprint
from warehouse import bulk, runs, state
from warehouse.database import connect, ensure_schema
from warehouse.lock import WriterLock
from warehouse.raw import PendingPage, RawStore, RunLanding

log = logging.getLogger(__name__)

DB_NAME = "trialsync.duckdb"


@dataclass(frozen=True)
class Hooks:
    """Optional callbacks a caller (CLI progress bar, Prefect task) plugs in."""

    pages: Progress | None = None  # (pages, studies) fetched and loaded
    bulk: Progress | None = None  # (batches, studies) loaded from a bulk ZIP
    download: Callable[[int, int | None], None] | None = None  # (bytes so far, total)


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
    )
    try:
        ensure_schema(con, ALL_TABLES, schema_fingerprint(), ALL_VIEWS)
        yield con
    finally:
        con.close()


@contextmanager
def run_context(
    settings: Settings, command: str, scope: str, params: dict[str, object], *, publish: bool
) -> Iterator[tuple[duckdb.DuckDBPyConnection, RawStore, RunReport]]:
    """Lock, open, record the run, recover leftovers; on exit publish and record the end."""
    with WriterLock(settings.data_dir, command), open_warehouse(settings) as con:
        report = RunReport(new_run_id(), command, scope)
        runs.start_run(
            con,
            run_id=report.run_id,
            command=command,
            scope_key=None,
            params=params,
            started_at=report.started_at,
        )
        raw = RawStore(settings.data_dir / "raw")
        step = "recover"
        try:
            with report.timed("recover"):
                report.recovered_pages = recover(con, raw, report)
            step = command
            yield con, raw, report
            if publish:
                step = "publish"
                with report.timed("publish"):
                    publish_warehouse(con, settings, report)
            report.status = "succeeded"
        except BaseException as err:
            report.status = "failed"
            report.error = f"{step}: {type(err).__name__}: {err}"
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


def run_sync(
    settings: Settings,
    scope: Scope,
    *,
    client: CtgovClient | None = None,
    hooks: Hooks = Hooks(),
    publish: bool = True,
) -> RunReport:
    """An incremental (or `--full`, `--since`, scoped) sync from the API into the warehouse."""
    params = {"scope": scope.model_dump(mode="json")}
    with run_context(settings, "sync", scope.describe(), params, publish=publish) as (
        con,
        raw,
        report,
    ):
        api = client or CtgovClient.from_settings(settings)
        version = api.version()
        report.data_timestamp_start = parse_timestamp(version.data_timestamp)
        landing_id = report.run_id
        if _should_bootstrap(settings, scope, con):
            # Two landing parts, replayed in this order by recovery and rebuild: the ZIP, then pages.
            with report.timed("bootstrap"):
                _bootstrap(con, raw, api, settings, report, hooks, f"{report.run_id}.0")
            landing_id = f"{report.run_id}.1"
        meta = _sync_meta(scope, emit_added=state.study_count(con) > 0)
        landing = raw.start_run(landing_id, meta.as_dict())
        with report.timed("fetch_and_load"):
            _walk(con, api, landing, meta, scope, version.data_timestamp, report, hooks)
        after = api.version()
        report.data_timestamp_end = parse_timestamp(after.data_timestamp)
        with report.timed("metadata_check"):
            # At most once a day: the API's field list vs the paths the model maps (AACT #925).
            every = dt.timedelta(hours=settings.metadata_check_hours)
            found = check_metadata(con, api, report.run_id, every=every)
            report.outcome.drift.update((d.path, d.kind) for d in found)
        if after.data_timestamp != version.data_timestamp:
            # The registry refreshed mid-walk: pages before and after the refresh may disagree,
            # so the window (from the cursor just committed) is walked once more.
            report.refreshed_during_run = True
            report.notes.append(
                f"data refreshed during the run ({version.data_timestamp} → {after.data_timestamp}); "
                "the window was fetched again"
            )
            log.warning("%s", report.notes[-1])
            with report.timed("fetch_and_load"):
                _walk(con, api, landing, meta, scope, after.data_timestamp, report, hooks)
    return report


def _sync_meta(scope: Scope, *, emit_added: bool) -> RunMeta:
    return RunMeta("sync", "api", scope.key, scope.model_dump_json(), emit_added)


def _should_bootstrap(settings: Settings, scope: Scope, con: duckdb.DuckDBPyConnection) -> bool:
    """A plain first sync of the whole registry starts from the bulk ZIP, not ~600 API pages."""
    default = not (scope.full or scope.since or scope.ids or scope.query)
    return (
        settings.bootstrap_from_bulk
        and default
        and state.cursor_date(con, scope.key) is None
        and state.study_count(con) == 0
    )


def _walk(
    con: duckdb.DuckDBPyConnection,
    api: CtgovClient,
    landing: RunLanding,
    meta: RunMeta,
    scope: Scope,
    data_timestamp: str,
    report: RunReport,
    hooks: Hooks,
) -> None:
    """Fetch the scope's window page by page; each page lands, then loads in one transaction."""
    window = scope.window_start(state.cursor_date(con, scope.key))
    params = scope.params(window)
    first_page = report.pages
    seen: set[str] = set()
    written: dict[int, tuple[PendingPage, dt.datetime]] = {}

    def land(page_no: int, body: bytes) -> None:
        # On disk before anything parses it; the manifest row follows with the client's count.
        written[page_no] = (landing.write_page(first_page + page_no, body), utcnow())

    for page in api.iter_pages(params, on_page=land):
        pending, fetched_at = written.pop(page.page_no)
        landed = landing.record_page(
            pending,
            data_timestamp=data_timestamp,
            fetched_at=fetched_at,
            scope_key=scope.key,
            params=params,
            study_count=len(page.studies),
        )
        ids = {n for n in map(_nct, page.studies) if n is not None}
        report.duplicates_in_run += len(ids & seen)
        seen |= ids
        report.outcome.add(load_page(con, landed, page.studies, meta))
        report.pages += 1
        report.fetched += len(page.studies)
        if hooks.pages:
            hooks.pages(1, len(page.studies))


def _nct(study: object) -> str | None:
    if isinstance(study, dict):
        ident = (study.get("protocolSection") or {}).get("identificationModule") or {}
        value = ident.get("nctId")
        return value if isinstance(value, str) else None
    return None


def _bootstrap(
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    api: CtgovClient,
    settings: Settings,
    report: RunReport,
    hooks: Hooks,
    landing_id: str,
) -> None:
    """Download (or resume downloading) the official ZIP, check it, land it and load it."""
    report.bootstrapped_from_bulk = True
    meta = RunMeta(
        "load-bulk", "bulk", Scope().key, Scope().model_dump_json(), False, settings.batch_size
    )
    landing = raw.start_run(landing_id, meta.as_dict())
    target = landing.bulk_target()
    version = api.version()
    log.info("empty warehouse: bootstrapping from the bulk download %s", settings.bulk_download_url)
    api.download_bulk(target, progress=hooks.download)
    info = bulk.verify_zip(target)
    landed = landing.record_bulk(
        target,
        study_count=info.study_entries,
        data_timestamp=version.data_timestamp,
        fetched_at=utcnow(),
    )
    load_bulk_zip(con, raw, landed, meta, report, hooks.bulk)


def run_load_bulk(
    settings: Settings,
    path: Path | None,
    *,
    client: CtgovClient | None = None,
    hooks: Hooks = Hooks(),
    publish: bool = True,
) -> RunReport:
    """Load the official full-registry ZIP: a given file, or a fresh `--download`."""
    params = {"path": str(path) if path else None, "download": path is None}
    with run_context(settings, "load-bulk", "bulk", params, publish=publish) as (con, raw, report):
        emit_added = state.study_count(con) > 0
        meta = RunMeta(
            "load-bulk",
            "bulk",
            Scope().key,
            Scope().model_dump_json(),
            emit_added,
            settings.batch_size,
        )
        landing = raw.start_run(report.run_id, meta.as_dict())
        target = landing.bulk_target()
        data_timestamp: str | None = None
        if path is None:
            api = client or CtgovClient.from_settings(settings)
            data_timestamp = api.version().data_timestamp
            api.download_bulk(target, progress=hooks.download)
        else:
            bulk.verify_zip(path)  # fail fast, before copying a bad file
            _copy_into_raw(path, target)
        info = bulk.verify_zip(target)
        stamp = data_timestamp or _iso(zip_data_timestamp(target))
        report.data_timestamp_start = report.data_timestamp_end = parse_timestamp(stamp)
        landed = landing.record_bulk(
            target, study_count=info.study_entries, data_timestamp=stamp, fetched_at=utcnow()
        )
        with report.timed("load"):
            load_bulk_zip(con, raw, landed, meta, report, hooks.bulk)
    return report


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None  # type: ignore[no-any-return]


def _copy_into_raw(source: Path, target: Path) -> None:
    """Keep the user's ZIP with the run (a hard link when on the same filesystem)."""
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.unlink(missing_ok=True)
        tmp.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, tmp)
    tmp.replace(target)


def _carry_run_history(con: duckdb.DuckDBPyConnection, old_db: Path) -> None:
    """Keep pipeline.runs of the database being replaced (the raw pages hold everything else)."""
    if not old_db.exists():
        return
    con.execute("ATTACH ? AS old (READ_ONLY)", [str(old_db)])
    try:
        con.execute("INSERT OR IGNORE INTO pipeline.runs SELECT * FROM old.pipeline.runs")
    except duckdb.Error as err:  # an old database from other declarations: history is optional
        log.warning("could not carry the run history over: %s", err)
    finally:
        con.execute("DETACH old")


def run_rebuild(settings: Settings, *, hooks: Hooks = Hooks(), publish: bool = True) -> RunReport:
    """Re-create the working database from the landed raw pages alone (no network).

    The new database is built aside and swapped in only when complete, so a failed rebuild
    leaves the old one untouched.
    """
    final = settings.data_dir / DB_NAME
    aside = settings.data_dir / f".{DB_NAME}.rebuild"
    for leftover in (aside, aside.with_name(aside.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with WriterLock(settings.data_dir, "rebuild"):
        report = RunReport(new_run_id(), "rebuild", "all landed runs")
        with open_warehouse(settings, aside) as con:
            _carry_run_history(con, final)
            with report.timed("replay"):
                report.recovered_pages = recover(
                    con, RawStore(settings.data_dir / "raw"), report, progress=hooks.pages
                )
            con.execute("CHECKPOINT")
        aside.replace(final)
        final.with_name(final.name + ".wal").unlink(missing_ok=True)
    if publish:
        with WriterLock(settings.data_dir, "rebuild"), open_warehouse(settings) as con:
            publish_warehouse(con, settings, report)
    report.status = "succeeded"
    report.finished_at = utcnow()
    return report
