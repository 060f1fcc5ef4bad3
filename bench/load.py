"""Full load of a synthetic registry, and incremental loads whose cost must follow the changes.

    .venv/bin/python -m bench.load [--full-studies 6700] [--bulk-studies 20100]
                                   [--registry-studies 200000]
                                   [--studies 200000] [--small 2000]
                                   [--changed 1000] [--rounds 5] [--split-rounds 3]

1. Full load: `--full-studies` synthetic studies (bench/synthetic.py; default ten times the
   sample) into a fresh warehouse through `flows.loading.load_records` in 1,000-study batches, as
   a bulk load does. Before each batch, the normalize-only baseline on the same batch (parse +
   normalize, as bench/normalize.py). Figures: studies/s of both, their ratio, and the peak RSS of
   this process right after the full load.
   Then `load-bulk` of a ZIP of `--bulk-studies` synthetic studies (default three times the full
   load, so that worker start-up weighs less): its load step as `TRIALSYNC_TASK_RUNNER=local`
   (this process) and `=auto`, the default (at this size on more than one CPU: shards prepared
   by worker processes beside the writer), each into a fresh data folder, against the
   normalize-only baseline of the same studies.
   Then the registry load: `load-bulk` (`auto`) of a ZIP of `--registry-studies` synthetic
   studies, the issue's full load at registry scale (start-up amortized, every checkpoint of
   a growing warehouse paid), against the normalize-only baseline of the same studies.
2. Incremental: `--changed` studies spread over the registry, edited the way the registry edits
   them (bench/synthetic.registry_edit: a field edit and a new lastUpdatePostDate), loaded as one
   batch into a copy of the cached `--studies` warehouse, and the same into a `--small` one. And
   a batch of as many brand-new studies into each (what a backfill does at that size). Median of
   `--rounds`, the loads alternating, each round a new day (so each edit is a real new version).
   Target: big / small <= 2, i.e. the cost follows the changes, not the registry.
3. Checkpoint split (run first, on the fresh copies): `--split-rounds` new-study batches into
   each, with DuckDB's automatic checkpoint held off, then an explicit CHECKPOINT, timed apart
   (which of the two grows with the warehouse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bench.bulk import build_zip
from bench.common import emit, out_dir, peak_rss_mb
from bench.normalize import normalize_batch
from bench.synthetic import (
    T0,
    load_batch,
    open_warehouse,
    parse,
    registry_edit,
    sample_size,
    synthetic_batches,
    synthetic_blob,
    working_copy,
)
from flows.ingest import RunMeta
from flows.loading import load_records
from flows.runs import RunReport
from flows.scopes import Scope
from flows.settings import Settings
from flows.zip_loading import available_cpus, bulk_task_runner, load_zip
from transforms.versions import Action, LoadContext
from warehouse.raw import RawStore

# What `trialsync` has imported before any load (Prefect with it), so that the timed load step
# does not include the import `flows.zip_loading` makes on first use of the workers.
importlib.import_module("flows.sharding")

RUN_ID = "20261120T090005Z-bench0"


def _normalize_only(blobs: list[bytes]) -> float:
    start = time.perf_counter()
    normalize_batch(blobs)
    return time.perf_counter() - start


def full_load(studies: int) -> dict[str, float]:
    """Seconds to load `studies` studies into a fresh warehouse, and to only normalize them."""
    path = out_dir() / "load-full.duckdb"
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    con = open_warehouse(path)
    load_s = norm_s = 0.0
    for blobs in synthetic_batches(studies):
        norm_s += _normalize_only(blobs)
        start = time.perf_counter()
        load_batch(con, blobs)
        load_s += time.perf_counter() - start
    start = time.perf_counter()
    con.execute("CHECKPOINT")
    load_s += time.perf_counter() - start
    con.close()
    path.unlink()
    return {"load_s": load_s, "normalize_s": norm_s}


@dataclass
class BulkTiming:
    """One timed load of a bulk ZIP."""

    seconds: float  # the load step, then a CHECKPOINT
    first_batch_s: float  # until the first batch committed (worker start-up included)
    first_batch_studies: int

    def rate_past_first_batch(self, studies: int) -> float:
        """Studies/s once the first batch is in: what a 600,000-study backfill runs at."""
        return (studies - self.first_batch_studies) / (self.seconds - self.first_batch_s)


def bulk_zip_load(zip_path: Path, runner: str, studies: int) -> BulkTiming:
    """Time `trialsync load-bulk` loading `zip_path`: its load step, then a CHECKPOINT.

    The ZIP is landed first (hard-linked into a fresh data folder) and not timed, as the run's
    own copying and checking is not part of loading. `runner` is `TRIALSYNC_TASK_RUNNER`, and the
    ZIP is loaded the way `load-bulk` picks under it (`flows.zip_loading.load_zip`).
    """
    data_dir = out_dir() / f"load-bulk-{runner}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    settings = Settings(data_dir=data_dir, task_runner=runner)
    con = open_warehouse(data_dir / "trialsync.duckdb")
    raw = RawStore(data_dir / "raw")
    meta = RunMeta("load-bulk", "bulk", Scope().key, Scope().model_dump_json(), False)
    landing = raw.start_run(RUN_ID, meta.as_dict())
    target = landing.bulk_target()
    target.hardlink_to(zip_path)
    landed = landing.record_bulk(
        target, study_count=studies, data_timestamp=T0.isoformat(), fetched_at=T0
    )
    report = RunReport(RUN_ID, "load-bulk")
    first: list[tuple[float, int]] = []

    def progress(batches: int, batch_studies: int) -> None:
        if not first:
            first.append((time.perf_counter() - start, batch_studies))

    start = time.perf_counter()
    load_zip(settings, con, raw, landed, meta, report, progress)
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - start
    con.close()
    if report.outcome.actions.get(Action.ADD.value) != studies:
        raise SystemExit(f"{runner}: expected {studies} added, got {dict(report.outcome.actions)}")
    shutil.rmtree(data_dir)
    return BulkTiming(seconds, *first[0])


def bulk_loads(studies: int) -> dict[str, object]:
    """load-bulk of a ZIP of `studies` synthetic studies, in this process and as `auto` picks.

    Each against the normalize-only baseline of the same studies (`_bulk_against_normalize`).
    Two rates each: all in, and past the first batch (worker processes take a few seconds to
    start before their first shard, which a 600,000-study backfill pays once).
    """
    figures: dict[str, object] = {"load-bulk studies": studies}
    with tempfile.TemporaryDirectory(dir=out_dir()) as tmp:
        zip_path = build_zip(studies, Path(tmp))
        figures["load-bulk (auto) runs as"] = bulk_task_runner(
            Settings(task_runner="auto"), studies, available_cpus()
        )
        for runner in ("local", "auto"):
            timing, normalize_s = _bulk_against_normalize(zip_path, runner, studies)
            norm_rate = studies / normalize_s
            past_first = timing.rate_past_first_batch(studies)
            figures |= {
                f"normalize-only studies/s (baseline of load-bulk ({runner}))": round(norm_rate),
                f"load-bulk ({runner}) studies/s": round(studies / timing.seconds),
                f"load-bulk ({runner}) / normalize-only time": round(
                    timing.seconds / normalize_s, 2
                ),
                f"load-bulk ({runner}) studies/s past the first batch": round(past_first),
                f"load-bulk ({runner}) past the first batch / normalize-only time": round(
                    norm_rate / past_first, 2
                ),
            }
    return figures


def registry_load(studies: int) -> dict[str, object]:
    """`load-bulk`'s load step as configured (`auto`) for a whole synthetic registry.

    At this size the workers' start-up weighs little, and the checkpoints of a warehouse that
    grows to `studies` are all paid: what a backfill pays. Against the normalize-only baseline
    of the same studies, timed right before and right after it.
    """
    with tempfile.TemporaryDirectory(dir=out_dir()) as tmp:
        zip_path = build_zip(studies, Path(tmp))
        timing, normalize_s = _bulk_against_normalize(zip_path, "auto", studies)
    return {
        "registry load studies": studies,
        "registry load (auto) studies/s": round(studies / timing.seconds),
        "normalize-only studies/s (baseline of the registry load)": round(studies / normalize_s),
        "registry load / normalize-only time": round(timing.seconds / normalize_s, 2),
        "registry load past the first batch / normalize-only time": round(
            studies / normalize_s / timing.rate_past_first_batch(studies), 2
        ),
        "peak RSS MB of this process (writer) after the registry load": round(peak_rss_mb()),
        "peak RSS MB of the largest worker": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
    }


def _bulk_against_normalize(zip_path: Path, runner: str, studies: int) -> tuple[BulkTiming, float]:
    """`bulk_zip_load`, and the normalize-only seconds of the same studies timed right before
    and right after it (the mean of the two: on these machines the rate drifts by a fifth
    within minutes)."""
    before = _normalize_only_all(studies)
    timing = bulk_zip_load(zip_path, runner, studies)
    return timing, (before + _normalize_only_all(studies)) / 2


def _normalize_only_all(studies: int) -> float:
    return sum(_normalize_only(blobs) for blobs in synthetic_batches(studies))


def spread_ids(studies: int, changed: int, *, offset: int = 0) -> list[int]:
    """`changed` study numbers spread evenly over the registry (shifted by `offset`)."""
    step = max(studies // changed, 1)
    return [(i + offset) % studies for i in range(0, studies, step)][:changed]


def changed_records(ids: list[int], day: str) -> list[dict[str, Any]]:
    """The given synthetic studies, edited and posted on `day`."""
    records = parse([synthetic_blob(i) for i in ids])
    return [registry_edit(record, kind, day) for kind, record in enumerate(records)]


def next_free_day(con: duckdb.DuckDBPyConnection) -> dt.date:
    """A posting day after every version in the warehouse (so each edit is newer)."""
    rows = con.execute("SELECT max(last_update_post_date) FROM history.study_state").fetchall()
    newest = rows[0][0]
    return max(newest or dt.date(2026, 12, 31), dt.date(2026, 12, 31)) + dt.timedelta(days=1)


def _timed_load(
    con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]], day: dt.date, action: Action
) -> float:
    """Seconds to load `records` as one batch; checks every record did `action`."""
    when = dt.datetime.combine(day, dt.time(9))
    ctx = LoadContext(f"bench-{action.value}-{day}", "api", when, when)
    start = time.perf_counter()
    outcome = load_records(con, records, ctx)
    seconds = time.perf_counter() - start
    if outcome.actions.get(action.value) != len(records):
        raise SystemExit(f"expected {len(records)} x {action.value}, got {dict(outcome.actions)}")
    return seconds


class Incremental:
    """A warehouse copy taking the same kind of batches, round after round."""

    def __init__(self, studies: int, changed: int) -> None:
        self.studies, self.changed = studies, changed
        self.path = working_copy(studies, f"load-incremental-{studies}")
        self.con = open_warehouse(self.path)
        self.day = next_free_day(self.con)
        self.times: dict[str, list[float]] = {
            "changed": [],
            "new": [],
            "new without checkpoint": [],
            "checkpoint": [],
            "wal MB": [],
        }

    def round(self, n: int) -> None:
        """Load one batch of edits, then one batch of new studies (built before the clock)."""
        day = self.day + dt.timedelta(days=n)
        edited = changed_records(spread_ids(self.studies, self.changed), day.isoformat())
        self.times["changed"].append(_timed_load(self.con, edited, day, Action.NEW_VERSION))
        first = self.studies + n * self.changed
        fresh = parse([synthetic_blob(i) for i in range(first, first + self.changed)])
        self.times["new"].append(_timed_load(self.con, fresh, day, Action.ADD))

    def split_round(self, n: int) -> None:
        """A batch of new studies with DuckDB's automatic checkpoint held off, then a CHECKPOINT.

        A 1,000-study commit writes more than DuckDB's default 16 MB of WAL, under which every
        batch would end in an automatic checkpoint (the writer raises the limit, see settings);
        timing the two apart shows which one grows with the warehouse.
        """
        first = self.studies + n * self.changed
        fresh = parse([synthetic_blob(i) for i in range(first, first + self.changed)])
        rows = self.con.execute("SELECT current_setting('wal_autocheckpoint')").fetchall()
        self.con.execute("SET wal_autocheckpoint = '1TB'")
        try:
            day = self.day + dt.timedelta(days=n)
            self.times["new without checkpoint"].append(
                _timed_load(self.con, fresh, day, Action.ADD)
            )
            wal = self.path.with_name(self.path.name + ".wal")
            self.times["wal MB"].append(wal.stat().st_size / 1e6 if wal.exists() else 0.0)
            start = time.perf_counter()
            self.con.execute("CHECKPOINT")
            self.times["checkpoint"].append(time.perf_counter() - start)
        finally:  # as configured, not DuckDB's 16 MB, for the rounds that follow
            self.con.execute("SET wal_autocheckpoint = ?", [rows[0][0]])

    def median(self, kind: str) -> float:
        """Median seconds of one kind of batch."""
        return statistics.median(self.times[kind])

    def close(self) -> None:
        """Drop the copy."""
        self.con.close()
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            path.unlink(missing_ok=True)


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full-studies", type=int, help="default: ten times the sample")
    parser.add_argument("--bulk-studies", type=int, help="default: three times --full-studies")
    parser.add_argument("--studies", type=int, default=200_000)
    parser.add_argument(
        "--registry-studies", type=int, default=200_000, help="the registry load (0: skip it)"
    )
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--split-rounds", type=int, default=3, help="new-study batches timed apart from checkpoint"
    )
    args = parser.parse_args()
    n_full = args.full_studies or 10 * sample_size()
    full = full_load(n_full)
    figures: dict[str, object] = {
        "full load studies": n_full,
        "full load studies/s": round(n_full / full["load_s"]),
        "normalize-only studies/s (baseline, same batches)": round(n_full / full["normalize_s"]),
        "full load / normalize-only time": round(full["load_s"] / full["normalize_s"], 2),
        "peak RSS MB (after the full load)": round(peak_rss_mb()),
    }
    figures |= bulk_loads(args.bulk_studies or 3 * n_full)
    if args.registry_studies:
        figures |= registry_load(args.registry_studies)
    big, small = Incremental(args.studies, args.changed), Incremental(args.small, args.changed)
    try:
        # the split first, on the fresh copies: after the edit rounds, the small copy has had
        # half its studies rewritten several times, and its checkpoints carry those deletes
        for n in range(args.split_rounds):
            for side in (big, small) if n % 2 == 0 else (small, big):
                side.split_round(args.rounds + n)
        for n in range(args.rounds):
            for side in (big, small) if n % 2 == 0 else (small, big):
                side.round(n)
    finally:
        big.close()
        small.close()
    figures |= {
        "registry studies": args.studies,
        "small registry studies": args.small,
        "batch studies": args.changed,
        "changed batch into registry (s)": round(big.median("changed"), 3),
        "changed batch into small registry (s, baseline)": round(small.median("changed"), 3),
        "changed batch: registry / small": round(
            big.median("changed") / small.median("changed"), 2
        ),
        "new-study batch into registry (s)": round(big.median("new"), 3),
        "new-study batch into small registry (s, baseline)": round(small.median("new"), 3),
        "new-study batch: registry / small": round(big.median("new") / small.median("new"), 2),
        "rounds (median)": args.rounds,
    }
    if args.split_rounds:
        for kind in ("new without checkpoint", "checkpoint"):
            figures |= {
                f"{kind}, registry (s)": round(big.median(kind), 3),
                f"{kind}, small registry (s)": round(small.median(kind), 3),
            }
        figures["WAL MB of one new-study batch"] = round(big.median("wal MB"), 1)
        figures["split rounds (median)"] = args.split_rounds
    return emit("load", figures)


if __name__ == "__main__":
    main()
