"""`trialsync demo` (run by `make demo`): the pipeline end to end, offline, on the real sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer

from flows.commands.common import (
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    out,
    print_report,
    settings_for,
)
from flows.commands.query import print_rows
from flows.demo import SyncRunner, run_demo
from flows.pipeline import run_sync
from flows.runs import RunReport
from flows.scopes import Scope
from flows.settings import Settings
from warehouse.publish import ANALYST_DB, PUBLISHED

EXAMPLE_SQL = (
    "SELECT overall_status, count(*) AS studies, sum(enrollment) AS planned_or_actual_enrollment "
    "FROM studies GROUP BY overall_status ORDER BY studies DESC"
)


@exits_cleanly
def demo(
    data_dir: DataDir = None,
    verbose: Verbose = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the final summary.")] = False,
) -> None:
    """Run the whole pipeline offline against the replay server fed by ../shared/ctgov-sample."""
    configure_logging(verbose)
    base = settings_for(None, None)
    folder = data_dir or base.data_dir / "demo"
    settings = base.model_copy(update={"data_dir": folder, "requests_per_second": 50.0})
    result = run_demo(
        settings,
        say=lambda text: out.print(f"[bold cyan]demo:[/] {text}"),
        sync=_sync_runner(settings, verbose),
    )
    titles = [
        "first sync (empty warehouse)",
        "incremental sync after edits",
        "re-fetch of re-captured studies",
    ]
    for title, report in zip(titles, result.reports, strict=True):
        out.rule(title)
        if not quiet:
            print_report(report)
    _show_changes(folder)
    _show_outputs(folder)


def _sync_runner(settings: Settings, verbose: bool) -> SyncRunner:
    """Each demo sync as the real Prefect `sync` flow, or as plain calls (orchestration=plain)."""
    if settings.orchestration == "plain":
        return lambda each, scope: run_sync(each, scope)
    from prefect.settings import PREFECT_SERVER_ANALYTICS_ENABLED, temporary_settings

    from flows import orchestration  # imports Prefect (~1 s): only when it is used

    configure_logging(verbose)  # Prefect sets up logging on import; ours again on top

    def run(each: Settings, scope: Scope) -> RunReport:
        # The demo is offline by design. Prefect's temporary server would post its anonymous
        # usage heartbeat to prefect.io, and log an ERROR in the demo's output when it cannot.
        with (
            temporary_settings(updates={PREFECT_SERVER_ANALYTICS_ENABLED: False}),
            orchestration.started_by(orchestration.Caller(each)),
        ):
            return orchestration.sync_flow(scope=scope)

    out.print("[bold cyan]demo:[/] each sync runs as the Prefect `sync` flow")
    return run


def _show_changes(folder: Path) -> None:
    db = folder / PUBLISHED / ANALYST_DB
    con = duckdb.connect(str(db), read_only=True)
    try:
        out.rule("change events of the incremental sync")
        cursor = con.execute(
            "SELECT nct_id, event_type, field_path, old_value, new_value "
            "FROM history.change_events ORDER BY nct_id, event_type, field_path"
        )
        print_rows([d[0] for d in cursor.description], cursor.fetchall(), "table")
    finally:
        con.close()


def _show_outputs(folder: Path) -> None:
    published = folder / PUBLISHED
    out.rule("published outputs")
    out.print(f"  Parquet (zstd), one folder per table: {published / 'parquet'}")
    out.print(f"  analyst database (open it with plain duckdb): {published / ANALYST_DB}")
    out.print(f"  manifest (rows and sha256 per file): {published / 'manifest.json'}")
    index = published / "summaries" / "index.html"
    if index.exists():
        out.print(f"  plain-language pages: open {index}")
    out.print("\nTry it:")
    out.print(
        f'  .venv/bin/trialsync sql --data-dir {folder} "{EXAMPLE_SQL}"',
        markup=False,
        highlight=False,
    )
    con = duckdb.connect(str(published / ANALYST_DB), read_only=True)
    try:
        cursor = con.execute(EXAMPLE_SQL)
        print_rows([d[0] for d in cursor.description], cursor.fetchall(), "table")
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    """Add the demo command."""
    app.command("demo")(demo)
