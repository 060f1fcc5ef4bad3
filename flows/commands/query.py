"""`trialsync sql`, `status` and `changes`: reading what trialsync wrote, without disturbing a sync.

They read the published analyst database (a snapshot no sync ever writes), so they work while a
sync is running; `sql --working` opens the working database read-only instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Annotated, Any

import duckdb
import orjson
import typer
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from flows.commands.common import DataDir, configure_logging, exits_cleanly, fail, out, settings_for
from flows.pipeline import DB_NAME
from schemas.ids import normalize_nct_id
from warehouse.lock import current_writer
from warehouse.publish import ANALYST_DB, PUBLISHED

Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def _published_db(data_dir: Path) -> Path:
    path = data_dir / PUBLISHED / ANALYST_DB
    if not path.exists():
        fail(f"nothing published yet in {data_dir}: run `trialsync sync` (or `make demo`) first")
    return path


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def print_rows(
    columns: list[str], rows: list[tuple[Any, ...]], fmt: str, title: str | None = None
) -> None:
    """Rows as a table, CSV or JSON on stdout."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        out.print(buffer.getvalue(), end="", markup=False, highlight=False, soft_wrap=True)
    elif fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        out.print(
            orjson.dumps(records, default=str, option=orjson.OPT_INDENT_2).decode(),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    elif fmt == "table":
        # Cells are registry text and headers come from the user's SQL: plain Text, so that
        # brackets are never read as rich markup (styles, links, or a crash on `[/x]`).
        table = RichTable(*map(escape, columns), title=title, show_lines=False)
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        out.print(table)
    else:
        raise typer.BadParameter("--format must be table, csv or json")


@exits_cleanly
def sql(
    query: Annotated[str, typer.Argument(help='SQL to run, e.g. "SELECT count(*) FROM studies".')],
    fmt: Format = "table",
    working: Annotated[
        bool,
        typer.Option(
            "--working", help="Query the working database (read-only; fails while a sync writes)."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Query the published data with DuckDB SQL (AACT table names work unqualified)."""
    configure_logging()
    settings = settings_for(None, data_dir)
    path = settings.data_dir / DB_NAME if working else _published_db(settings.data_dir)
    con = _connect(path)
    try:
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    finally:
        con.close()
    print_rows(columns, rows, fmt)


@exits_cleanly
def changes(
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Detected on or after YYYY-MM-DD."),
    ] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="Event type, e.g. status_changed.")
    ] = None,
    nct: Annotated[str | None, typer.Option("--nct", help="One study.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="One run id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many events.")] = 200,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary", help="Counts by type and the status transition matrix instead of events."
        ),
    ] = False,
    fmt: Format = "table",
    data_dir: DataDir = None,
) -> None:
    """Print change events (newest first), or a per-type summary with `--summary`."""
    configure_logging()
    settings = settings_for(None, data_dir)
    where, params = _event_filter(since, event_type, nct, run)
    con = _connect(_published_db(settings.data_dir))
    try:
        if summary:
            _print_summary(con, where, params, fmt)
            return
        cursor = con.execute(
            "SELECT detected_at, nct_id, event_type, field_path, old_value, new_value, "
            f"from_version, to_version, run_id FROM history.change_events WHERE {where} "
            "ORDER BY detected_at DESC, nct_id, event_type LIMIT ?",
            [*params, limit],
        )
        print_rows([d[0] for d in cursor.description], cursor.fetchall(), fmt, "change events")
    finally:
        con.close()


def _event_filter(
    since: dt.datetime | None, event_type: str | None, nct: str | None, run: str | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = ["true"]
    params: list[Any] = []
    if since:
        clauses.append("detected_at >= ?")
        params.append(since)
    if event_type:
        clauses.append("event_type = ?")
        params.append(event_type)
    if nct:
        clauses.append("nct_id = ?")
        params.append(normalize_nct_id(nct))
    if run:
        clauses.append("run_id = ?")
        params.append(run)
    return " AND ".join(clauses), params


def _print_summary(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], fmt: str) -> None:
    cursor = con.execute(
        f"SELECT event_type, count(*) AS events, count(DISTINCT nct_id) AS studies "
        f"FROM history.change_events WHERE {where} GROUP BY event_type ORDER BY events DESC",
        params,
    )
    print_rows([d[0] for d in cursor.description], cursor.fetchall(), fmt, "events by type")
    matrix = con.execute(
        "PIVOT (SELECT old_value ->> '$' AS old_status, new_value ->> '$' AS new_status "
        f"FROM history.change_events WHERE {where} AND event_type = 'status_changed' "
        "AND field_path = 'protocolSection.statusModule.overallStatus') "
        "ON new_status USING count(*) GROUP BY old_status ORDER BY old_status",
        params,
    )
    columns = [d[0] for d in matrix.description or []]
    rows = matrix.fetchall()
    if rows:
        print_rows(columns, rows, fmt, "status transitions (old → new)")


@exits_cleanly
def status(
    fmt: Format = "table",
    data_dir: DataDir = None,
) -> None:
    """Last runs, cursors, data freshness, row counts, quarantine and schema drift."""
    configure_logging()
    settings = settings_for(None, data_dir)
    con = _connect(_published_db(settings.data_dir))
    try:
        for title, query in STATUS_QUERIES:
            cursor = con.execute(query)
            print_rows([d[0] for d in cursor.description], cursor.fetchall(), fmt, title)
    finally:
        con.close()
    # Without taking the lock: a reader may have no write access to the data folder.
    writer = current_writer(settings.data_dir)
    if writer:
        out.print(f"[yellow]a writer is running now:[/] {writer}")


STATUS_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "last runs",
        "SELECT run_id, command, status, started_at, finished_at, "
        "data_timestamp_end AS data_timestamp, error FROM pipeline.runs "
        "ORDER BY started_at DESC LIMIT 10",
    ),
    (
        "cursors",
        "SELECT scope_key, cursor_date, run_id, scope FROM pipeline.cursors "
        "ORDER BY cursor_date DESC",
    ),
    (
        "freshness",
        "SELECT max(data_timestamp) AS newest_data_timestamp, max(last_update_post_date) "
        "AS newest_last_update_post_date, count(*) AS studies, count(*) FILTER (WHERE is_removed) "
        "AS removed FROM history.study_state",
    ),
    (
        "quarantine",
        "SELECT count(*) AS records, max(quarantined_at) AS latest, "
        "any_value(reason) AS example_reason FROM pipeline.quarantine",
    ),
    (
        "schema drift (excluding known extras)",
        "SELECT path, kind, occurrences, example_nct_id, last_run_id "
        "FROM pipeline.schema_drift WHERE kind <> 'known_extra' ORDER BY occurrences DESC LIMIT 30",
    ),
)


def register(app: typer.Typer) -> None:
    """Add the reading commands."""
    app.command("sql")(sql)
    app.command("status")(status)
    app.command("changes")(changes)
