"""`trialsync sync`, `load-bulk` and `rebuild`: the commands that write the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from flows.commands.common import (
    ApiUrl,
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    print_report,
    progress_hooks,
    run_configured,
    settings_for,
)
from flows.pipeline import run_load_bulk, run_rebuild, run_sync
from flows.scopes import Scope


@exits_cleanly
def sync(
    full: Annotated[
        bool, typer.Option("--full", help="Walk everything in scope through the API.")
    ] = False,
    since: Annotated[
        dt.datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            help="Fetch studies updated since YYYY-MM-DD (a day of overlap is added).",
        ),
    ] = None,
    ids: Annotated[
        str | None, typer.Option("--ids", help="Only these studies: NCT...,NCT...")
    ] = None,
    cond: Annotated[
        str | None, typer.Option("--cond", help="query.cond, e.g. 'spine fusion'.")
    ] = None,
    term: Annotated[
        str | None, typer.Option("--term", help="query.term (Essie expression).")
    ] = None,
    intr: Annotated[str | None, typer.Option("--intr", help="query.intr (interventions).")] = None,
    locn: Annotated[str | None, typer.Option("--locn", help="query.locn (locations).")] = None,
    spons: Annotated[str | None, typer.Option("--spons", help="query.spons (sponsors).")] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="filter.overallStatus, e.g. RECRUITING (repeatable)."),
    ] = None,
    advanced: Annotated[
        str | None, typer.Option("--advanced", help="filter.advanced (Essie).")
    ] = None,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Load without publishing.")
    ] = False,
    api_url: ApiUrl = None,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """Sync studies from the ClinicalTrials.gov API into the warehouse, then publish.

    With no options: an incremental sync from the stored cursor. The first sync into an empty data
    folder downloads the official bulk ZIP once instead of paging ~600 times, then continues
    incrementally from the API.
    """
    configure_logging(verbose)
    scope = Scope.from_options(
        full=full,
        since=since.date() if since else None,
        ids=[ids] if ids else (),
        cond=cond,
        term=term,
        intr=intr,
        locn=locn,
        spons=spons,
        status=status,
        advanced=advanced,
    )
    settings = settings_for(api_url, data_dir)
    report = run_configured(
        settings,
        verbose,
        lambda hooks: run_sync(settings, scope, hooks=hooks, publish=not no_publish),
        "sync_flow",
        scope=scope,
        publish=not no_publish,
    )
    print_report(report)


@exits_cleanly
def load_bulk(
    path: Annotated[
        Path | None, typer.Argument(help="A ctg-studies.json.zip already on disk.")
    ] = None,
    download: Annotated[
        bool, typer.Option("--download", help="Download the ZIP first (resumable).")
    ] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Load without publishing.")
    ] = False,
    api_url: ApiUrl = None,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """Load the official full-registry ZIP (~600k studies), streamed from the archive."""
    configure_logging(verbose)
    if (path is None) == (not download):
        raise typer.BadParameter("give a PATH or --download (not both)")
    settings = settings_for(api_url, data_dir)
    report = run_configured(
        settings,
        verbose,
        lambda hooks: run_load_bulk(settings, path, hooks=hooks, publish=not no_publish),
        "load_bulk_flow",
        path=str(path) if path else None,
        publish=not no_publish,
    )
    print_report(report)


@exits_cleanly
def rebuild(
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Rebuild without publishing.")
    ] = False,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """Re-create the warehouse from the landed raw pages alone (no network), then swap it in."""
    configure_logging(verbose)
    settings = settings_for(None, data_dir)
    with progress_hooks() as hooks:
        report = run_rebuild(settings, hooks=hooks, publish=not no_publish)
    print_report(report)


def register(app: typer.Typer) -> None:
    """Add the writing commands."""
    app.command("sync")(sync)
    app.command("load-bulk")(load_bulk)
    app.command("rebuild")(rebuild)
