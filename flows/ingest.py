"""Getting studies into the warehouse: API pages, bulk ZIP batches, and pages a crash left behind.

Every path lands first and loads second. A landed page or bulk batch is marked in pipeline.pages in
the same transaction as its studies, so after a crash `recover` knows exactly what is still to load.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from flows.entries import entries_digest, parse_entries
from flows.loading import CursorTarget, LoadOutcome, load_records, parse_page
from flows.runs import RunReport, parse_timestamp, utcnow
from schemas.tables.pipeline import PAGES
from transforms.arrow_tables import arrow_table
from transforms.normalize import gc_paused
from transforms.screening import UNPARSABLE_KEY
from transforms.versions import LoadContext
from warehouse import bulk, state
from warehouse.raw import LandedPage, RawStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (units done in this step, studies in this step)
# Loads one landed bulk ZIP: `load_bulk_zip`, or `flows.zip_loading.zip_loader`'s choice.
BulkLoad = Callable[
    [duckdb.DuckDBPyConnection, RawStore, LandedPage, "RunMeta", RunReport, Progress | None], None
]


@dataclass(frozen=True)
class RunMeta:
    """What a run's raw folder says about it (`run.json`): enough to reload it identically."""

    command: str
    source: str  # 'api' | 'bulk'
    scope_key: str
    scope_json: str
    emit_added: bool
    batch_size: int = 1000

    def as_dict(self) -> dict[str, Any]:
        """For `run.json`."""
        return {
            "command": self.command,
            "source": self.source,
            "scope_key": self.scope_key,
            "scope_json": self.scope_json,
            "emit_added": self.emit_added,
            "batch_size": self.batch_size,
        }

    @classmethod
    def from_dict(cls, meta: Mapping[str, Any]) -> RunMeta:
        """From `run.json`."""
        return cls(
            command=str(meta.get("command", "sync")),
            source=str(meta.get("source", "api")),
            scope_key=str(meta.get("scope_key", "")),
            scope_json=str(meta.get("scope_json", "{}")),
            emit_added=bool(meta.get("emit_added", True)),
            batch_size=int(meta.get("batch_size", 1000)),
        )


def page_rows(
    landed: LandedPage,
    *,
    page_no: int | None = None,
    sha256: str | None = None,
    study_count: int | None = None,
) -> pa.Table:
    """The pipeline.pages row marking a landed page (or bulk batch) as committed."""
    table, issues = arrow_table(
        PAGES,
        [
            {
                "run_id": landed.run_id,
                "page_no": landed.page_no if page_no is None else page_no,
                "scope_key": landed.scope_key,
                "path": landed.path,
                "study_count": landed.study_count if study_count is None else study_count,
                "sha256": landed.sha256 if sha256 is None else sha256,
                "fetched_at": parse_timestamp(landed.fetched_at),
                "data_timestamp": parse_timestamp(landed.data_timestamp),
                "loaded_at": utcnow(),
            }
        ],
    )
    assert not issues, issues
    return table


def run_of(landing_id: str) -> str:
    """The run a landing folder belongs to: a run may land in parts `<run_id>.<n>` (ZIP, pages)."""
    return landing_id.split(".", 1)[0]


def load_page(
    con: duckdb.DuckDBPyConnection,
    landed: LandedPage,
    studies: list[Any],
    meta: RunMeta,
) -> LoadOutcome:
    """Load one landed API page's studies and mark the page, in one transaction."""
    ctx = LoadContext(
        run_id=run_of(landed.run_id),
        source="reconcile" if meta.command == "reconcile" else "api",
        data_timestamp=parse_timestamp(landed.data_timestamp),
        fetched_at=parse_timestamp(landed.fetched_at) or utcnow(),
    )
    cursor = CursorTarget(meta.scope_key, meta.scope_json) if meta.command == "sync" else None
    return load_records(
        con,
        studies,
        ctx,
        cursor=cursor,
        pages=page_rows(landed),
        page_ref=landed.path,
        emit_added=meta.emit_added,
    )


def load_bulk_zip(
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    landed: LandedPage,
    meta: RunMeta,
    report: RunReport,
    progress: Progress | None = None,
) -> None:
    """Load a landed bulk ZIP batch by batch, skipping batches already committed.

    The default scope's cursor is set last: the ZIP is not sorted, so the cursor moves only once it
    is all in.
    """
    path = raw.resolve(landed)
    done = {page for run, page in state.loaded_pages(con) if run == landed.run_id}
    batches = bulk.bulk_batch_count(landed.study_count, meta.batch_size)
    if done >= set(range(1, batches + 1)):
        return  # everything committed (and the cursor set) when this ZIP was loaded
    ctx = LoadContext(
        run_id=run_of(landed.run_id),
        source="bulk",
        data_timestamp=parse_timestamp(landed.data_timestamp),
        fetched_at=parse_timestamp(landed.fetched_at) or utcnow(),
    )
    batches_in = bulk.iter_bulk_studies(path, meta.batch_size, skip=done)
    for number, batch in enumerate(batches_in, start=1):
        if number in done:
            continue
        outcome = _load_entries(con, landed, number, batch, ctx, meta)
        report.outcome.add(outcome)
        report.fetched += len(batch)
        if progress:
            progress(1, len(batch))
    _advance_cursor_to_warehouse_max(con, meta, run_of(landed.run_id))


@gc_paused()  # for the records' whole life: they are freed as this returns
def _load_entries(
    con: duckdb.DuckDBPyConnection,
    landed: LandedPage,
    number: int,
    batch: list[tuple[str, bytes]],
    ctx: LoadContext,
    meta: RunMeta,
) -> LoadOutcome:
    """Parse and load batch `number` of a landed bulk ZIP."""
    return load_records(
        con,
        parse_entries(batch),
        ctx,
        pages=page_rows(
            landed, page_no=number, sha256=entries_digest(batch), study_count=len(batch)
        ),
        page_ref=f"{landed.path}#batch-{number}",
        emit_added=meta.emit_added,
    )


def _advance_cursor_to_warehouse_max(
    con: duckdb.DuckDBPyConnection, meta: RunMeta, run_id: str
) -> None:
    con.execute(
        "INSERT INTO pipeline.cursors (scope_key, scope, cursor_date, run_id) "
        "SELECT ?, ?, max(last_update_post_date), ? FROM history.study_state "
        "HAVING max(last_update_post_date) IS NOT NULL "
        "ON CONFLICT (scope_key) DO UPDATE SET "
        "cursor_date = greatest(cursors.cursor_date, excluded.cursor_date), "
        "run_id = excluded.run_id",
        [meta.scope_key, meta.scope_json, run_id],
    )


def recover(
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    report: RunReport,
    *,
    runs: Iterable[str] | None = None,
    progress: Progress | None = None,
    load_bulk: BulkLoad = load_bulk_zip,
) -> int:
    """Load everything landed but not yet committed (all of it, for a rebuild), in landing order.

    Bulk ZIPs go through `load_bulk` (by default in this process). Returns the number of pages
    (and bulk ZIPs) loaded.
    """
    done = state.loaded_pages(con)
    wanted = set(runs) if runs is not None else None
    loaded = 0
    for run in raw.iter_runs():
        if wanted is not None and run.run_id not in wanted:
            continue
        meta = RunMeta.from_dict(run.meta)
        _adopt_unrecorded(raw, run.run_id, run.meta, meta)
        for landed in raw.iter_landed(run.run_id):
            if landed.kind == "bulk":
                before = report.fetched
                load_bulk(con, raw, landed, meta, report, progress)
                loaded += 1 if report.fetched > before else 0
            elif (landed.run_id, landed.page_no) not in done:
                outcome, count = _load_landed_page(con, raw, landed, meta)
                report.outcome.add(outcome)
                report.fetched += count
                loaded += 1
                if progress:
                    progress(1, count)
    if loaded:
        log.info("loaded %d landed page(s) or batch(es) that were not yet committed", loaded)
    return loaded


@gc_paused()  # for the studies' whole life: they are freed as this returns
def _load_landed_page(
    con: duckdb.DuckDBPyConnection, raw: RawStore, landed: LandedPage, meta: RunMeta
) -> tuple[LoadOutcome, int]:
    """Load a landed page from disk; returns the outcome and the number of studies it held."""
    studies = _landed_studies(raw, landed)
    return load_page(con, landed, studies, meta), len(studies)


def _landed_studies(raw: RawStore, landed: LandedPage) -> list[Any]:
    """A landed page's studies; a body that is not a page becomes one record to quarantine.

    The client lands a page before parsing it, so a 200 answer that only looked like a page (a
    proxy's cut-off body) can be on disk. Quarantined with its text and marked loaded, it cannot
    stop every later run's recovery; its studies are fetched again, since the cursor never moved.
    """
    body = raw.read_page(landed)
    try:
        return parse_page(body)
    except ValueError as err:  # orjson.JSONDecodeError is a ValueError too
        return [
            {
                UNPARSABLE_KEY: f"landed page {landed.path}",
                "error": str(err),
                "text": body[:100_000].decode("utf-8", "replace"),
            }
        ]


def _adopt_unrecorded(
    raw: RawStore, run_id: str, run_meta: Mapping[str, Any], meta: RunMeta
) -> None:
    """Give a manifest row to page files a crash left between writing and recording them."""
    if meta.source != "api" or not raw.unrecorded_pages(run_id):
        return
    rows = list(raw.iter_landed(run_id))
    landing = raw.start_run(run_id, run_meta)
    landing.adopt_unrecorded(
        data_timestamp=rows[0].data_timestamp if rows else None,
        scope_key=meta.scope_key,
        params=rows[0].params if rows else {},
    )


def zip_data_timestamp(path: Path) -> dt.datetime | None:
    """For a ZIP without an API dataTimestamp: the newest entry time, as the export time."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        stamps = [dt.datetime(*info.date_time) for info in archive.infolist()]
    return max(stamps) if stamps else None
