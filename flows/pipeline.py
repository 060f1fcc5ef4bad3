"""The commands' work as plain functions: sync, load-bulk, rebuild, summarize.

The Prefect flows (flows/orchestration.py) call these same functions; `flows/session.py` holds
what every run shares (lock, run record, recovery, summaries, publication).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.ctgov_client import CtgovClient
from flows.drift_checks import check_metadata
from flows.ingest import RunMeta, load_page, recover, zip_data_timestamp
from flows.publishing import publish_warehouse
from flows.runs import RunReport, new_run_id, parse_timestamp, utcnow
from flows.scopes import Scope
from flows.session import (
    DB_NAME,
    NO_HOOKS,
    Hooks,
    RunSteps,
    open_warehouse,
    recorded_run,
    run_context,
    summarize_changed,
)
from flows.settings import Settings
from flows.summarizing import SummarizeResult, llm_backend_from_settings, summarize_studies
from flows.zip_loading import load_zip, zip_loader
from warehouse import bulk, state
from warehouse.database import fetch_one
from warehouse.lock import WriterLock
from warehouse.publish import PublishError
from warehouse.raw import PendingPage, RawStore, RunLanding

__all__ = [
    "DB_NAME",
    "Hooks",
    "open_warehouse",
    "run_load_bulk",
    "run_publish",
    "run_rebuild",
    "run_summarize",
    "run_sync",
]

log = logging.getLogger(__name__)


def run_sync(
    settings: Settings,
    scope: Scope,
    *,
    client: CtgovClient | None = None,
    hooks: Hooks = NO_HOOKS,
    publish: bool = True,
) -> RunReport:
    """An incremental (or `--full`, `--since`, scoped) sync from the API into the warehouse."""
    params = {"scope": scope.model_dump(mode="json")}
    context = run_context(settings, "sync", scope.describe(), params, publish=publish, hooks=hooks)
    with context as (con, raw, report, steps):
        api = client or CtgovClient.from_settings(settings)
        version = api.version()
        report.data_timestamp_start = parse_timestamp(version.data_timestamp)
        landing_id = report.run_id
        if _should_bootstrap(settings, scope, con):
            # Two landing parts, replayed in this order by recovery and rebuild:
            # the ZIP, then pages.
            steps.run(
                "bootstrap",
                lambda: _bootstrap(con, raw, api, settings, report, hooks, f"{report.run_id}.0"),
            )
            landing_id = f"{report.run_id}.1"
        meta = _sync_meta(scope, emit_added=state.has_loaded_before(con))
        landing = raw.start_run(landing_id, meta.as_dict())
        walk = Walk(con, api, landing, meta, scope, report, hooks)
        steps.run("fetch_and_load", lambda: walk.run(version.data_timestamp))
        after = api.version()
        report.data_timestamp_end = parse_timestamp(after.data_timestamp)
        steps.run("metadata_check", lambda: _check_metadata(con, api, settings, report))
        if after.data_timestamp != version.data_timestamp:
            # The registry refreshed mid-walk: pages before and after the refresh may disagree,
            # so the window (from the cursor just committed) is walked once more.
            report.refreshed_during_run = True
            report.notes.append(
                f"data refreshed during the run ({version.data_timestamp} → "
                f"{after.data_timestamp}); the window was fetched again"
            )
            log.warning("%s", report.notes[-1])
            steps.run("fetch_and_load", lambda: walk.run(after.data_timestamp))
    return report


def _check_metadata(
    con: duckdb.DuckDBPyConnection, api: CtgovClient, settings: Settings, report: RunReport
) -> None:
    """At most once a day: the API's field list vs the paths the model maps (AACT #925)."""
    every = dt.timedelta(hours=settings.metadata_check_hours)
    found = check_metadata(con, api, report.run_id, every=every)
    report.outcome.drift.update((d.path, d.kind) for d in found)


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


@dataclass
class Walk:
    """Fetch a scope's window page by page; each page lands, then loads in one transaction."""

    con: duckdb.DuckDBPyConnection
    api: CtgovClient
    landing: RunLanding
    meta: RunMeta
    scope: Scope
    report: RunReport
    hooks: Hooks

    def run(self, data_timestamp: str) -> None:
        """One walk of the window that starts at the committed cursor."""
        con, report, scope = self.con, self.report, self.scope
        window = scope.window_start(state.cursor_date(con, scope.key))
        params = scope.params(window)
        first_page = report.pages
        seen: set[str] = set()
        written: dict[int, tuple[PendingPage, dt.datetime]] = {}

        def land(page_no: int, body: bytes) -> None:
            # On disk before anything parses it; the manifest row follows with the client's count.
            written[page_no] = (self.landing.write_page(first_page + page_no, body), utcnow())

        for page in self.api.iter_pages(params, on_page=land):
            pending, fetched_at = written.pop(page.page_no)
            landed = self.landing.record_page(
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
            report.outcome.add(load_page(con, landed, page.studies, self.meta))
            report.pages += 1
            report.fetched += len(page.studies)
            if self.hooks.pages:
                self.hooks.pages(1, len(page.studies))


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
    load_zip(settings, con, raw, landed, meta, report, hooks.bulk)


def run_load_bulk(
    settings: Settings,
    path: Path | None,
    *,
    client: CtgovClient | None = None,
    hooks: Hooks = NO_HOOKS,
    publish: bool = True,
) -> RunReport:
    """Load the official full-registry ZIP: a given file, or a fresh `--download`."""
    params = {"path": str(path) if path else None, "download": path is None}
    context = run_context(settings, "load-bulk", "bulk", params, publish=publish, hooks=hooks)
    with context as (con, raw, report, steps):
        emit_added = state.has_loaded_before(con)
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
        steps.run("load", lambda: load_zip(settings, con, raw, landed, meta, report, hooks.bulk))
    return report


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


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


def run_rebuild(settings: Settings, *, hooks: Hooks = NO_HOOKS, publish: bool = True) -> RunReport:
    """Re-create the working database from the landed raw pages alone (no network).

    The new database is built aside and swapped in only when complete, so a failed rebuild
    leaves the old one untouched.
    """
    final = settings.data_dir / DB_NAME
    aside = settings.data_dir / f".{DB_NAME}.rebuild"
    with WriterLock(settings.data_dir, "rebuild"):
        # Only under the lock: a refused second rebuild must not delete the running one's work.
        for leftover in (aside, aside.with_name(aside.name + ".wal")):
            leftover.unlink(missing_ok=True)
        report = RunReport(new_run_id(), "rebuild", "all landed runs")
        with open_warehouse(settings, aside) as con:
            _carry_run_history(con, final)
            with report.timed("replay"):
                report.recovered_pages = recover(
                    con,
                    RawStore(settings.data_dir / "raw"),
                    report,
                    progress=hooks.pages,
                    load_bulk=zip_loader(settings),
                )
            if settings.summarize_in_runs:
                with report.timed("summarize"):
                    summarize_changed(con, settings, report)
            con.execute("CHECKPOINT")
        aside.replace(final)
        final.with_name(final.name + ".wal").unlink(missing_ok=True)
    if publish:
        with WriterLock(settings.data_dir, "rebuild"), open_warehouse(settings) as con:
            publish_warehouse(con, settings, report)
    report.status = "succeeded"
    report.finished_at = utcnow()
    return report


def run_summarize(
    settings: Settings, nct_ids: list[str] | None, *, force: bool, publish: bool = True
) -> tuple[RunReport, SummarizeResult]:
    """The `summarize` command: lock, regenerate, publish, and record the run in pipeline.runs."""
    backend = llm_backend_from_settings(settings)
    with WriterLock(settings.data_dir, "summarize"), open_warehouse(settings) as con:
        report = RunReport(new_run_id(), "summarize", "summaries")
        steps = RunSteps(report, NO_HOOKS)
        with recorded_run(con, report, {"nct_ids": nct_ids, "force": force}):
            try:
                result = steps.run(
                    "summarize",
                    lambda: summarize_studies(
                        con,
                        nct_ids,
                        generated_on=report.started_at.date(),
                        backend=backend,
                        force=force,
                    ),
                )
                report.summaries = result.as_dict()
                if publish:
                    steps.run("publish", lambda: publish_warehouse(con, settings, report))
            except BaseException as err:
                steps.failed(err)
                raise
    return report, result


def run_publish(settings: Settings, *, force: bool = False, hooks: Hooks = NO_HOOKS) -> RunReport:
    """Publish the working database as it is (no fetching); recorded in pipeline.runs.

    Raises:
        GateFailed: when the publishing gate refuses and `force` is not set (the run is recorded
            as failed, the previous publication stays).
        PublishError: when the data folder has no warehouse yet.
    """
    if not (settings.data_dir / DB_NAME).exists():
        raise PublishError(
            f"nothing to publish: no warehouse in {settings.data_dir}; run `trialsync sync` first"
        )
    context = run_context(
        settings,
        "publish",
        "current warehouse",
        {"force": force},
        publish=True,
        force_publish=force,
        hooks=hooks,
    )
    with context as (con, _raw, report, _steps):
        newest = fetch_one(con, "SELECT max(data_timestamp) FROM history.study_state")
        report.data_timestamp_start = report.data_timestamp_end = newest[0] if newest else None
    return report
