"""`trialsync reconcile`: find removed, merged, missed and silently changed studies."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.commands.common import (
    ApiUrl,
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    print_report,
    run_configured,
    settings_for,
)
from flows.reconcile import run_reconcile


@exits_cleanly
def reconcile(
    slice_size: Annotated[
        int | None,
        typer.Option(
            "--slice",
            min=0,
            help="Studies to re-fetch, longest-unfetched first (TRIALSYNC_RECONCILE_SLICE).",
        ),
    ] = None,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Load without publishing.")
    ] = False,
    api_url: ApiUrl = None,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """List every id in scope, and compare it with the warehouse, then publish.

    Studies gone from the registry are flagged removed (or merged, when another record lists them
    as an alias) and kept; missing and outdated studies are fetched; and a rotating slice of the
    studies fetched longest ago is fetched again, for derived-data changes (such as MeSH terms)
    that do not move lastUpdatePostDate.
    """
    configure_logging(verbose)
    settings = settings_for(api_url, data_dir)
    report = run_configured(
        settings,
        verbose,
        lambda hooks: run_reconcile(
            settings, hooks=hooks, slice_size=slice_size, publish=not no_publish
        ),
        "reconcile_flow",
        slice_size=slice_size,
        publish=not no_publish,
    )
    print_report(report)


def register(app: typer.Typer) -> None:
    """Add the reconcile command."""
    app.command("reconcile")(reconcile)
