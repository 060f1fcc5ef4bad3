"""`trialsync replay-server`: serve study records as a local ClinicalTrials.gov API v2 stand-in."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.settings import Settings
from replay.faults import FaultPlan, parse_fault_spec
from replay.server import DEFAULT_DATA_TIMESTAMP, ReplayServer

log = logging.getLogger(__name__)
DEFAULT_PORT = 8765


def replay_server(
    data: Annotated[
        Path | None,
        typer.Option(help="Folder of study JSON files, one per study (default: the sample's)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind (0 picks a free one).")] = DEFAULT_PORT,
    data_timestamp: Annotated[
        str, typer.Option(help="dataTimestamp reported by /version.")
    ] = DEFAULT_DATA_TIMESTAMP,
    faults: Annotated[
        str | None,
        typer.Option(
            help="Faults to inject, e.g. '429:on=2,retry_after=1; 500:every=5; "
            "slow:on=3,delay=5; reset:on=4; zip_truncated:on=1'."
        ),
    ] = None,
    metadata: Annotated[
        Path | None, typer.Option(help="A captured /studies/metadata response to serve.")
    ] = None,
    expire_tokens: Annotated[
        bool, typer.Option(help="Reject page tokens issued before a dataTimestamp change.")
    ] = False,
) -> None:
    """Serve study records as a local stand-in for the ClinicalTrials.gov API (until Ctrl-C)."""
    console = Console(soft_wrap=True)
    folder = data or Settings().studies_dir
    if not folder.is_dir():
        raise typer.BadParameter(
            f"{folder} is not a folder of study JSON files", param_hint="--data"
        )
    plan = _fault_plan(faults)
    server = ReplayServer(
        folder,
        host=host,
        port=port,
        data_timestamp=data_timestamp,
        metadata_path=metadata,
        expire_tokens_on_refresh=expire_tokens,
    )
    server.faults = plan
    with server:
        log.info("replay server at %s", server.base_url)
        console.print(f"replay server: {server.base_url}  ({len(server.studies)} studies)")
        console.print(f"use it with: TRIALSYNC_API_URL={server.base_url}   (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("replay server stopped")


def _fault_plan(spec: str | None) -> FaultPlan:
    """The `--faults` plan, checked before the server binds its port."""
    plan = FaultPlan()
    try:
        for kind, options in parse_fault_spec(spec or ""):
            plan.add(kind, **options)
    except (ValueError, TypeError) as err:
        raise typer.BadParameter(str(err), param_hint="--faults") from err
    return plan


def register(app: typer.Typer) -> None:
    """Add `replay-server` to the CLI."""
    app.command("replay-server")(replay_server)
