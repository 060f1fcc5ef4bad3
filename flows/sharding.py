"""The bulk ZIP on more than one core: shards prepared in parallel, loaded by the one DuckDB writer.

Preparing a shard (reading, screening, normalizing and compressing its studies,
`flows.shard_work`) needs no database, so it runs beside the writer: in this process
(`TRIALSYNC_TASK_RUNNER=local`, no parallelism), in worker processes on this machine
(`=processes`, `TRIALSYNC_SHARD_WORKERS` of them; `=auto` picks them for large ZIPs,
`flows.zip_loading`), or on a Dask cluster through prefect-dask
(`=dask`, the `dask` extra; `TRIALSYNC_DASK_ADDRESS` names an existing cluster, empty starts a
LocalCluster). Workers read their entries from the ZIP path themselves and hand back the
screening, the compressed records and Arrow IPC files (`warehouse.shards`), a bounded number of
shards ahead of the writer.

The writer loads shard after shard, in order, one transaction each, through
`flows.loading.load_screened`: it decides, writes versions, events, the cursor, quarantine and the
pages manifest with the same code as a one-process load, so the warehouse comes out the same, and
a load begun one way resumes the other.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import sys
import types
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
from prefect import flow, task
from prefect.task_runners import TaskRunner

from flows.ingest import (
    Progress,
    RunMeta,
    _advance_cursor_to_warehouse_max,
    page_rows,
    run_of,
)
from flows.loading import LoadOutcome, load_screened
from flows.runs import RunReport, parse_timestamp, utcnow
from flows.settings import Settings
from flows.shard_work import (
    BuiltByWorker,
    ShardMismatch,
    ShardResult,
    prepare_in_worker,
    prepare_shard,
    start_worker,
)
from flows.zip_loading import available_cpus
from transforms.versions import LoadContext
from warehouse import state
from warehouse.raw import LandedPage, RawStore
from warehouse.shards import SHARDS_DIR, Shard, remove_shard_files, shard_plan

log = logging.getLogger(__name__)

__all__ = [
    "Shard",
    "ShardMismatch",
    "ShardResult",
    "load_bulk_sharded",
    "prepare_shards",
    "prepare_shard",
]


@task(name="prepare-bulk-shard", retries=1)
def prepare_shard_task(zip_path: Path, shard: Shard, out_dir: Path) -> ShardResult:
    """A shard, prepared on whichever worker the task runner picks."""
    return prepare_shard(zip_path, shard, out_dir)


@flow(name="prepare-bulk-shards")
def prepare_shards_flow(
    zip_path: Path, shards: list[Shard], out_dir: Path, ahead: int
) -> Iterator[ShardResult]:
    """Yield the shards' results in order, keeping at most `ahead` shards in flight."""
    # If the writer stops early, the shards in flight finish before the caller removes their
    # folder, or a late worker would write files back into it.
    yield from _in_order(
        lambda s: prepare_shard_task.submit(zip_path, s, out_dir),
        shards,
        ahead,
        settle=lambda future: future.wait(),
    )


class _Future(Protocol):
    def result(self) -> ShardResult: ...


_F = TypeVar("_F", bound=_Future)


def _in_order(
    submit: Callable[[Shard], _F],
    shards: Iterable[Shard],
    ahead: int,
    *,
    settle: Callable[[_F], object],
) -> Iterator[ShardResult]:
    """The results of `submit(shard)` in shard order, at most `ahead` shards in flight.

    If the consumer stops early, each shard still pending is `settle`d (waited for, or
    cancelled) before this returns.
    """
    todo = iter(shards)
    pending = deque(submit(s) for s in islice(todo, ahead))
    try:
        while pending:
            result = pending.popleft().result()
            pending.extend(submit(s) for s in islice(todo, 1))
            yield result
    finally:
        for future in pending:
            settle(future)


def prepare_shards(
    zip_path: Path, shards: Sequence[Shard], settings: Settings, out_dir: Path
) -> Generator[ShardResult, None, None]:
    """Every shard's result, in shard order, prepared where `settings.task_runner` says.

    `local` prepares each shard in this process when the caller asks for it (no Prefect);
    `processes` in a pool of worker processes, `shards_ahead` of them in flight; `dask` as
    Prefect tasks on a Dask cluster, at most `settings.dask_shards_ahead` ahead.
    """
    if settings.task_runner == "local":
        for shard in shards:
            yield prepare_shard(zip_path, shard, out_dir)
    elif settings.task_runner == "dask":
        runner = dask_task_runner(settings)
        yield from prepare_shards_flow.with_options(task_runner=runner)(
            zip_path, list(shards), out_dir, settings.dask_shards_ahead
        )
    else:  # `processes`, or `auto` (which sends only larger ZIPs here: flows.zip_loading)
        yield from _in_processes(zip_path, shards, out_dir, shard_workers(settings))


def shard_workers(settings: Settings) -> int:
    """Worker processes: as set, or one per CPU this process may use.

    Not one fewer for the writer: a worker's shard takes about twice the writer's time to load
    it, and the workers yield the CPU to the writer (`flows.shard_work.start_worker`).
    """
    return settings.shard_workers or available_cpus()


def _in_processes(
    zip_path: Path, shards: Sequence[Shard], out_dir: Path, workers: int
) -> Generator[ShardResult, None, None]:
    """Shards prepared by `workers` spawned processes, yielded in order.

    Spawned, not forked: this process holds a DuckDB connection and threads, which a fork would
    copy in whatever state they are in. Only the ZIP's path and a range cross to a worker.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, initializer=start_worker) as pool:

        def submit(shard: Shard) -> Future[ShardResult]:
            with main_module_hidden():  # the pool starts its workers inside `submit`
                return pool.submit(prepare_in_worker, zip_path, shard, out_dir)

        # If the writer stops early, the shards not started are dropped; leaving the pool waits for
        # those running, before the caller removes their folder.
        yield from _in_order(
            submit,
            shards,
            shards_ahead(workers),
            settle=lambda future: future.cancel(),
        )


def shards_ahead(workers: int) -> int:
    """Shards in flight with `workers` worker processes: a full round beyond the running ones.

    Every ~7 batches the writer's commit runs DuckDB's automatic checkpoint, 1-3 s against
    ~0.5 s for a batch. With one shard spare, the workers finished what they had and waited
    through it (traced on a 20,100-study ZIP, 2 workers). A finished shard waiting costs the
    writer its compressed records (~6 MB) and its table files on disk (~35 MB).
    """
    return 2 * workers + 1


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """Processes spawned inside this block do not re-run the program's main module.

    A spawned child imports the parent's `__main__` first, in case what it is sent was defined
    there. A worker runs only `flows.shard_work`, yet re-ran the whole command: `flows.cli`
    imports Prefect, 2.3 s a worker (1.2 s for `flows.shard_work` alone), and two workers
    starting together on 2 cores delayed the first batch by seconds. Spawning reads the main
    module only while it starts a process, so it is hidden for that moment.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


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
    results = prepare_shards(path, plan, settings, out_dir)
    try:
        for shard, result in zip(plan, results, strict=True):
            if result.shard != shard:
                raise ShardMismatch(
                    f"expected shard {shard.number}, got shard {result.shard.number}"
                )
            report.outcome.add(_load_shard(con, landed, meta, ctx, result))
            report.fetched += result.received
            if progress:
                progress(1, result.received)
    finally:
        results.close()  # ends the Prefect flow run, or the pool, and lets go of the workers
        shutil.rmtree(out_dir, ignore_errors=True)
    _advance_cursor_to_warehouse_max(con, meta, run_of(landed.run_id))


def _load_shard(
    con: duckdb.DuckDBPyConnection,
    landed: LandedPage,
    meta: RunMeta,
    ctx: LoadContext,
    result: ShardResult,
) -> LoadOutcome:
    number = result.shard.number
    outcome = load_screened(
        con,
        result.screening,
        result.received,
        ctx,
        BuiltByWorker(result),
        pages=page_rows(landed, page_no=number, sha256=result.sha256, study_count=result.received),
        page_ref=f"{landed.path}#batch-{number}",
        emit_added=meta.emit_added,
    )
    remove_shard_files(result.folder)
    return outcome
