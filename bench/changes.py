"""Change detection: diffing 1,000 changed studies against their previous versions.

    .venv/bin/python -m bench.changes [--studies 200000] [--changed 1000] [--rounds 3]

Uses the warehouse bench/load.py built (`bench/out/load-<studies>.duckdb`), or builds it first.
`--changed` studies spread over the registry are edited the way the registry edits them
(bench/synthetic.registry_edit) and screened; then, timed, exactly what a load does to find their
events: read where each study stands (history.study_state), decide, read and decompress each
previous version (history.study_versions.raw_record), and diff the pairs into typed events
(transforms.changes.batch_events). Nothing is written, so every round diffs the same versions.
Figures: best of `--rounds`, in total and per study, and the share of each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import duckdb

from bench.common import emit
from bench.load import (
    changed_records,
    full_load,
    next_free_day,
    open_existing,
    open_fresh,
    spread_ids,
    warehouse_path,
)
from transforms.changes import batch_events
from transforms.screening import newest_per_study, screen
from transforms.versions import Action, LoadContext, decide
from warehouse import state
from warehouse.database import SchemaMismatch


def warehouse(studies: int) -> duckdb.DuckDBPyConnection:
    """The full-load warehouse of bench/load.py, built now if it is not there."""
    path = warehouse_path(studies)
    if path.exists():
        try:
            con = open_existing(path)
        except SchemaMismatch:
            print(f"{path} was built from other table declarations: building it again")
        else:
            held = con.execute("SELECT count(*) FROM history.study_state").fetchall()[0][0]
            if held >= studies:
                return con
            con.close()
    con = open_fresh(path)
    full_load(con, studies, baseline=False)
    return con


def diff_once(con: duckdb.DuckDBPyConnection, records: list, ctx: LoadContext) -> dict[str, float]:
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
    if len(keys) != len(records):
        raise SystemExit(f"expected {len(records)} new versions, got {len(keys)}")
    return {
        "screen_decide": decided - start,
        "read_previous": read - decided,
        "diff": done - read,
        "total": done - start,
        "events": float(len(events)),
    }


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=200_000)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    con = warehouse(args.studies)
    day = next_free_day(con)
    # not the studies bench/load.py edited: these still have their first version as the previous
    offset = max(args.studies // args.changed // 2, 1)
    ids = spread_ids(args.studies, args.changed, offset=offset)
    records = changed_records(ids, day.isoformat())
    when = dt.datetime.combine(day, dt.time(9))
    ctx = LoadContext("bench-changes", "api", when, when)
    best = min((diff_once(con, records, ctx) for _ in range(args.rounds)), key=lambda r: r["total"])
    con.close()
    n = len(records)
    return emit(
        "changes",
        {
            "warehouse studies": args.studies,
            "changed studies": n,
            "events found": int(best["events"]),
            f"diff {n:,} changed studies (s)": round(best["total"], 3),
            "per study (ms)": round(best["total"] * 1000 / n, 3),
            "  screen + decide (ms/study)": round(best["screen_decide"] * 1000 / n, 3),
            "  read previous versions (ms/study)": round(best["read_previous"] * 1000 / n, 3),
            "  diff into events (ms/study)": round(best["diff"] * 1000 / n, 3),
        },
    )


if __name__ == "__main__":
    main()
