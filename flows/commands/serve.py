"""`trialsync serve`: one long-running process that runs the scheduled deployments."""

from __future__ import annotations

import typer

from flows.commands.common import (
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    out,
    settings_for,
)


@exits_cleanly
def serve(data_dir: DataDir = None, verbose: Verbose = False) -> None:
    """Serve the scheduled Prefect deployments until stopped (Ctrl-C).

    Schedules (cron, UTC; set TRIALSYNC_SYNC_CRON, TRIALSYNC_RECONCILE_CRON and
    TRIALSYNC_PUBLISH_CRON to change them):

    \b
      daily-sync        30 9 * * 1-5    weekdays, after the ~09:00 UTC refresh
      weekly-reconcile  0 11 * * 6      Saturdays: removed/merged/missed studies
      publish           30 11 * * 1-5   republish if the sync could not

    One run of each at a time: a run due while the last one runs is cancelled.
    Runs report to the Prefect server in PREFECT_API_URL (else a temporary local
    one). See docs/production.md: work pools, alerting, scaling out.
    """  # noqa: D301 - click reads \b as "keep these lines as they are"
    configure_logging(verbose)
    from prefect import serve as prefect_serve  # imports Prefect (~1 s): only when serving

    from flows.deployments import build_deployments, schedules
    from flows.temporary_server import start_temporary_server

    settings = settings_for(None, data_dir)
    for s in schedules(settings):
        out.print(f"  {s.name:<17} {s.cron:<15} UTC  {s.purpose}")
    start_temporary_server()  # where Ctrl-C stops serving, not the server serving reports to
    prefect_serve(*build_deployments(settings))


def register(app: typer.Typer) -> None:
    """Add the serve command."""
    app.command("serve")(serve)
