"""Full load of a synthetic registry, and incremental loads whose cost must follow the changes.

    .venv/bin/python -m bench.load [--studies 200000] [--changed 1000] [--small 2000] [--rounds 3]

1. Full load: `--studies` synthetic studies (bench/synthetic.py) into a fresh warehouse file
   (`bench/out/load-<studies>.duckdb`, kept for bench/changes.py) through
   `flows.loading.load_records` in 1,000-study batches, as a bulk load does. Beside it, on the
   same batches in the same run, the normalize-only baseline (parse + normalize, as
   bench/normalize.py). Figures: studies/s of both, their ratio (target: the load within 2x of
   normalize-only), and peak RSS.
2. Incremental: `--changed` studies spread over the registry, edited the way the registry edits
   them (bench/synthetic.registry_edit: a field edit and a new lastUpdatePostDate), loaded as one
   batch into the full warehouse, and the same into a `--small` warehouse. Best of `--rounds`,
   the two alternating (each round a new day, so each is a real new version). Target:
   full / small <= 2, i.e. the cost follows the changes, not the registry.

The default size takes a while on a 2-core machine; CI never runs this (`--studies` is small there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import Any

import duckdb

from bench.common import emit, out_dir, peak_rss_mb
from bench.synthetic import parse, registry_edit, synthetic_batches, synthetic_blob
from flows.loading import LoadOutcome, load_records
from schemas import codec
from schemas.tables import ALL_TABLES, ALL_VIEWS, schema_fingerprint
from transforms.normalize import gc_paused, normalize
from transforms.versions import LoadContext
from warehouse.database import connect, ensure_schema

T0 = dt.datetime(2026, 11, 20, 9, 0, 5)


def warehouse_path(studies: int) -> Path:
    """Where the full-load warehouse of `studies` studies is kept."""
    return out_dir() / f"load-{studies}.duckdb"


WAL_AUTOCHECKPOINT: list[str] = []  # set from --wal-autocheckpoint


def open_fresh(path: Path) -> duckdb.DuckDBPyConnection:
    """A new, empty warehouse file at `path` (any old one is removed)."""
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    return open_existing(path)


def open_existing(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse at `path`, with the declared tables (SchemaMismatch if built from others)."""
    con = connect(path)
    for size in WAL_AUTOCHECKPOINT:
        con.execute("SET wal_autocheckpoint = ?", [size])
    ensure_schema(con, ALL_TABLES, schema_fingerprint(), ALL_VIEWS)
    return con


def _normalize_only(blobs: list[bytes]) -> float:
    start = time.perf_counter()
    with gc_paused():
        records = parse(blobs)
        pairs = [(r["protocolSection"]["identificationModule"]["nctId"], r) for r in records]
    normalize(pairs)
    return time.perf_counter() - start


def full_load(con: duckdb.DuckDBPyConnection, studies: int, *, baseline: bool) -> dict[str, float]:
    """Load `studies` synthetic studies; seconds of the load, and of normalize-only if asked."""
    ctx = LoadContext(run_id="bench-full", source="bulk", data_timestamp=T0, fetched_at=T0)
    load_s = norm_s = 0.0
    for blobs in synthetic_batches(studies):
        if baseline:
            norm_s += _normalize_only(blobs)
        start = time.perf_counter()
        with gc_paused():
            records = parse(blobs)
        load_records(con, records, ctx, emit_added=False)
        load_s += time.perf_counter() - start
    start = time.perf_counter()
    con.execute("CHECKPOINT")
    load_s += time.perf_counter() - start
    return {"load_s": load_s, "normalize_s": norm_s}


def spread_ids(studies: int, changed: int, *, offset: int = 0) -> list[int]:
    """`changed` study numbers spread evenly over the registry (shifted by `offset`)."""
    step = max(studies // changed, 1)
    return [(i + offset) % studies for i in range(0, studies, step)][:changed]


def changed_records(ids: list[int], day: str) -> list[dict[str, Any]]:
    """The given synthetic studies, edited and posted on `day`."""
    records = parse([synthetic_blob(i) for i in ids])
    return [registry_edit(record, kind, day) for kind, record in enumerate(records)]


def incremental(
    con: duckdb.DuckDBPyConnection, ids: list[int], day: dt.date
) -> tuple[float, LoadOutcome]:
    """Seconds to load the edited `ids` as one batch (the records are built beforehand)."""
    records = changed_records(ids, day.isoformat())
    when = dt.datetime.combine(day, dt.time(9))
    ctx = LoadContext(
        run_id=f"bench-incr-{day}", source="api", data_timestamp=when, fetched_at=when
    )
    start = time.perf_counter()
    outcome = load_records(con, records, ctx)
    seconds = time.perf_counter() - start
    if outcome.actions.get("new_version") != len(ids):
        raise SystemExit(f"expected {len(ids)} new versions, got {dict(outcome.actions)}")
    return seconds, outcome


def compare_incremental(
    big: duckdb.DuckDBPyConnection,
    big_ids: list[int],
    small: duckdb.DuckDBPyConnection,
    small_ids: list[int],
    rounds: int,
) -> tuple[float, float, LoadOutcome]:
    """Best-of-`rounds` seconds of each, the two loads alternating (this machine is noisy)."""
    first = max(next_free_day(big), next_free_day(small))
    big_best = small_best = float("inf")
    outcome = LoadOutcome()
    for n in range(rounds):
        day = first + dt.timedelta(days=n)
        seconds, outcome = incremental(big, big_ids, day)
        big_best = min(big_best, seconds)
        small_best = min(small_best, incremental(small, small_ids, day)[0])
    return big_best, small_best, outcome


def next_free_day(con: duckdb.DuckDBPyConnection) -> dt.date:
    """A posting day after every version in the warehouse (so each edit is newer)."""
    newest = con.execute("SELECT max(last_update_post_date) FROM history.study_state").fetchall()[
        0
    ][0]
    return max(newest or dt.date(2026, 12, 31), dt.date(2026, 12, 31)) + dt.timedelta(days=1)


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=200_000)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--wal-autocheckpoint",
        help="What-if: DuckDB wal_autocheckpoint for both warehouses (default: DuckDB's 16MB).",
    )
    parser.add_argument(
        "--zstd-level",
        type=int,
        help="What-if: zstd level of the stored records (schemas/codec.py; default: its own).",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Reuse a full warehouse built before (incremental only).",
    )
    args = parser.parse_args()
    if args.wal_autocheckpoint:
        WAL_AUTOCHECKPOINT.append(args.wal_autocheckpoint)
    if args.zstd_level is not None:
        codec._LEVEL = args.zstd_level  # a what-if for this process only

    big_path = warehouse_path(args.studies)
    small_path = out_dir() / f"load-small-{args.small}.duckdb"
    figures: dict[str, object] = {"studies": args.studies}
    if args.wal_autocheckpoint:
        figures["DuckDB wal_autocheckpoint (what-if)"] = args.wal_autocheckpoint
    if args.zstd_level is not None:
        figures["zstd level of stored records (what-if)"] = args.zstd_level
    if args.reuse and big_path.exists():
        big = open_existing(big_path)
    else:
        big = open_fresh(big_path)
        full = full_load(big, args.studies, baseline=True)
        figures |= {
            "full load studies/s": round(args.studies / full["load_s"]),
            "normalize-only studies/s (baseline, same batches)": round(
                args.studies / full["normalize_s"]
            ),
            "full load / normalize-only time (target <= 2)": round(
                full["load_s"] / full["normalize_s"], 2
            ),
            "peak RSS MB (after the full load)": round(peak_rss_mb()),
        }
    small = open_fresh(small_path)
    full_load(small, args.small, baseline=False)
    big_s, small_s, outcome = compare_incremental(
        big,
        spread_ids(args.studies, args.changed),
        small,
        spread_ids(args.small, args.changed),
        args.rounds,
    )
    for con in (big, small):
        con.execute("CHECKPOINT")
        con.close()
    for leftover in (small_path, small_path.with_name(small_path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return emit(
        "load",
        figures
        | {
            "warehouse file MB": round(big_path.stat().st_size / 1e6),
            f"incremental {args.changed} changed into {args.studies:,} (s)": round(big_s, 3),
            f"incremental {args.changed} changed into {args.small:,} (s)": round(small_s, 3),
            "incremental ratio full / small (target <= 2)": round(big_s / small_s, 2),
            "incremental new versions": outcome.actions.get("new_version", 0),
            "incremental events": sum(outcome.events.values()),
        },
    )


if __name__ == "__main__":
    main()
