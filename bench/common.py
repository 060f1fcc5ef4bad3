"""Shared bench helpers: the sample's bytes, timing, peak memory, and printing figures.

Every figure is printed next to a baseline measured in the same run, because these machines are
noisy: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.settings import Settings


def sample_bytes(limit: int | None = None) -> list[bytes]:
    """The raw bytes of every complete sample study (the settings' sample folder)."""
    files = sorted(Settings().studies_dir.glob("*.json"))
    if not files:
        sys.exit(
            f"no sample studies in {Settings().studies_dir}; set TRIALSYNC_SAMPLE_DIR or run `make sample`"
        )
    return [p.read_bytes() for p in files[:limit]]


def repeat_to(items: list[Any], at_least: int) -> list[Any]:
    """`items` repeated until there are at least `at_least` of them."""
    times = -(-at_least // len(items))
    return (items * times)[: max(at_least, len(items))]


def best_of(runs: int, fn: Callable[[], Any]) -> float:
    """The fastest of `runs` timed calls, in seconds (GC collected before each)."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Print one benchmark's figures (human lines, then one JSON line for bench.report)."""
    print(f"== {name}")
    for key, value in figures.items():
        shown = (
            f"{value:,.2f}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else value
        )
        print(f"  {key:<48} {shown}")
    print("BENCH " + json.dumps({"bench": name, **figures}, default=str))
    return figures


def out_dir() -> Path:
    """Scratch folder for benchmark files (ignored by git)."""
    path = Path(__file__).resolve().parent / "out"
    path.mkdir(exist_ok=True)
    return path
