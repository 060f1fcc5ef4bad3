"""Regenerating plain-language summaries (pub.summaries) for the studies whose page inputs changed.

A study is skipped when its stored page was made from a record with the same content hash, by the
same generator and backend; otherwise its current record is read, and the page is regenerated
only when `summary_input_hash` differs (or `force`). Each batch is written in one transaction.
Pages that fail the verifier are never stored: the study's old page is removed instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import requests

from flows.settings import Settings
from schemas.ids import normalize_nct_id
from schemas.tables.pub import SUMMARIES
from transforms.arrow_tables import arrow_table
from transforms.summaries import (
    GENERATOR_VERSION,
    OpenAICompatBackend,
    summarize,
    summary_input_hash,
    summary_row,
)
from transforms.summaries.llm import Post
from warehouse.database import insert_arrow, transaction
from warehouse.state import version_records

log = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class SummarizeResult:
    """What one summarize pass did."""

    considered: int = 0
    generated: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)  # pages the verifier rejected (not stored)
    removed: int = 0  # pages of studies that left the registry, deleted
    missing: list[str] = field(default_factory=list)  # requested ids the warehouse does not have
    llm_rewrites: int = 0
    llm_fallbacks: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts (failed and missing ids listed)."""
        return dict(self.__dict__)


def backend_name(backend: OpenAICompatBackend | None) -> str:
    """The configured backend as stored in pub.summaries.backend."""
    return "template" if backend is None else "openai"


def _current(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str] | None, backend: str
) -> list[tuple[str, int, bool]]:
    """(nct_id, version_no, may_skip) of each current study.

    `may_skip` when the stored page was made from the same content by this generator and backend.
    """
    sql = (
        "SELECT s.nct_id, s.version_no, coalesce(p.content_hash = s.content_hash "
        "AND p.generator_version = ? AND p.backend = ?, false) "
        "FROM history.study_state s LEFT JOIN pub.summaries p ON p.nct_id = s.nct_id "
        "WHERE NOT s.is_removed"
    )
    params: list[Any] = [GENERATOR_VERSION, backend]
    if ids is not None:
        con.register("_summary_ids", pa.table({"nct_id": pa.array(list(ids), type=pa.string())}))
        sql += " AND s.nct_id IN (SELECT nct_id FROM _summary_ids)"
    try:
        rows = con.execute(sql + " ORDER BY s.nct_id", params).fetchall()
    finally:
        if ids is not None:
            con.unregister("_summary_ids")
    return [(r[0], int(r[1]), bool(r[2])) for r in rows]


def _stored_hashes(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    con.register("_hash_ids", pa.table({"nct_id": pa.array(list(ids), type=pa.string())}))
    try:
        rows = con.execute(
            "SELECT nct_id, input_hash, backend FROM pub.summaries "
            "WHERE nct_id IN (SELECT nct_id FROM _hash_ids)"
        ).fetchall()
    finally:
        con.unregister("_hash_ids")
    return {r[0]: (r[1], r[2]) for r in rows}


def _batches(
    items: Sequence[tuple[str, int, bool]], size: int
) -> Iterator[Sequence[tuple[str, int, bool]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], dropped: list[str]) -> None:
    """Replace the batch's pages (and delete rejected ones) in one transaction."""
    ids = [r["nct_id"] for r in rows] + dropped
    if not ids:
        return
    data, issues = arrow_table(SUMMARIES, rows)
    if issues:
        raise ValueError(f"pub.summaries rows of the wrong type: {issues[:3]}")
    with transaction(con):
        con.execute(
            "DELETE FROM pub.summaries WHERE nct_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        )
        insert_arrow(con, SUMMARIES, data)


def _one(
    record: Mapping[str, Any],
    *,
    generated_on: dt.date,
    backend: OpenAICompatBackend | None,
    name: str,
    result: SummarizeResult,
) -> dict[str, Any] | None:
    summary = summarize(record, generated_on=generated_on, backend=backend)
    if backend is not None:
        result.llm_rewrites += summary.generated_by != "template"
        result.llm_fallbacks += summary.generated_by == "template"
    if not summary.ok:
        result.failed.append(summary.nct_id)
        log.error(
            "summary of %s failed verification: %s", summary.nct_id, summary.verdict.failures[:3]
        )
        return None
    return summary_row(summary, record, backend=name)


def _batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[str, int, bool]],
    *,
    generated_on: dt.date,
    backend: OpenAICompatBackend | None,
    force: bool,
    result: SummarizeResult,
) -> None:
    """Read one batch of current records, regenerate the changed pages, write them in one go."""
    records = version_records(con, [(n, v) for n, v, _ in batch])
    stored = _stored_hashes(con, list(records))
    name = backend_name(backend)
    rows, dropped = [], []
    for nct_id in sorted(records):
        record = records[nct_id]
        if not force and stored.get(nct_id) == (summary_input_hash(record), name):
            result.unchanged += 1
            continue
        row = _one(record, generated_on=generated_on, backend=backend, name=name, result=result)
        if row is None:
            dropped.append(nct_id)
        else:
            rows.append(row)
    _write(con, rows, dropped)
    result.generated += len(rows)


def summarize_studies(
    con: duckdb.DuckDBPyConnection,
    nct_ids: list[str] | None,
    *,
    generated_on: dt.date,
    backend: OpenAICompatBackend | None = None,
    force: bool = False,
) -> SummarizeResult:
    """(Re)generate the summaries of the given studies (all when None) whose inputs changed."""
    result = SummarizeResult()
    ids = None if nct_ids is None else list(dict.fromkeys(normalize_nct_id(n) for n in nct_ids))
    current = _current(con, ids, backend_name(backend))
    result.considered = len(current)
    result.missing = sorted(set(ids or ()) - {c[0] for c in current})
    result.unchanged = sum(1 for c in current if c[2] and not force)
    for batch in _batches([c for c in current if force or not c[2]], BATCH_SIZE):
        _batch(con, batch, generated_on=generated_on, backend=backend, force=force, result=result)
    if nct_ids is None:
        result.removed = _remove_gone(con)
    return result


def _remove_gone(con: duckdb.DuckDBPyConnection) -> int:
    """Delete the pages of studies removed from the registry or gone from the warehouse."""
    gone = con.execute(
        "SELECT p.nct_id FROM pub.summaries p "
        "LEFT JOIN history.study_state s ON s.nct_id = p.nct_id "
        "WHERE s.nct_id IS NULL OR s.is_removed"
    ).fetchall()
    if gone:
        _write(con, [], [g[0] for g in gone])
    return len(gone)


def requests_poster(settings: Settings) -> Post:
    """A `post(url, json) -> dict` for the LLM backend: one session, the configured timeout."""
    session = requests.Session()
    headers = {"User-Agent": settings.user_agent}
    if settings.llm_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = session.post(url, json=body, headers=headers, timeout=settings.llm_timeout)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    return post


def llm_backend_from_settings(settings: Settings) -> OpenAICompatBackend | None:
    """The LLM backend when `summary_backend` is 'openai' and an endpoint and model are set."""
    if settings.summary_backend != "openai":
        return None
    if not settings.llm_base_url or not settings.llm_model:
        raise ValueError(
            "summary_backend 'openai' needs TRIALSYNC_LLM_BASE_URL and TRIALSYNC_LLM_MODEL"
        )
    return OpenAICompatBackend(settings.llm_base_url, settings.llm_model, requests_poster(settings))
