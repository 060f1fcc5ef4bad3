"""Which way a landed bulk ZIP is loaded: in this process, or with its shards prepared by workers.

`TRIALSYNC_TASK_RUNNER=auto` (the default) gives a ZIP of at least `PROCESSES_FROM_STUDIES`
studies to worker processes when this process may use more than one CPU, and loads a smaller one
here. Either way the warehouse comes out the same (`flows.sharding`), so the choice is only about
time and memory.
"""

from __future__ import annotations

import os
from functools import partial

import duckdb

from flows.ingest import BulkLoad, Progress, RunMeta, load_bulk_zip
from flows.runs import RunReport
from flows.settings import Settings
from warehouse.raw import LandedPage, RawStore

# From this size `auto` starts workers. Measured on 2 cores (20,100-study ZIP): with workers the
# first batch commits after ~2.5 s (one process: ~1.5 s), and after it the load runs at about
# twice the rate of one process, so workers come out ahead from about 3,000 studies; 5,000 keeps
# a margin, and small loads (tests, the demo, a sample) in one process of ~1 GB less memory.
PROCESSES_FROM_STUDIES = 5_000


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers and taskset narrow).

    macOS has no affinity call; there, every CPU the machine has.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def bulk_task_runner(settings: Settings, studies: int, cpus: int) -> str:
    """`settings.task_runner`, with `auto` resolved for a ZIP of `studies` studies on `cpus`."""
    if settings.task_runner != "auto":
        return settings.task_runner
    if studies >= PROCESSES_FROM_STUDIES and cpus > 1:
        return "processes"
    return "local"


def load_zip(
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    raw: RawStore,
    landed: LandedPage,
    meta: RunMeta,
    report: RunReport,
    progress: Progress | None = None,
) -> None:
    """Load a landed ZIP the way `bulk_task_runner` picks for its size."""
    runner = bulk_task_runner(settings, landed.study_count, available_cpus())
    if runner == "local":
        load_bulk_zip(con, raw, landed, meta, report, progress)
        return
    from flows.sharding import load_bulk_sharded  # imports Prefect: only when used

    resolved = settings.model_copy(update={"task_runner": runner})
    load_bulk_sharded(con, raw, landed, meta, report, resolved, progress)


def zip_loader(settings: Settings) -> BulkLoad:
    """`load_zip` under `settings`, for `flows.ingest.recover` (rebuilds and leftovers)."""
    return partial(load_zip, settings)
