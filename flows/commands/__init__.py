"""CLI commands, one module each; `register_all` adds them to the app in `flows/cli.py`."""

from __future__ import annotations

import importlib

import typer

# Command modules, each exposing `register(app)`, listed so the CLI's shape is visible here.
COMMAND_MODULES: tuple[str, ...] = (
    "sync",
    "reconcile",
    "summarize",
    "publish",
    "query",
    "demo",
    "replay",
    "sample",
    "serve",
)


def register_all(app: typer.Typer) -> None:
    """Import every command module and let it add its commands."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"flows.commands.{name}").register(app)
