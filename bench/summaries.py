"""Plain-language summaries over every sample study: the metrics of plain-language.md §5.2.

Run: `.venv/bin/python -m bench.summaries [--json out.json]`. Prints one table (metric, value,
target, status) and exits 1 when a hard gate fails. Every figure is computed from the generator's
own sentence lists, the independent verifier and the rendered pages; nothing is sampled.
Timings are CPU time (process_time), best of three, so a busy machine inflates them less.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from bench.common import emit, sample_bytes
from bench.summary_metrics import Totals, core_ms, digest_all, measure, undefined_jargon
from transforms.normalize import normalize
from transforms.summaries.readability import READABILITY_IMPL
from transforms.summaries.templates import TEMPLATE_SET_VERSION

__all__ = ["Totals", "main", "measure", "rows", "undefined_jargon"]

Row = tuple[
    str, str, str, str, bool | None
]  # metric, value, target, notes, hard gate (None: report)


def _pct(n: int, d: int) -> float:
    return 100.0 * n / d if d else 100.0


def _p90(values: Sequence[float]) -> float:
    return sorted(values)[max(0, int(round(0.9 * len(values))) - 1)] if values else 0.0


def _cross(same: bool | None) -> str:
    return "skipped" if same is None else "same" if same else "DIFFERENT"


def _readability_rows(t: Totals) -> list[Row]:
    med, mean = statistics.median, statistics.fmean
    rare = _pct(t.template_rare, t.template_tokens)
    return [
        ("R1 FK grade, generated prose (median / p90 / max)",
         f"{med(t.fk):.2f} / {_p90(t.fk):.2f} / {max(t.fk):.2f}", "median ≤ 8 (aim ≤ 6.5), p90 ≤ 9",
         "", med(t.fk) <= 8 and _p90(t.fk) <= 9),
        ("R2 FK grade, template words only (median)", f"{med(t.fk_template):.2f}", "median ≤ 6", "",
         med(t.fk_template) <= 6),
        ("R3 Flesch reading ease (median)", f"{med(t.fre):.1f}", "≥ 60", "", med(t.fre) >= 60),
        ("R4 words per sentence (mean / max)", f"{mean(t.wps):.1f} / {t.max_words}",
         "mean ≤ 15, max ≤ 25", "", mean(t.wps) <= 15 and t.max_words <= 25),
        ("J1 rare-word rate, template words (Zipf < 3.5)", f"{rare:.2f} %", "≤ 2 %", "", rare <= 2),
        ("J2 rare-word rate, all generated words (median)", f"{100 * med(t.all_rare):.1f} %",
         "report; aim ≤ 8 %", "", None),
        ("J3 glossary terms used before their definition", f"{t.undefined}", "0", "",
         t.undefined == 0),
    ]  # fmt: skip


def _trace_rows(t: Totals) -> list[Row]:
    ok_sentences = t.sentences - t.failed_sentences
    misses = ", ".join(f"{k} {v}" for k, v in t.coverage_miss.most_common(4))
    return [
        ("T1 traceable sentences", f"{_pct(ok_sentences, t.sentences):.2f} % of {t.sentences:,}",
         "100 %", "", t.failed_sentences == 0),
        ("T1 verbatim quotes matching their source",
         f"{_pct(t.quotes - t.failed_quotes, t.quotes):.2f} % of {t.quotes:,}", "100 %", "",
         t.failed_quotes == 0),
        ("T2 numeric fidelity", f"{_pct(t.numbers_ok, t.numbers):.2f} % of {t.numbers:,}", "100 %",
         "", t.numbers_ok == t.numbers),
        ("C1 section coverage (pages whose sections = applicable)",
         f"{_pct(t.coverage_ok, t.coverage_total):.1f} %", "100 %", misses,
         t.coverage_ok == t.coverage_total),
        ("C2 placeholder leaks", f"{t.leaks}", "0", "", t.leaks == 0),
    ]  # fmt: skip


def _page_rows(t: Totals, n: int, cross_process: bool | None, ms: tuple[float, float]) -> list[Row]:
    split_ok = t.split["ok"] + t.split["pdq"]
    with_text = n - t.split["empty"]
    short = _pct(sum(1 for c in t.headline_chars if c <= 80), len(t.headline_chars))
    return [
        ("L1 prose words (median) / lede words (max) / headlines ≤ 80 chars",
         f"{statistics.median(t.prose_words):.0f} / {max(t.lede_words)} / {short:.0f} %",
         "120–350 / ≤ 25 / report", "long headlines are brief titles, verbatim", None),
        ("E1 eligibility split (both lists or PDQ)",
         f"{_pct(split_ok, with_text):.1f} % of {with_text}",
         "≥ 95 %", ", ".join(f"{k} {v}" for k, v in sorted(t.split.items())),
         _pct(split_ok, with_text) >= 95),
        ("E1 criteria items verbatim", f"{_pct(t.items_verbatim, t.items):.2f} % of {t.items:,}",
         "100 %", "", t.items_verbatim == t.items),
        ("D1 byte-identical rerun (same process / new process)",
         f"{t.rerun_identical}/{n} / {_cross(cross_process)}", "identical", "",
         t.rerun_identical == n and cross_process is not False),
        ("P1 ms/study: generate + verify + metrics (render)", f"{ms[0]:.2f} ({ms[1]:.2f})",
         "≤ 5 ms", "CPU time, best of 3", None),
    ]  # fmt: skip


def rows(t: Totals, n: int, cross_process: bool | None, ms: tuple[float, float]) -> list[Row]:
    """The report table: (metric, value, target, notes, gate result or None for report-only)."""
    return _readability_rows(t) + _trace_rows(t) + _page_rows(t, n, cross_process, ms)


def render_table(table: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| metric | value | target | status | notes |", "|---|---|---|---|---|"]
    for metric, value, target, notes, gate in table:
        status = "report" if gate is None else "pass" if gate else "FAIL"
        lines.append(f"| {metric} | {value} | {target} | {status} | {notes} |")
    return "\n".join(lines)


def _cross_process_digest() -> str:
    code = "from bench.summaries import _records, digest_all; print(digest_all(_records()))"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def normalize_ms(records: Sequence[dict[str, Any]]) -> float:
    """CPU ms/study of normalizing the same records into every ctgov table (best of 3)."""
    pairs = [(r["protocolSection"]["identificationModule"]["nctId"], r) for r in records]
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for first in range(0, len(pairs), 1000):
            normalize(pairs[first : first + 1000])
        best = min(best, time.process_time() - start)
    return best / len(pairs) * 1000


def _records() -> list[dict[str, Any]]:
    return [orjson.loads(b) for b in sample_bytes()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 1 when a hard gate fails."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--no-subprocess", action="store_true", help="skip the cross-process rerun")
    args = parser.parse_args(argv)
    records = _records()
    totals = measure(records)
    same = None if args.no_subprocess else _cross_process_digest() == digest_all(records)
    ms = core_ms(records)
    table = rows(totals, len(records), same, ms)
    print(
        f"# Plain-language summaries: {len(records)} sample studies "
        f"(templates {TEMPLATE_SET_VERSION}, {READABILITY_IMPL})\n"
    )
    print(render_table(table))
    for failure in totals.failures[:20]:
        print("verifier:", failure)
    baseline = normalize_ms(records)
    emit(
        "summaries",
        {
            "studies": len(records),
            "summary ms/study (generate + verify + metrics + render, CPU)": round(sum(ms), 2),
            "normalize ms/study, same studies (baseline, CPU)": round(baseline, 2),
            "summary / normalize time": round(sum(ms) / baseline, 1),
            **{m: v for m, v, *_ in table},
        },
    )
    if args.json:
        args.json.write_text(json.dumps({"rows": table, "failures": totals.failures}, indent=2))
    return 0 if all(gate is not False for *_, gate in table) else 1


if __name__ == "__main__":
    sys.exit(main())
