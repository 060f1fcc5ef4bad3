"""`trialsync publish [--force]`: publish the current warehouse again, through the publishing gate.

For the operator after a refused publication: once the cause is fixed (or judged harmless, with
`--force`), this republishes what the working database holds, without fetching anything.
"""

from __future__ import annotations

from typing import Annotated

import typer

from flows.commands.common import (
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    print_report,
    settings_for,
)
from flows.pipeline import DB_NAME, open_warehouse
from flows.publishing import publish_warehouse
from flows.runs import RunReport, new_run_id, utcnow
from flows.settings import Settings
from warehouse import runs
from warehouse.database import fetch_one
from warehouse.lock import WriterLock
from warehouse.publish import PublishError


def run_publish(settings: Settings, *, force: bool = False) -> RunReport:
    """Take the writer lock and publish the working database as it is; recorded in pipeline.runs.

    Raises:
        GateFailed: when the publishing gate refuses and `force` is not set (the run is recorded
            as failed, the previous publication stays).
        PublishError: when the data folder has no warehouse yet.
    """
    if not (settings.data_dir / DB_NAME).exists():
        raise PublishError(
            f"nothing to publish: no warehouse in {settings.data_dir}; run `trialsync sync` first"
        )
    with WriterLock(settings.data_dir, "publish"), open_warehouse(settings) as con:
        report = RunReport(new_run_id(), "publish", "current warehouse")
        runs.start_run(
            con,
            run_id=report.run_id,
            command="publish",
            scope_key=None,
            params={"force": force},
            started_at=report.started_at,
        )
        newest = fetch_one(con, "SELECT max(data_timestamp) FROM history.study_state")
        report.data_timestamp_start = report.data_timestamp_end = newest[0] if newest else None
        try:
            with report.timed("publish"):
                publish_warehouse(con, settings, report, force=force)
            report.status = "succeeded"
        except BaseException as err:
            report.status = "failed"
            report.error = f"publish: {type(err).__name__}: {err}"
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
    return report


@exits_cleanly
def publish(
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Publish even if the publishing gate finds problems (noted in the report).",
        ),
    ] = False,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """Publish the current warehouse again (no fetching), after the publishing gate's checks."""
    configure_logging(verbose)
    settings = settings_for(None, data_dir)
    print_report(run_publish(settings, force=force))


def register(app: typer.Typer) -> None:
    """Add the publish command."""
    app.command("publish")(publish)
