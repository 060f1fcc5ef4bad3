"""`make bench`: run every bench/ script in its own process and write bench/REPORT.md.

    .venv/bin/python -m bench.report [--quick]

Each script prints its figures and one `BENCH {json}` line; this collects those lines, each
script's wall time and peak RSS (os.wait4: the child's own), and writes one table in which every
figure sits beside a baseline measured in the same run. `--quick` runs every script at a small
size (a smoke test of the whole report; its figures are not worth quoting).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from flows.settings import Settings

REPORT = Path(__file__).resolve().parent / "REPORT.md"
FIGURES = REPORT.parent / "out" / "report-figures.json"  # the last run's figures (--render-only)
ROOT = REPORT.parent.parent
PY = ".venv/bin/python -m"
BACKFILL = 600_000


@dataclass(frozen=True)
class Step:
    """One bench script and its arguments."""

    module: str
    args: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        """How to reproduce it by hand."""
        return " ".join([PY, self.module, *self.args])


@dataclass
class Ran:
    """What one script printed and cost."""

    step: Step
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    peak_mb: float = 0.0
    error: str = ""


FULL = (
    Step("bench.synthetic"),
    Step("bench.normalize"),
    Step("bench.load"),
    Step("bench.changes"),
    Step("bench.summaries"),
    Step("bench.fetch"),
    Step("bench.publish"),
    Step(
        "bench.bulk",
        (
            "--cycles",
            "2",
            "8",
            "--what-if",
            "TRIALSYNC_SUMMARIZE_IN_RUNS=false",
            "--what-if",
            "TRIALSYNC_DUCKDB_MEMORY_LIMIT=256MB",
        ),
    ),
)
QUICK = (
    Step("bench.synthetic", ("--studies", "3000", "--verify", "0")),
    Step("bench.normalize", ("--studies", "700", "--runs", "1")),
    Step(
        "bench.load",
        (
            *("--full-studies", "1000", "--registry-studies", "2000"),
            *("--studies", "3000", "--small", "1000", "--rounds", "1"),
        ),
    ),
    Step("bench.changes", ("--studies", "3000", "--small", "1000", "--rounds", "1")),
    Step("bench.summaries", ("--no-subprocess",)),
    Step("bench.fetch", ("--studies", "1000", "--runs", "1")),
    Step("bench.publish", ("--studies", "1000")),
    Step("bench.bulk", ("--cycles", "1", "2", "--what-if", "TRIALSYNC_SUMMARIZE_IN_RUNS=false")),
)


def run(step: Step) -> Ran:
    """Run one script, echoing its output; its figures from the `BENCH` line."""
    ran = Ran(step)
    print(f"\n$ {step.command}", flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", step.module, *step.args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("BENCH "):
                ran.figures = json.loads(line[len("BENCH ") :])
            else:
                print(line, end="", flush=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        if child.returncode != 0:
            ran.error = err.read().decode(errors="replace")[-2000:] or f"exit {child.returncode}"
            print(ran.error, file=sys.stderr)
    ran.seconds = time.perf_counter() - start
    ran.peak_mb = usage.ru_maxrss / 1024
    return ran


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{mem_gib:.0f} GiB",
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "pyarrow": version("pyarrow"),
        "orjson": version("orjson"),
        "os": platform.platform(terse=True),
    }


def _n(value: Any, unit: str = "") -> str:
    if isinstance(value, int | float):
        shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
        return f"{shown}{unit}"
    return f"{value}{unit}"


Row = tuple[str, str, str, str, str]  # figure, value, baseline, ratio, command


def _normalize_rows(f: dict[str, Any], cmd: str) -> list[Row]:
    if not f:
        return []
    n = f"{f['studies']:,} studies"
    base = f"orjson parse-only: {_n(f['parse-only studies/s (baseline)'])} studies/s"
    return [
        (
            f"normalize (parse + every ctgov table), {n}",
            f"{_n(f['normalize studies/s'])} studies/s ({f['normalize ms/study']} ms/study)",
            base,
            f"{f['normalize / parse-only time']}× the parse time",
            cmd,
        ),
        (
            "screen + normalize (envelope, drift, hashes too)",
            f"{_n(f['screen+normalize studies/s'])} studies/s",
            base,
            f"{f['screen+normalize / parse-only time']}× the parse time",
            cmd,
        ),
    ]


def _load_rows(f: dict[str, Any], bulk: dict[str, Any], cmd: str, bulk_cmd: str) -> list[Row]:
    rows: list[Row] = []
    if f:
        rows.append(
            (
                f"full load, {f['full load studies']:,} studies into an empty warehouse "
                "(load_records, 1,000 per batch)",
                f"{_n(f['full load studies/s'])} studies/s; peak RSS "
                f"{_n(f['peak RSS MB (after the full load)'])} MB",
                f"normalize-only, same batches: "
                f"{_n(f['normalize-only studies/s (baseline, same batches)'])} studies/s",
                f"{f['full load / normalize-only time']}× the normalize time",
                cmd,
            )
        )
        rows.extend(
            (
                f"load step of `trialsync load-bulk`, {f['load-bulk studies']:,}-study ZIP, "
                f"`TRIALSYNC_TASK_RUNNER={runner}`{label}",
                f"{_n(f[f'load-bulk ({runner}) studies/s'])} studies/s; past the first batch "
                f"{_n(f[f'load-bulk ({runner}) studies/s past the first batch'])} studies/s",
                f"normalize-only, same studies, before and after: "
                f"{_n(f[f'normalize-only studies/s (baseline of load-bulk ({runner}))'])} "
                "studies/s",
                f"{f[f'load-bulk ({runner}) / normalize-only time']}× the normalize time; past "
                f"the first batch "
                f"{f[f'load-bulk ({runner}) past the first batch / normalize-only time']}×",
                cmd,
            )
            for runner, label in (
                ("local", " (one process)"),
                ("auto", f" (the default: {f.get('load-bulk (auto) runs as', '?')} here)"),
            )
        )
    if f.get("registry load studies"):
        rows.append(
            (
                f"load step of `trialsync load-bulk`, a whole synthetic registry of "
                f"{f['registry load studies']:,} studies, as configured (`auto`)",
                f"{_n(f['registry load (auto) studies/s'])} studies/s; peak RSS "
                f"{_n(f['peak RSS MB of this process (writer) after the registry load'])} MB "
                f"(writer), {_n(f['peak RSS MB of the largest worker'])} MB (largest worker)",
                f"normalize-only, same studies, before and after: "
                f"{_n(f['normalize-only studies/s (baseline of the registry load)'])} studies/s",
                f"{f['registry load / normalize-only time']}× the normalize time; past the "
                f"first batch {f['registry load past the first batch / normalize-only time']}×",
                cmd,
            )
        )
    if bulk:
        large_rss = bulk["load-bulk peak RSS MB (large ZIP)"]
        small_rss = bulk["load-bulk peak RSS MB (small ZIP)"]
        rows.append(
            (
                f"`trialsync load-bulk`, {bulk['large ZIP studies']:,}-study ZIP: peak RSS",
                f"{_n(bulk['load-bulk peak RSS MB (large ZIP)'])} MB",
                f"{bulk['small ZIP studies']:,}-study ZIP: "
                f"{_n(bulk['load-bulk peak RSS MB (small ZIP)'])} MB; `trialsync --help`: "
                f"{_n(bulk['peak RSS MB of `trialsync --help` (floor)'])} MB",
                f"{large_rss / small_rss:.2f}× the small ZIP's",
                bulk_cmd,
            )
        )
        for key, large in bulk.items():
            if key.startswith("what-if ") and key.endswith(": peak RSS MB (large ZIP)"):
                setting = key[len("what-if ") : -len(": peak RSS MB (large ZIP)")]
                small = bulk[f"what-if {setting}: peak RSS MB (small ZIP)"]
                rows.append(
                    (
                        f"… with `{setting}`: peak RSS, {bulk['large ZIP studies']:,}-study ZIP",
                        f"{_n(large)} MB",
                        f"{bulk['small ZIP studies']:,}-study ZIP: {_n(small)} MB",
                        f"{large / small:.2f}× the small ZIP's",
                        bulk_cmd,
                    )
                )
    return rows


def _incremental_rows(
    load: dict[str, Any], changes: dict[str, Any], cmds: tuple[str, str]
) -> list[Row]:
    rows: list[Row] = []
    if load:
        big, small, k = (
            f"{load['registry studies']:,}",
            f"{load['small registry studies']:,}",
            f"{load['batch studies']:,}",
        )
        for kind, label in (("changed", "changed studies"), ("new-study", "new studies")):
            rows.append(
                (
                    f"incremental load: {k} {label} into {big}",
                    f"{_n(load[f'{kind} batch into registry (s)'])} s",
                    f"into {small}: {_n(load[f'{kind} batch into small registry (s, baseline)'])}"
                    " s",
                    f"{load[f'{kind} batch: registry / small']}×",
                    cmds[0],
                )
            )
    if changes:
        big, small = f"{changes['registry studies']:,}", f"{changes['small registry studies']:,}"
        rows.append(
            (
                "change detection (state, previous versions, diff): "
                f"{changes['changed studies']:,} changed among {big}",
                f"{changes['change detection ms/study, registry']} ms/study",
                f"among {small}: {changes['change detection ms/study, small registry (baseline)']} "
                "ms/study",
                f"{changes['change detection: registry / small']}×",
                cmds[1],
            )
        )
    return rows


def _summary_rows(f: dict[str, Any], cmd: str) -> list[Row]:
    if not f:
        return []
    return [
        (
            f"summaries: plain-language page per study, {f['studies']:,} sample studies",
            f"{f['summary ms/study (generate + verify + metrics + render, CPU)']} ms/study (CPU)",
            f"normalize, same studies: {f['normalize ms/study, same studies (baseline, CPU)']} "
            "ms/study (CPU)",
            f"{f['summary / normalize time']}×",
            cmd,
        )
    ]


def _publish_rows(f: dict[str, Any], cmd: str) -> list[Row]:
    if not f:
        return []
    return [
        (
            f"publication again with nothing changed, {_n(f['studies'])} studies (unchanged "
            "summary pages are links to the previous snapshot's files)",
            f"{f['publication again s (nothing changed)']} s; "
            f"{f['second snapshot new MB']} MB of new files",
            f"first publication: {f['first publication s (every page written)']} s; "
            f"{f['first snapshot new MB']} MB",
            f"{f['again / first time']}× the time",
            cmd,
        )
    ]


def _fetch_rows(f: dict[str, Any], cmd: str) -> list[Row]:
    if not f:
        return []
    ceil = f["rate-limit ceiling studies/s (baseline)"]
    ceiling = (
        f"rate-limit ceiling {f['page size (configured)']:,} × {f['requests/s (configured)']} req/s"
        f" = {_n(f['rate-limit ceiling studies/s (baseline)'])} studies/s"
    )
    return [
        (
            "fetch-and-land through the replay server, configured rate limit",
            f"{_n(f['fetch-and-land studies/s at the configured rate limit'])} studies/s",
            ceiling,
            f"{f['at the configured rate limit / ceiling']} of the ceiling",
            cmd,
        ),
        (
            "fetch-and-land, unthrottled (replay server + client + landing)",
            f"{_n(f['fetch-and-land studies/s unthrottled'])} studies/s "
            f"({f['unthrottled: share of the time landing (%)']} % of it landing)",
            ceiling,
            f"{f['unthrottled / ceiling']}× the ceiling",
            cmd,
        ),
        (
            "fetch-and-land, client side only (per client CPU second)",
            f"{_n(f['client-side capacity studies/s (per client CPU second)'])} studies/s",
            ceiling,
            f"{f['client-side capacity studies/s (per client CPU second)'] / ceil:.2f}× the "
            "ceiling",
            cmd,
        ),
    ]


def _backfill_rows(bulk: dict[str, Any], load: dict[str, Any], cmd: str) -> list[Row]:
    if not bulk:
        return []
    rate, fixed = bulk["load-bulk marginal studies/s"], bulk["load-bulk fixed seconds (start-up)"]
    hours = bulk["backfill 600,000 studies, hours"]
    baseline, ratio = "", ""
    if load:
        load_h = BACKFILL / load["full load studies/s"] / 3600
        baseline = f"load_records alone, at the full-load rate: {load_h:.2f} h"
        ratio = f"{hours / load_h:.2f}×"
    rows = [
        (
            f"full-registry backfill, {BACKFILL:,} studies (`trialsync load-bulk` as configured, "
            "in one process, extrapolated)",
            f"{hours:.2f} h ({_n(rate)} studies/s past {fixed:.0f} s of start-up)",
            baseline,
            ratio,
            cmd,
        )
    ]
    if load:
        rows.append(_growth_row(bulk, load, cmd))
    for key, value in bulk.items():
        if key.startswith("what-if ") and key.endswith(": backfill hours"):
            setting = key[len("what-if ") : -len(": backfill hours")]
            if (
                value <= 0
            ):  # the small ZIP took longer: its start-up varied more than the difference
                shown, ratio = (
                    "not measured: start-up time varied more than the two sizes differ",
                    "",
                )
            else:
                rate = _n(bulk[f"what-if {setting}: marginal studies/s"])
                shown, ratio = f"{value:.2f} h ({rate} studies/s)", f"{value / hours:.2f}×"
            rows.append(
                (f"backfill with `{setting}`", shown, f"as configured: {hours:.2f} h", ratio, cmd)
            )
    return rows


def grown_backfill(bulk: dict[str, Any], load: dict[str, Any]) -> tuple[float, float]:
    """(hours, mean extra seconds per batch): the backfill with the per-batch growth measured.

    A new-study batch costs t_small at the small size and t_big at the large one; taken as linear
    in the warehouse size, the mean extra cost per batch over a 0 .. 600,000 load is the extra at
    300,000. The flat estimate's batches ran into a nearly empty warehouse, so the extra is added.
    """
    small, big = load["small registry studies"], load["registry studies"]
    t_small = load["new-study batch into small registry (s, baseline)"]
    t_big = load["new-study batch into registry (s)"]
    extra = max(t_big - t_small, 0.0) * (BACKFILL / 2 - small) / (big - small)
    batches = BACKFILL / load["batch studies"]
    return bulk["backfill 600,000 studies, hours"] + batches * extra / 3600, extra


def _growth_row(bulk: dict[str, Any], load: dict[str, Any], cmd: str) -> Row:
    flat = bulk["backfill 600,000 studies, hours"]
    grown, extra = grown_backfill(bulk, load)
    return (
        "full-registry backfill, allowing for per-batch growth (linear in warehouse size, from "
        f"the new-study batch at {load['small registry studies']:,} and "
        f"{load['registry studies']:,})",
        f"{grown:.2f} h (+{extra:.1f} s per batch on average)",
        f"flat extrapolation: {flat:.2f} h",
        f"{grown / flat:.2f}×",
        f"{cmd} and `{PY} bench.load`",
    )


def _checkpoint_rows(f: dict[str, Any], cmd: str) -> list[Row]:
    if "checkpoint, registry (s)" not in f:
        return []
    big, small, k = (
        f"{f['registry studies']:,}",
        f"{f['small registry studies']:,}",
        f"{f['batch studies']:,}",
    )
    rows: list[Row] = []
    for kind, label in (
        ("new without checkpoint", f"of a {k} new-study batch into {big}: the load alone"),
        (
            "checkpoint",
            f"… and the CHECKPOINT after it ({f['WAL MB of one new-study batch']} MB of WAL)",
        ),
    ):
        at_big, at_small = f[f"{kind}, registry (s)"], f[f"{kind}, small registry (s)"]
        ratio = f"{at_big / at_small:.2f}×" if at_small > 0 else ""
        rows.append((label, f"{_n(at_big)} s", f"into {small}: {_n(at_small)} s", ratio, cmd))
    return rows


def _rows(build: Callable[..., list[Row]], *args: Any) -> list[Row]:
    """`build(*args)`, or one row saying which figure a script no longer prints."""
    try:
        return build(*args)
    except KeyError as missing:
        return [(f"{build.__name__}: no figure {missing}", "", "", "", "")]


def figures_table(results: dict[str, Ran]) -> list[Row]:
    """Every figure beside its baseline."""
    f = {name: r.figures for name, r in results.items()}
    cmd = {name: f"`{r.step.command}`" for name, r in results.items()}
    load, bulk = f.get("bench.load", {}), f.get("bench.bulk", {})
    return [
        *_rows(_normalize_rows, f.get("bench.normalize", {}), cmd["bench.normalize"]),
        *_rows(_load_rows, load, bulk, cmd["bench.load"], cmd["bench.bulk"]),
        *_rows(
            _incremental_rows,
            load,
            f.get("bench.changes", {}),
            (cmd["bench.load"], cmd["bench.changes"]),
        ),
        *_rows(_checkpoint_rows, load, cmd["bench.load"]),
        *_rows(_summary_rows, f.get("bench.summaries", {}), cmd["bench.summaries"]),
        *_rows(_fetch_rows, f.get("bench.fetch", {}), cmd["bench.fetch"]),
        *_rows(_publish_rows, f.get("bench.publish", {}), cmd.get("bench.publish", "")),
        *_rows(_backfill_rows, bulk, load, cmd["bench.bulk"]),
    ]


def headline(results: dict[str, Ran]) -> list[str]:
    """The few figures worth quoting (the README quotes these)."""
    f = {name: r.figures for name, r in results.items()}
    norm, load, changes = f.get("bench.normalize"), f.get("bench.load"), f.get("bench.changes")
    fetch, bulk = f.get("bench.fetch"), f.get("bench.bulk")
    out = []
    if bulk:
        grown = (
            f"; {grown_backfill(bulk, load)[0]:.1f} h allowing for the growth per batch measured "
            f"up to {load['registry studies']:,} studies"
            if load
            else ""
        )
        out.append(
            f"- Full-registry backfill (600,000 studies, `trialsync load-bulk` in one process): "
            f"**{bulk['backfill 600,000 studies, hours']:.1f} h** on this machine "
            f"({_n(bulk['load-bulk marginal studies/s'])} studies/s{grown})."
        )
    if load:
        out.append(
            f"- Incremental load of {load['batch studies']:,} changed studies: "
            f"**{load['changed batch into registry (s)']:.1f} s** into "
            f"{load['registry studies']:,} studies, {load['changed batch: registry / small']}× "
            f"the time into {load['small registry studies']:,}"
            + (
                ": the cost follows the changes, not the registry."
                if load["changed batch: registry / small"] <= 2
                else ": the cost grows with the registry."
            )
        )
    if changes:
        out.append(
            f"- Change detection: **{changes['change detection ms/study, registry']:.2f} ms per "
            f"changed study** among {changes['registry studies']:,} "
            f"({changes['change detection: registry / small']}× the cost among "
            f"{changes['small registry studies']:,})."
        )
    if norm and load:
        out.append(
            f"- Normalize: **{_n(norm['normalize studies/s'])} studies/s** on one core "
            f"({norm['normalize / parse-only time']}× orjson parse-only); full load in one "
            f"process {_n(load['full load studies/s'])} studies/s "
            f"({load['full load / normalize-only time']}× normalize-only)."
        )
    if load.get("load-bulk (auto) runs as"):
        out.append(
            f"- `load-bulk`'s load step as configured (`auto`: "
            f"{load['load-bulk (auto) runs as']} on this machine): "
            f"**{_n(load['load-bulk (auto) studies/s past the first batch'])} studies/s** past "
            f"the first batch, "
            f"{load['load-bulk (auto) past the first batch / normalize-only time']}× "
            f"normalize-only ({load['load-bulk (auto) / normalize-only time']}× all in)."
        )
    if load.get("registry load studies"):
        out.append(
            f"- The same for a whole synthetic registry of {load['registry load studies']:,} "
            f"studies: **{_n(load['registry load (auto) studies/s'])} studies/s**, "
            f"{load['registry load / normalize-only time']}× normalize-only."
        )
    if fetch:
        rate = fetch["fetch-and-land studies/s at the configured rate limit"]
        out.append(
            f"- Fetch-and-land: **{_n(rate)} studies/s** at the configured rate limit "
            f"({fetch['at the configured rate limit / ceiling']} of its ceiling)."
        )
    return out


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render(
    results: dict[str, Ran],
    started: dt.datetime,
    wall: float,
    loads: tuple[str, str],
    quick: bool,
    info: dict[str, str],
) -> str:
    """REPORT.md."""
    lines = [
        "# trialsync benchmarks",
        "",
        f"Written by `make bench` (`{PY} bench.report`{' --quick' if quick else ''}) on "
        f"{started:%Y-%m-%d %H:%M} UTC, in {wall / 60:.1f} minutes. Every figure sits beside a "
        "baseline measured in the same run on the same machine: read the ratios, the absolute "
        "figures move with the machine and its load. Each script also runs alone with the command "
        "in its row.",
        "",
        "## Headline",
        "",
        *headline(results),
        "",
        "## Machine",
        "",
        *_table(
            (
                "cores",
                "memory",
                "python",
                "duckdb",
                "pyarrow",
                "orjson",
                "load average 1/5/15 min (start / end)",
            ),
            [
                (
                    info["cores"],
                    info["memory"],
                    info["python"],
                    info["duckdb"],
                    info["pyarrow"],
                    info["orjson"],
                    f"{loads[0]} / {loads[1]}",
                )
            ],
        ),
        "",
        "## Figures",
        "",
        *_table(
            ("figure", "value", "baseline (same run)", "ratio", "reproduce"), figures_table(results)
        ),
        "",
        *_notes(results),
        *(
            [
                f"The machine was shared during this run (load average above {info['cores']} "
                "cores): other processes competed for the CPU, which inflates the absolute "
                "figures more than the ratios.",
                "",
            ]
            if max(float(x) for x in " ".join(loads).split()) > float(info["cores"])
            else []
        ),
        "## Scripts",
        "",
        *_table(
            ("script", "wall s", "peak RSS MB", "status"),
            [
                (
                    f"`{r.step.command}`",
                    f"{r.seconds:.0f}",
                    f"{r.peak_mb:.0f}",
                    "failed" if r.error else "ok",
                )
                for r in results.values()
            ],
        ),
        "",
    ]
    return "\n".join(lines)


def _checkpoint_note(load: dict[str, Any]) -> str:
    """Where a new-study batch's growth with the warehouse goes: the load, or the checkpoint."""
    wal = load["WAL MB of one new-study batch"]
    parts = ("new without checkpoint", "checkpoint")
    extra = {k: load[f"{k}, registry (s)"] - load[f"{k}, small registry (s)"] for k in parts}
    grew = {
        k: load[f"{k}, registry (s)"] / max(load[f"{k}, small registry (s)"], 1e-3) for k in parts
    }
    limit = Settings().duckdb_wal_autocheckpoint
    every = (
        "more than DuckDB's default 16 MB `wal_autocheckpoint`, under which every batch would end "
        f"in an automatic checkpoint; the writer sets {limit} "
        "(`TRIALSYNC_DUCKDB_WAL_AUTOCHECKPOINT`)"
        if wal > 16
        else "under DuckDB's default 16 MB `wal_autocheckpoint`"
    )
    note = (
        f"- **Checkpoints.** A {load['batch studies']:,}-study commit writes {wal} MB of WAL, "
        f"{every}. Timed apart (automatic checkpoint held off, fresh copies), a new-study batch "
        f"into {load['registry studies']:,} studies took {abs(sum(extra.values())):.2f} s "
        f"{'more' if sum(extra.values()) >= 0 else 'less'} than into "
        f"{load['small registry studies']:,}: {extra['new without checkpoint']:+.2f} s in "
        f"the load itself ({grew['new without checkpoint']:.2f}×) and {extra['checkpoint']:+.2f} s "
        f"in the CHECKPOINT after it ({grew['checkpoint']:.2f}×)."
    )
    if grew["checkpoint"] > 1.5:
        note += (
            " A checkpoint costs more in a bigger database when it merges the batch's new row "
            "group into stored ones and rewrites them (DuckDB 2.0 vacuums that way; "
            "`TRIALSYNC_DUCKDB_ROW_GROUP_SIZE` and docs/production.md)."
        )
    return note


def _notes(results: dict[str, Ran]) -> list[str]:
    f = {name: r.figures for name, r in results.items()}
    load = f.get("bench.load", {})
    syn, bulk, changes = (
        f.get("bench.synthetic", {}),
        f.get("bench.bulk", {}),
        f.get("bench.changes", {}),
    )
    notes = ["## How these were measured", ""]
    if syn:
        verified = syn.get("verified identical to a real load of (studies)") or 0
        how = "reused" if syn["reused from cache"] else "built this run"
        notes.append(
            f"- **Synthetic registries.** The {syn['studies']:,}-study warehouse "
            f"({syn['warehouse file MB']:,} MB) is the sample again and again under new NCT9… ids "
            "(bench/synthetic.py), cached in bench/out/ under a key of the table declarations, the "
            f"sample and the builder ({how}; "
            f"building it took {syn['build seconds (when built)']} s). It is built from one cycle "
            "loaded through the real load path, copied with ids, hashes and stored records "
            "recomputed by the production functions"
            + (
                "; that build was checked identical, row for row in every table, to a real load "
                f"of {verified:,} studies."
                if verified
                else " (not verified in this run)."
            )
        )
    notes.append(
        "- **Incremental loads** go into throw-away copies of the large and the small synthetic "
        "warehouse, alternating, each round a new day (so every edit is a real new version); the "
        "figure is the median. Change detection opens the cached warehouses read-only and times "
        "exactly what a load does to find the events."
    )
    if changes:
        notes.append(
            f"- Change detection at the large size, by step (ms/study): screen + decide "
            f"{changes['  screen + decide ms/study, registry']}, read previous versions "
            f"{changes['  read previous versions ms/study, registry']}, diff into events "
            f"{changes['  diff into events ms/study, registry']}."
        )
    if bulk:
        notes.append(
            f"- **Backfill** is extrapolated from the real `trialsync load-bulk` (as configured, "
            f"summaries and all, in one process, without publishing and without the ~2.5 GB "
            f"download; `auto` would give a ZIP of 5,000+ studies to worker processes, whose "
            f"memory this bench does not see: `bench.load` times that load step) on ZIPs of "
            f"{bulk['small ZIP studies']:,} and {bulk['large ZIP studies']:,} synthetic studies: "
            f"{bulk['load-bulk seconds (small / large)']} s. The difference gives the rate past "
            "start-up (of the runs' own steps, as their reports print them: "
            f"{bulk.get('load-bulk in-run seconds (small / large)', '?')} s); 600,000 studies at "
            "that rate, plus the start-up, is the flat estimate. "
            "Those batches ran into a nearly empty warehouse, so the next row adds the growth per "
            "batch measured between the small and the large synthetic warehouse (taken as linear "
            "in the warehouse size; the mean over a 0 .. 600,000 load is the value at 300,000)."
        )
    if load and "WAL MB of one new-study batch" in load:
        notes.append(_checkpoint_note(load))
    notes.append(
        "- The replay server runs in its own process (as the API would), so its JSON encoding is "
        "not billed to the client. Medians of several repeats where a repeat is cheap (normalize, "
        "incremental, change detection, unthrottled fetch); CPU time for summaries."
    )
    failed = [r for r in results.values() if r.error]
    for r in failed:
        notes.append(f"- **{r.step.module} failed**: `{r.error.strip().splitlines()[-1]}`")
    return [*notes, ""]


def _loaded(
    saved: dict[str, Any],
) -> tuple[dict[str, Ran], dt.datetime, float, tuple[str, str], bool, dict[str, str]]:
    """render()'s arguments from a saved run."""
    steps = {s.module: s for s in (QUICK if saved["quick"] else FULL)}
    results = {
        module: Ran(steps[module], figures, seconds, peak, error)
        for module, (figures, seconds, peak, error) in saved["results"].items()
    }
    loads = (saved["loads"][0], saved["loads"][1])
    started = dt.datetime.fromisoformat(saved["started"])
    return results, started, saved["wall"], loads, saved["quick"], saved["machine"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument(
        "--render-only",
        action="store_true",
        help=f"write the report again from the figures of the last run ({FIGURES.name})",
    )
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads(FIGURES.read_text())
        args.out.write_text(render(*_loaded(saved)))
        return 0
    started = dt.datetime.now(dt.UTC)
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    start = time.perf_counter()
    results = {step.module: run(step) for step in (QUICK if args.quick else FULL)}
    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    wall, info = time.perf_counter() - start, machine()
    FIGURES.parent.mkdir(exist_ok=True)
    FIGURES.write_text(
        json.dumps(
            {
                "results": {
                    m: [r.figures, r.seconds, r.peak_mb, r.error] for m, r in results.items()
                },
                "started": started.isoformat(),
                "wall": wall,
                "loads": [load_start, load_end],
                "quick": args.quick,
                "machine": info,
            }
        )
    )
    text = render(results, started, wall, (load_start, load_end), args.quick, info)
    args.out.write_text(text)
    print(f"\nwrote {args.out} in {(time.perf_counter() - start) / 60:.1f} min")
    return 1 if any(r.error for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
