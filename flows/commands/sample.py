"""`trialsync record-sample`: save real study records from the API, laid out like the sample.

Each study is written as `<out>/NCTxxxxxxxx.json` (2-space indent, the API's key order), which is
how the shared sample stores them, so a fresh sample can replace it (`TRIALSYNC_SAMPLE_DIR`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from flows.ctgov_client import ApiError, CtgovClient
from flows.scopes import Scope, ScopeError
from flows.settings import Settings
from schemas.ids import InvalidNctId, normalize_nct_id
from warehouse.files import write_atomic

log = logging.getLogger(__name__)


def record_sample(
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the study files (default: <data dir>/sample/studies)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many studies to record.")] = 200,
    api_url: Annotated[
        str | None, typer.Option(help="API base URL (default: TRIALSYNC_API_URL or the live API).")
    ] = None,
    cond: Annotated[str | None, typer.Option(help="Only studies matching this condition.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Only studies with this overall status (repeatable).")
    ] = None,
) -> None:
    """Record a fresh sample of real studies from the API (needs internet for the live API)."""
    console = Console(soft_wrap=True)
    settings = Settings()
    folder = out or settings.data_dir / "sample" / "studies"
    try:
        scope = Scope.from_options(cond=cond, status=status)
    except ScopeError as err:
        raise typer.BadParameter(str(err)) from err
    params = {**scope.query, "pageSize": str(min(limit, 1000))}
    with CtgovClient.from_settings(settings, base_url=api_url or settings.api_url) as client:
        try:
            version = client.version()
            written = _record(client, params, folder, limit)
        except ApiError as err:
            console.print(f"[red]{err}[/red]")
            raise typer.Exit(1) from err
    console.print(
        f"wrote {written} studies to {folder} (dataTimestamp {version.data_timestamp}); "
        f"use them with TRIALSYNC_SAMPLE_DIR={folder.parent}"
    )


def _record(client: CtgovClient, params: dict[str, str], folder: Path, limit: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for page in client.iter_pages(params):
        for study in page.studies:
            nct_id = _nct_id(study)
            if nct_id is None:
                log.warning("skipping a record without a valid nctId on page %d", page.page_no)
                continue
            write_atomic(folder / f"{nct_id}.json", orjson.dumps(study, option=orjson.OPT_INDENT_2))
            written += 1
            if written >= limit:
                return written
    return written


def _nct_id(study: dict[str, Any]) -> str | None:
    ident = (study.get("protocolSection") or {}).get("identificationModule") or {}
    try:
        return normalize_nct_id(str(ident.get("nctId")))
    except InvalidNctId:
        return None


def register(app: typer.Typer) -> None:
    """Add `record-sample` to the CLI."""
    app.command("record-sample")(record_sample)
