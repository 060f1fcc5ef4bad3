"""Normalize throughput on one core, beside an orjson parse-only baseline on the same bytes.

    .venv/bin/python -m bench.normalize [--studies 20100] [--runs 3]

The sample is repeated to `--studies` studies (default: the smallest whole number of sample
copies that reaches 20,000, so every record weighs the same) and processed in 1,000-study
batches, as a load does. Three figures, each the
median of `--runs` rounds in which the three take turns:
- parse only: `orjson.loads` of each study's bytes (the baseline);
- normalize: parse + flatten into every ctgov table's Arrow table;
- screen + normalize: parse + envelope check + drift walk + both content hashes + flatten, i.e.
  everything the load path does in Python before DuckDB.
"""

from __future__ import annotations

import argparse

import orjson

from bench.common import emit, interleaved, repeat_to, sample_bytes
from transforms.normalize import gc_paused, normalize
from transforms.screening import screen

BATCH = 1000


def _batches(blobs: list[bytes]) -> list[list[bytes]]:
    return [blobs[i : i + BATCH] for i in range(0, len(blobs), BATCH)]


def parse_only(batches: list[list[bytes]]) -> None:
    """orjson.loads of every study (the baseline)."""
    for batch in batches:
        _parsed(batch)


def parse_and_normalize(batches: list[list[bytes]]) -> None:
    """Parse, then flatten into every ctgov table."""
    for batch in batches:
        normalize_batch(batch)


def screen_and_normalize(batches: list[list[bytes]]) -> None:
    """Parse, screen (envelope, drift, hashes), then flatten: the load path before DuckDB."""
    for batch in batches:
        _screened_and_normalized(batch)


# Each batch's work runs with the GC paused for the records' whole life, as the load does it
# (`flows.ingest`): they are freed as the function returns, before the GC comes back.


@gc_paused()
def _parsed(batch: list[bytes]) -> None:
    [orjson.loads(b) for b in batch]


@gc_paused()
def normalize_batch(batch: list[bytes]) -> None:
    """Parse and normalize one batch: the normalize-only baseline of bench.load too."""
    records = [orjson.loads(b) for b in batch]
    normalize([(r["protocolSection"]["identificationModule"]["nctId"], r) for r in records])


@gc_paused()
def _screened_and_normalized(batch: list[bytes]) -> None:
    screened = screen([orjson.loads(b) for b in batch])
    normalize([(s.nct_id, s.record) for s in screened.studies])


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, help="default: whole sample copies to >= 20,000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sample = sample_bytes()
    blobs = repeat_to(sample, args.studies or -(-20_000 // len(sample)) * len(sample))
    batches = _batches(blobs)
    n = len(blobs)
    parse_s, norm_s, full_s = interleaved(
        args.runs,
        [
            lambda: parse_only(batches),
            lambda: parse_and_normalize(batches),
            lambda: screen_and_normalize(batches),
        ],
    )
    return emit(
        "normalize",
        {
            "studies": n,
            "input MB": round(sum(map(len, blobs)) / 1e6, 1),
            "parse-only studies/s (baseline)": round(n / parse_s),
            "normalize studies/s": round(n / norm_s),
            "normalize ms/study": round(norm_s * 1000 / n, 3),
            "normalize / parse-only time": round(norm_s / parse_s, 1),
            "screen+normalize studies/s": round(n / full_s),
            "screen+normalize / parse-only time": round(full_s / parse_s, 1),
            "runs (median)": args.runs,
        },
    )


if __name__ == "__main__":
    main()
