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
    run_configured,
    settings_for,
)
from flows.pipeline import run_publish

__all__ = ["publish", "register", "run_publish"]


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
    report = run_configured(
        settings,
        verbose,
        lambda hooks: run_publish(settings, force=force, hooks=hooks),
        "publish_flow",
        force=force,
    )
    print_report(report)


def register(app: typer.Typer) -> None:
    """Add the publish command."""
    app.command("publish")(publish)
