"""Shared bench helpers: the sample's bytes, timing, peak memory, and printing figures.

Every figure is printed next to a baseline measured in the same run, because these machines are
noisy: read the ratios, not the absolute numbers. Where a measurement is cheap it is repeated and
the median is reported, the repeats of a figure and of its baseline interleaved so that a burst of
noise hits both.
"""

from __future__ import annotations

import gc
import hashlib
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flows.settings import Settings


def _study_files() -> list[Path]:
    files = sorted(Settings().studies_dir.glob("*.json"))
    if not files:
        sys.exit(
            f"no sample studies in {Settings().studies_dir}; "
            "set TRIALSYNC_SAMPLE_DIR or run `make sample`"
        )
    return files


def sample_bytes(limit: int | None = None) -> list[bytes]:
    """The raw bytes of every complete sample study (the settings' sample folder)."""
    return [p.read_bytes() for p in _study_files()[:limit]]


def sample_key() -> str:
    """A short key of the sample's files (names and sizes): changes when the sample does."""
    listing = "\n".join(f"{p.name} {p.stat().st_size}" for p in _study_files())
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def repeat_to(items: list[Any], at_least: int) -> list[Any]:
    """`items` repeated until there are at least `at_least` of them."""
    times = -(-at_least // len(items))
    return (items * times)[: max(at_least, len(items))]


def seconds(fn: Callable[[], Any]) -> float:
    """Wall seconds of one call (GC collected first, so earlier garbage is not billed to it)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(runs: int, fns: Sequence[Callable[[], Any]]) -> list[float]:
    """Median seconds of each function over `runs` rounds, the functions taking turns."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for n, fn in enumerate(fns):
            times[n].append(seconds(fn))
    return [statistics.median(t) for t in times]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Print one benchmark's figures (human lines, then one JSON line for bench.report)."""
    print(f"== {name}")
    for key, value in figures.items():
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, float):
            shown = f"{value:,.2f}"
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = str(value)
        print(f"  {key:<56} {shown}")
    print("BENCH " + json.dumps({"bench": name, **figures}, default=str), flush=True)
    return figures


def out_dir() -> Path:
    """Scratch folder for benchmark files (ignored by git)."""
    path = Path(__file__).resolve().parent / "out"
    path.mkdir(exist_ok=True)
    return path
