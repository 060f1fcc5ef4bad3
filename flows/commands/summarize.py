"""`trialsync summarize`: regenerate plain-language summary pages, then republish."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.commands.common import (
    DataDir,
    Verbose,
    configure_logging,
    exits_cleanly,
    fail,
    out,
    settings_for,
)
from flows.pipeline import run_summarize
from flows.summarizing import SummarizeResult
from schemas.ids import parse_nct_id_list


def _print(result: SummarizeResult) -> None:
    out.print(
        f"  considered {result.considered:,} · regenerated {result.generated:,} · "
        f"unchanged {result.unchanged:,} · removed {result.removed:,}"
    )
    if result.llm_rewrites or result.llm_fallbacks:
        out.print(
            f"  LLM headlines kept {result.llm_rewrites:,} · "
            f"fell back to template {result.llm_fallbacks:,}"
        )
    if result.missing:
        out.print(f"  [yellow]not in the warehouse:[/] {', '.join(result.missing)}")
    if result.failed:
        out.print(f"  [red]failed verification (not published):[/] {', '.join(result.failed)}")


@exits_cleanly
def summarize(
    nct_ids: Annotated[
        list[str] | None, typer.Argument(help="Studies to regenerate (forced).")
    ] = None,
    all_studies: Annotated[
        bool, typer.Option("--all", help="Regenerate every study (forced).")
    ] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="Regenerate without publishing.")
    ] = False,
    data_dir: DataDir = None,
    verbose: Verbose = False,
) -> None:
    """Regenerate plain-language summary pages, then publish.

    With no arguments only studies whose page inputs changed are regenerated; named studies
    (or --all) are regenerated even when nothing changed.
    """
    configure_logging(verbose)
    if nct_ids and all_studies:
        raise typer.BadParameter("give NCT ids or --all, not both")
    ids = parse_nct_id_list(" ".join(nct_ids)) if nct_ids else None
    settings = settings_for(None, data_dir)
    try:
        report, result = run_summarize(
            settings, ids, force=bool(ids) or all_studies, publish=not no_publish
        )
    except ValueError as err:  # an LLM backend asked for but not configured
        fail(str(err))
        return
    out.print(f"[bold]summarize[/] {report.run_id}: [green]{report.status}[/]")
    _print(result)
    if report.published:
        out.print(f"  published: {report.published}")


def register(app: typer.Typer) -> None:
    """Add the summarize command."""
    app.command("summarize")(summarize)
