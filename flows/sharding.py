"""The bulk ZIP past one machine: shards normalized in parallel, loaded by the one DuckDB writer.

Normalizing is a pure function of a shard's records, so it can run anywhere: in this process
(`TRIALSYNC_TASK_RUNNER=local`) or on a Dask cluster through prefect-dask (`=dask`, the `dask`
extra; `TRIALSYNC_DASK_ADDRESS` names an existing cluster, empty starts a LocalCluster). Workers
read their entries from the ZIP path themselves and hand back Arrow IPC files
(`warehouse.shards`), a bounded number of shards ahead of the writer.

The writer loads shard after shard, in order, one transaction each, through `load_records`: it
reads the same entries, screens and decides exactly as a one-process load does, and only takes
the ctgov rows from the worker instead of building them. Versions, events, the cursor, quarantine
and the pages manifest therefore come out the same, and a load begun one way resumes the other.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from prefect import flow, task
from prefect.task_runners import TaskRunner

from flows.ingest import (
    Progress,
    RunMeta,
    _advance_cursor_to_warehouse_max,
    page_rows,
    parse_entries,
    run_of,
)
from flows.loading import LoadOutcome, Normalizer, load_records
from flows.runs import RunReport, parse_timestamp, utcnow
from flows.settings import Settings
from transforms.arrow_tables import TypeIssue
from transforms.normalize import NormalizedBatch, normalize
from transforms.screening import newest_per_study, screen
from transforms.versions import LoadContext
from warehouse import bulk, state
from warehouse.raw import LandedPage, RawStore
from warehouse.shards import (
    SHARDS_DIR,
    Shard,
    read_shard,
    read_shard_tables,
    remove_shard_files,
    shard_plan,
    write_shard_tables,
)

log = logging.getLogger(__name__)

__all__ = [
    "Shard",
    "ShardMismatch",
    "ShardResult",
    "load_bulk_sharded",
    "normalize_shard",
    "normalize_shards",
]


class ShardMismatch(RuntimeError):
    """A worker's shard does not match what the writer read (a different file, or a bug)."""


@dataclass(frozen=True)
class ShardResult:
    """What a worker built for one shard: enough for the writer to check it and load it."""

    shard: Shard
    sha256: str  # of the shard's entry bytes, in order, as the pages manifest records a batch
    nct_ids: tuple[str, ...]  # the studies normalized, in row order
    strict: frozenset[str]  # those type-checked value by value (type drift)
    type_issues: tuple[TypeIssue, ...]
    folder: Path  # the shard's Arrow IPC files (`warehouse.shards`)


def normalize_shard(zip_path: Path, shard: Shard, out_dir: Path) -> ShardResult:
    """Read, screen and normalize one shard, and write its tables under `out_dir`.

    Every usable study is normalized (the writer later keeps those it writes), with the same
    deduplication and the same value-by-value checks `load_records` applies.
    """
    entries = read_shard(zip_path, shard)
    studies = newest_per_study(screen(parse_entries(entries)).studies)
    strict = frozenset(s.nct_id for s in studies if s.has_type_drift)
    batch = normalize([(s.nct_id, s.record) for s in studies], strict=strict)
    return ShardResult(
        shard=shard,
        sha256=_digest(entries),
        nct_ids=tuple(s.nct_id for s in studies),
        strict=strict,
        type_issues=tuple(batch.type_issues),
        folder=write_shard_tables(batch.tables, out_dir, shard),
    )


def _digest(entries: Sequence[tuple[str, bytes]]) -> str:
    return hashlib.sha256(b"".join(data for _, data in entries)).hexdigest()


@task(name="normalize-bulk-shard", retries=1)
def normalize_shard_task(zip_path: Path, shard: Shard, out_dir: Path) -> ShardResult:
    """A shard, normalized on whichever worker the task runner picks."""
    return normalize_shard(zip_path, shard, out_dir)


@flow(name="normalize-bulk-shards")
def normalize_shards_flow(
    zip_path: Path, shards: list[Shard], out_dir: Path, ahead: int
) -> Iterator[ShardResult]:
    """Yield the shards' results in order, keeping at most `ahead` shards in flight."""
    todo = iter(shards)
    pending = deque(normalize_shard_task.submit(zip_path, s, out_dir) for s in islice(todo, ahead))
    try:
        while pending:
            result: ShardResult = pending.popleft().result()
            pending.extend(
                normalize_shard_task.submit(zip_path, s, out_dir) for s in islice(todo, 1)
            )
            yield result
    finally:
        # The writer stopped early: let the shards in flight finish before the caller removes
        # their folder, or a late worker would write files back into it.
        for future in pending:
            future.wait()


def normalize_shards(
    zip_path: Path, shards: Sequence[Shard], settings: Settings, out_dir: Path
) -> Generator[ShardResult, None, None]:
    """Every shard's result, in shard order, normalized where `settings.task_runner` says.

    `local` runs each shard in this process when the caller asks for it (no Prefect); `dask`
    runs them as Prefect tasks on a Dask cluster, at most `settings.dask_shards_ahead` ahead.
    """
    if settings.task_runner == "local":
        for shard in shards:
            yield normalize_shard(zip_path, shard, out_dir)
        return
    runner = dask_task_runner(settings)
    yield from normalize_shards_flow.with_options(task_runner=runner)(
        zip_path, list(shards), out_dir, settings.dask_shards_ahead
    )


def dask_task_runner(settings: Settings) -> TaskRunner[Any]:
    """prefect-dask's runner: the cluster at `settings.dask_address`, or a new LocalCluster."""
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError as err:  # the optional extra
        raise RuntimeError(
            "TRIALSYNC_TASK_RUNNER=dask needs prefect-dask: pip install 'trialsync[dask]'"
        ) from err
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner()


def premade(result: ShardResult) -> Normalizer:
    """A `load_records` normalizer that returns the worker's rows of the studies asked for.

    The writer asks for the studies it writes, a subsequence of those the worker built; anything
    else means the two did not see the same records, and the batch must not load.
    """
    tables = read_shard_tables(result.folder)
    position = {nct: i for i, nct in enumerate(result.nct_ids)}

    def select(
        records: Sequence[tuple[str, Mapping[str, Any]]], *, strict: frozenset[str] = frozenset()
    ) -> NormalizedBatch:
        ids = [nct for nct, _ in records]
        asked = set(ids)
        order = [position.get(nct, -1) for nct in ids]
        if -1 in order or order != sorted(set(order)) or strict != result.strict & asked:
            raise ShardMismatch(f"shard {result.shard.number}: the writer asked for other studies")
        if len(ids) == len(result.nct_ids):
            return NormalizedBatch(tables, list(result.type_issues))
        wanted = pa.array(ids, pa.string())
        return NormalizedBatch(
            {
                t: data.filter(pc.is_in(data["nct_id"], value_set=wanted))
                for t, data in tables.items()
            },
            [i for i in result.type_issues if i.nct_id in asked],
        )

    return select


def load_bulk_sharded(
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    landed: LandedPage,
    meta: RunMeta,
    report: RunReport,
    settings: Settings,
    progress: Progress | None = None,
) -> None:
    """`flows.ingest.load_bulk_zip`, with the normalizing done by shard workers.

    Shards already committed are skipped; the rest load in order, one transaction each, and the
    default scope's cursor is set once the whole ZIP is in.
    """
    path = raw.resolve(landed)
    done = {page for run, page in state.loaded_pages(con) if run == landed.run_id}
    plan = [s for s in shard_plan(landed.study_count, meta.batch_size) if s.number not in done]
    if not plan:
        return  # everything committed (and the cursor set) when this ZIP was loaded
    ctx = LoadContext(
        run_id=run_of(landed.run_id),
        source="bulk",
        data_timestamp=parse_timestamp(landed.data_timestamp),
        fetched_at=parse_timestamp(landed.fetched_at) or utcnow(),
    )
    out_dir = path.parent / SHARDS_DIR
    results = normalize_shards(path, plan, settings, out_dir)
    try:
        batches = bulk.iter_bulk_studies(path, meta.batch_size, skip=done)
        for batch, result in _paired(batches, results, done):
            outcome = _load_shard(con, landed, meta, ctx, batch, result)
            report.outcome.add(outcome)
            report.fetched += len(batch)
            if progress:
                progress(1, len(batch))
    finally:
        results.close()  # ends the Prefect flow run and lets go of the cluster
        shutil.rmtree(out_dir, ignore_errors=True)
    _advance_cursor_to_warehouse_max(con, meta, run_of(landed.run_id))


def _paired(
    batches: Iterable[list[tuple[str, bytes]]], results: Iterator[ShardResult], done: set[int]
) -> Iterator[tuple[list[tuple[str, bytes]], ShardResult]]:
    for number, batch in enumerate(batches, start=1):
        if number in done:
            continue
        result = next(results)
        if result.shard.number != number:
            raise ShardMismatch(f"expected shard {number}, got shard {result.shard.number}")
        yield batch, result


def _load_shard(
    con: duckdb.DuckDBPyConnection,
    landed: LandedPage,
    meta: RunMeta,
    ctx: LoadContext,
    batch: list[tuple[str, bytes]],
    result: ShardResult,
) -> LoadOutcome:
    number = result.shard.number
    digest = _digest(batch)
    if digest != result.sha256:
        raise ShardMismatch(f"shard {number}: the worker read other bytes than the writer")
    outcome = load_records(
        con,
        parse_entries(batch),
        ctx,
        pages=page_rows(landed, page_no=number, sha256=digest, study_count=len(batch)),
        page_ref=f"{landed.path}#batch-{number}",
        emit_added=meta.emit_added,
        normalizer=premade(result),
    )
    remove_shard_files(result.folder)
    return outcome
