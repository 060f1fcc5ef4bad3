"""Normalize throughput on one core, beside an orjson parse-only baseline on the same bytes.

    .venv/bin/python -m bench.normalize [--studies 20000]

Every sample study is repeated to at least 20,000 studies and processed in 1,000-study batches, as a
load does. Three figures, best of 3 each:
- parse only: `orjson.loads` of each study's bytes (the baseline);
- normalize: parse + flatten into every ctgov table's Arrow table;
- screen + normalize: parse + envelope check + drift walk + both content hashes + flatten, i.e.
  everything the load path does in Python before DuckDB.
"""

from __future__ import annotations

import argparse

import orjson

from bench.common import best_of, emit, repeat_to, sample_bytes
from transforms.normalize import gc_paused, normalize
from transforms.screening import screen

BATCH = 1000


def _batches(blobs: list[bytes]) -> list[list[bytes]]:
    return [blobs[i : i + BATCH] for i in range(0, len(blobs), BATCH)]


def parse_only(batches: list[list[bytes]]) -> None:
    for batch in batches:
        with gc_paused():
            [orjson.loads(b) for b in batch]


def parse_and_normalize(batches: list[list[bytes]]) -> None:
    for batch in batches:
        with gc_paused():
            records = [orjson.loads(b) for b in batch]
            pairs = [(r["protocolSection"]["identificationModule"]["nctId"], r) for r in records]
        normalize(pairs)


def screen_and_normalize(batches: list[list[bytes]]) -> None:
    for batch in batches:
        with gc_paused():
            screened = screen([orjson.loads(b) for b in batch])
        normalize([(s.nct_id, s.record) for s in screened.studies])


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    blobs = repeat_to(sample_bytes(), args.studies)
    batches = _batches(blobs)
    n = len(blobs)
    megabytes = sum(map(len, blobs)) / 1e6
    parse_s = best_of(args.runs, lambda: parse_only(batches))
    norm_s = best_of(args.runs, lambda: parse_and_normalize(batches))
    full_s = best_of(args.runs, lambda: screen_and_normalize(batches))
    return emit(
        "normalize",
        {
            "studies": n,
            "input MB": round(megabytes, 1),
            "parse-only studies/s (baseline)": round(n / parse_s),
            "normalize studies/s": round(n / norm_s),
            "normalize / parse-only": round(parse_s / norm_s, 3),
            "screen+normalize studies/s": round(n / full_s),
            "screen+normalize / parse-only": round(parse_s / full_s, 3),
        },
    )


if __name__ == "__main__":
    main()
