"""What gets published, and publishing it: the declared tables as Parquet plus the analyst database.

Nothing is published unless the publishing gate (`warehouse.gate`) passes; an operator can
override it (`trialsync publish --force`), and the report then notes what was overridden.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import duckdb

from flows.runs import RunReport
from flows.settings import Settings
from schemas.table import Table
from schemas.tables import ALL_TABLES, ALL_VIEWS, CTGOV_TABLES, by_name, schema_fingerprint
from warehouse.analyst import analyst_statements
from warehouse.gate import GateFailed, gate_problems
from warehouse.object_store import mirror_snapshot
from warehouse.publish import (
    ExportSpec,
    PublishResult,
    current_manifest,
    current_snapshot,
    export_stats,
    publish,
)
from warehouse.summary_files import write_summary_files

log = logging.getLogger(__name__)

__all__ = ["GateFailed", "export_specs", "mirror_publication", "publish_warehouse"]

# History is published without the compressed raw records (they stay in the working database and
# in raw/); everything else that readers use is published whole.
_PUBLISHED_OTHER = (
    "history.study_versions",
    "history.change_events",
    "history.study_state",
    "pipeline.runs",
    "pipeline.cursors",
    "pipeline.quarantine",
    "pipeline.schema_drift",
)


def export_specs() -> list[ExportSpec]:
    """Every published dataset."""
    specs = [ExportSpec(t) for t in CTGOV_TABLES]
    for name in _PUBLISHED_OTHER:
        table = by_name(name)
        columns = ", ".join(c.name for c in table.columns if c.name != "raw_record")
        specs.append(
            ExportSpec(_without_raw(table), f"SELECT {columns} FROM {table.qualified_name}")
        )
    specs += [ExportSpec(t) for t in ALL_TABLES if t.schema == "pub"]
    return specs


def _without_raw(table: Table) -> Table:
    if "raw_record" not in table.column_names:
        return table
    columns = [c for c in table.columns if c.name != "raw_record"]
    return Table(
        table.name,
        *columns,
        primary_key=table.primary_key,
        schema=table.schema,
        grain=table.grain,
        doc=table.doc + " Published without raw_record (kept in the working database).",
        partition_by=table.partition_by,
    )


def publish_warehouse(
    con: duckdb.DuckDBPyConnection, settings: Settings, report: RunReport, *, force: bool = False
) -> PublishResult:
    """Publish the current warehouse state for `report`'s run, if the publishing gate passes.

    Raises:
        GateFailed: with every reason, when the gate finds problems and `force` is not set; the
            previous publication stays in place.
    """
    specs = export_specs()
    tables = [s.table for s in specs]
    stats = export_stats(con, specs)
    problems = gate_problems(
        con,
        current_manifest(settings.data_dir),
        stats,
        max_row_drop=settings.gate_max_row_drop,
        max_fill_drop=settings.gate_max_fill_drop,
    )
    if problems and not force:
        raise GateFailed(problems)
    if problems:
        report.notes.append("publishing gate overridden (--force): " + "; ".join(problems))
        log.warning("%s", report.notes[-1])

    def statements(snapshot: Path) -> list[str]:
        return analyst_statements(snapshot.resolve(), tables, ALL_VIEWS)

    result = publish(
        con,
        settings.data_dir,
        run_id=report.run_id,
        data_timestamp=report.data_timestamp_end or report.data_timestamp_start,
        schema_version=schema_fingerprint(),
        exports=specs,
        analyst_sql=statements,
        keep=settings.keep_snapshots,
        stats=stats,
        # The plain-language pages are written into the snapshot being staged, so they switch
        # with the Parquet and the analyst database, atomically; unchanged ones are links to the
        # current snapshot's files.
        extras=[partial(write_summary_files, con, previous=current_snapshot(settings.data_dir))],
    )
    report.published = str(result.snapshot_dir)
    return result


def mirror_publication(settings: Settings, report: RunReport) -> str | None:
    """Copy the run's publication to object storage (`TRIALSYNC_PUBLISH_URL`), pointer last."""
    if not settings.publish_url or not report.published:
        return None
    location = mirror_snapshot(
        Path(report.published), settings.publish_url, keep=settings.keep_snapshots
    )
    report.notes.append(f"publication mirrored to {location}")
    return location
