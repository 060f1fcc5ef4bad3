"""The `trialsync` command line: one typer app; each command lives in `flows/commands/`."""

from __future__ import annotations

import typer

from flows.commands import register_all

app = typer.Typer(
    name="trialsync",
    help="A change-tracked, analysis-ready copy of ClinicalTrials.gov.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register_all(app)


def main() -> None:
    """Console-script entry point."""
    app()
