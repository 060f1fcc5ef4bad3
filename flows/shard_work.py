"""A bulk ZIP shard prepared ahead of the writer: read, screened, normalized and compressed.

This is the part of a bulk load that needs no database, so it can run in worker processes (here
or on a Dask cluster) while the single writer decides and writes the shard before it. It imports
no Prefect and no Dask, so a spawned worker process starts quickly.

The writer's side (`BuiltByWorker`) hands `flows.loading.load_screened` what the worker built, so
deciding, events, versions and the write are the very code a one-process load runs.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from flows.entries import entries_digest, parse_entries
from schemas.codec import compress_encoded, decompress_record, encode_record
from transforms.arrow_tables import TypeIssue
from transforms.normalize import NormalizedBatch, gc_paused, normalize
from transforms.screening import Screening, newest_per_study, screen
from transforms.versions import NEW_VERSIONS, Action, Decision
from warehouse.shards import Shard, read_shard, read_shard_tables, write_shard_tables


class ShardMismatch(RuntimeError):
    """A worker's shard does not match what the writer asks of it (a bug, or another file)."""


@dataclass(frozen=True)
class ShardResult:
    """What a worker built for one shard: everything the writer needs but the database.

    `screening` crosses process boundaries without the records (see `ScreenedStudy`); `frames`
    carries each usable study's record compressed, as history keeps it.
    """

    shard: Shard
    sha256: str  # of the shard's entry bytes, in order, as the pages manifest records a batch
    received: int  # entries read, quarantined ones included
    screening: Screening
    frames: dict[str, bytes]  # nct_id -> `compress_record` of the study's newest record
    nct_ids: tuple[str, ...]  # the studies normalized, in row order
    strict: frozenset[str]  # those type-checked value by value (type drift)
    type_issues: tuple[TypeIssue, ...]
    folder: Path  # the shard's Arrow IPC files (`warehouse.shards`)


@gc_paused()  # on any worker (a Dask one too): the records are freed as this returns
def prepare_shard(
    zip_path: Path,
    shard: Shard,
    out_dir: Path,
    *,
    compression: Literal["lz4", "uncompressed"] = "lz4",
) -> ShardResult:
    """Read, screen, normalize and compress one shard, and write its tables under `out_dir`.

    Every usable study is normalized and compressed (the writer later keeps those it writes),
    with the same deduplication and value-by-value checks `flows.loading.load_records` applies.
    `compression`: of the table files (`warehouse.shards.write_shard_tables`).
    """
    entries = read_shard(zip_path, shard)
    screening = screen(parse_entries(entries))
    studies = newest_per_study(screening.studies)
    frames = compress_encoded([encode_record(s.record) for s in studies])
    strict = frozenset(s.nct_id for s in studies if s.has_type_drift)
    batch = normalize([(s.nct_id, s.record) for s in studies], strict=strict)
    return ShardResult(
        shard=shard,
        sha256=entries_digest(entries),
        received=len(entries),
        screening=screening,
        frames={s.nct_id: frame for s, frame in zip(studies, frames, strict=True)},
        nct_ids=tuple(s.nct_id for s in studies),
        strict=strict,
        type_issues=tuple(batch.type_issues),
        folder=write_shard_tables(batch.tables, out_dir, shard, compression=compression),
    )


# How much a worker yields the CPU to the writer (nice(2) increment): 10 gives the writer about
# nine tenths of a core whenever both want one.
WORKER_NICENESS = 10


def start_worker() -> None:
    """Initializer of a worker process: yield to the writer, leave Ctrl-C to it, collect later.

    The writer is the one stage that cannot run in parallel: once workers are ahead, every
    moment it waits for a core is lost to the whole load. On 2 cores, the writer and two workers
    share the CPU evenly unless the workers run at a lower priority (measured, 20,100-study ZIP,
    three alternating rounds: past the first batch 2.14x, 2.30x, 2.06x normalize-only at
    niceness 10 against 2.32x, 2.58x, 2.08x at 0).

    Ctrl-C reaches every process of the terminal's group. The writer stops, drops the shards not
    started and lets the running ones finish, so a worker has nothing to clean up, and would
    only print a traceback.

    The pool pickles a shard's result after `prepare_in_worker` returns, while the result still
    holds the shard's parsed records (about a million objects); one automatic collection then
    rescans them all, 0.3 s a shard, a third of the shard's work. Records are acyclic, so
    reference counting frees them, and `prepare_in_worker` collects what cycles remain.
    """
    os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()


def prepare_in_worker(zip_path: Path, shard: Shard, out_dir: Path) -> ShardResult:
    """`prepare_shard` in a worker process on the writer's machine (uncompressed table files).

    The previous shard's garbage is collected first, when only the modules and their caches are
    alive, and what survives is frozen out of later collections: each would otherwise walk the
    same ~95,000 objects again, 25-45 ms a shard.
    """
    gc.collect()
    gc.freeze()
    return prepare_shard(zip_path, shard, out_dir, compression="uncompressed")


class BuiltByWorker:
    """A `flows.loading.RowSource` over one worker's shard.

    The writer asks for the studies it writes, a subsequence of those the worker built; anything
    else means the two did not see the same records, and the batch must not load.
    """

    def __init__(self, result: ShardResult) -> None:
        self.result = result
        self.position = {nct: i for i, nct in enumerate(result.nct_ids)}

    def with_records(self, decisions: list[Decision]) -> list[Decision]:
        """New versions of stored studies get their record back (their events compare it)."""
        return [
            dataclasses.replace(
                d, study=dataclasses.replace(d.study, record=decompress_record(self._frame(d)))
            )
            if d.action is Action.NEW_VERSION
            else d
            for d in decisions
        ]

    def compressed(self, decisions: Sequence[Decision]) -> Callable[[], list[bytes]]:
        """The worker compressed every study already."""
        frames = [self._frame(d) for d in decisions if d.action in NEW_VERSIONS]
        return lambda: frames

    def normalized(self, to_write: Sequence[Decision], strict: frozenset[str]) -> NormalizedBatch:
        """The worker's rows of the studies to write."""
        result = self.result
        ids = [d.study.nct_id for d in to_write]
        asked = set(ids)
        order = [self.position.get(nct, -1) for nct in ids]
        if -1 in order or order != sorted(set(order)) or strict != result.strict & asked:
            raise ShardMismatch(f"shard {result.shard.number}: the writer asked for other studies")
        tables = read_shard_tables(result.folder)
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

    def _frame(self, decision: Decision) -> bytes:
        frame = self.result.frames.get(decision.study.nct_id)
        if frame is None:
            raise ShardMismatch(
                f"shard {self.result.shard.number}: no record of {decision.study.nct_id}"
            )
        return frame
