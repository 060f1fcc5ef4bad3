"""Change detection: diffing 1,000 changed studies against their previous versions, at two sizes.

    .venv/bin/python -m bench.changes [--studies 200000] [--small 2000] [--changed 1000]
                                      [--rounds 5]

Uses the cached synthetic warehouses (bench/synthetic.py), opened read-only: nothing is written, so
every round diffs the same versions. `--changed` studies spread over the registry are edited the
way the registry edits them (bench/synthetic.registry_edit) and screened; then, timed, exactly
what a load does to find their events: read where each study stands (history.study_state),
decide, read and decompress each previous version (history.study_versions.raw_record), and diff
the pairs into typed events (transforms.changes.batch_events). The same in the `--small`
warehouse is the baseline. Figures: median of `--rounds` (the two sizes taking turns), in total
and per study, and the share of each step at the big size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any

import duckdb

from bench.common import emit
from bench.load import changed_records, next_free_day, spread_ids
from bench.synthetic import open_warehouse, warehouse
from transforms.changes import batch_events
from transforms.screening import newest_per_study, screen
from transforms.versions import Action, LoadContext, decide
from warehouse import state

STEPS = ("screen_decide", "read_previous", "diff", "total")


def diff_once(
    con: duckdb.DuckDBPyConnection, records: list[Any], ctx: LoadContext
) -> dict[str, float]:
    """One timed pass: seconds per step, and how many events came out."""
    start = time.perf_counter()
    studies = newest_per_study(screen(records).studies)
    decisions = decide(studies, state.study_states(con, [s.nct_id for s in studies]))
    decided = time.perf_counter()
    keys = [
        (d.study.nct_id, d.previous_version_no or 0)
        for d in decisions
        if d.action is Action.NEW_VERSION
    ]
    previous = state.version_records(con, keys)
    read = time.perf_counter()
    events = batch_events(decisions, previous, ctx, emit_added=True)
    done = time.perf_counter()
    if len(keys) != len(records) or len(previous) != len(records):
        raise SystemExit(f"expected {len(records)} new versions, got {len(keys)}")
    return {
        "screen_decide": decided - start,
        "read_previous": read - decided,
        "diff": done - read,
        "total": done - start,
        "events": float(len(events)),
    }


class Side:
    """One warehouse size: its connection, its edited records, and its timings."""

    def __init__(self, studies: int, changed: int) -> None:
        path, _ = warehouse(studies)
        self.con = open_warehouse(path, read_only=True)
        day = next_free_day(self.con)
        self.records = changed_records(spread_ids(studies, changed), day.isoformat())
        when = dt.datetime.combine(day, dt.time(9))
        self.ctx = LoadContext("bench-changes", "api", when, when)
        self.runs: list[dict[str, float]] = []

    def run(self) -> None:
        """One timed pass."""
        self.runs.append(diff_once(self.con, self.records, self.ctx))

    def median(self, step: str) -> float:
        """Median seconds of one step."""
        return statistics.median(r[step] for r in self.runs)


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    big, small = Side(args.studies, args.changed), Side(args.small, args.changed)
    for n in range(args.rounds):
        for side in (big, small) if n % 2 == 0 else (small, big):
            side.run()
    for side in (big, small):
        side.con.close()
    n = len(big.records)
    ms = {step: big.median(step) * 1000 / n for step in STEPS}
    return emit(
        "changes",
        {
            "registry studies": args.studies,
            "small registry studies": args.small,
            "changed studies": n,
            "events found": int(big.runs[0]["events"]),
            "change detection ms/study, registry": round(ms["total"], 3),
            "change detection ms/study, small registry (baseline)": round(
                small.median("total") * 1000 / n, 3
            ),
            "change detection: registry / small": round(
                big.median("total") / small.median("total"), 2
            ),
            "  screen + decide ms/study, registry": round(ms["screen_decide"], 3),
            "  read previous versions ms/study, registry": round(ms["read_previous"], 3),
            "  diff into events ms/study, registry": round(ms["diff"], 3),
            "rounds (median)": args.rounds,
        },
    )


if __name__ == "__main__":
    main()
