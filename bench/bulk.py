"""`trialsync load-bulk` end to end: its rate past start-up, and its peak memory at two ZIP sizes.

    .venv/bin/python -m bench.bulk [--cycles 2 4] [--what-if TRIALSYNC_SUMMARIZE_IN_RUNS=false]

The real command, as configured (Settings: orchestration, summaries in the run, batch size), in
one child process (`TRIALSYNC_TASK_RUNNER=local`), loading a ZIP in the official layout
(`NN/NCTxxxxxxxx.json`) of synthetic studies (bench/synthetic.py; `--cycles` times the sample)
into an empty data folder, without publishing. Two ZIP sizes, so that the fixed cost (interpreter,
imports, an ephemeral Prefect server) falls out: the marginal rate is (large - small studies) /
(large - small seconds of the runs' own steps, as their reports print them), which is what a
600,000-study backfill would run at. Peak RSS is the command's own process (VmHWM; Prefect's
temporary server is a process of its own and not counted), beside the floor of `trialsync --help`
(interpreter + every import), measured in the same run. Each `--what-if` repeats both sizes with
one more setting in the child's environment, to show what a part costs.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import emit
from bench.synthetic import sample_size, synthetic_blob, synthetic_id
from replay.bulk_zip import entry_name, entry_order


def _high_water_mb(pid: int) -> float | None:
    """VmHWM of a live process (its own peak RSS since its last exec), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a command to completion: (wall seconds, its peak RSS in MB, its stdout).

    The peak is read from /proc while the command runs, not from wait4: a child's ru_maxrss
    starts from the RSS of this process at fork, which here holds the ZIPs' records.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdout=out, stderr=err)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _high_water_mb(child.pid) or 0.0)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            err.seek(0)
            sys.exit(f"{' '.join(args)} failed:\n{err.read().decode(errors='replace')[-3000:]}")
        out.seek(0)
        return seconds, peak, out.read().decode(errors="replace")


# The last line of a run's report: "took 84.5 s (recover 0.0s, load 70.1s, summarize 12.0s)".
_TOOK = re.compile(r"took ([\d,]+\.\d) s \(")


def in_run_seconds(stdout: str) -> float:
    """The seconds of a run's own steps, as its report prints them (start-up left out)."""
    found = _TOOK.findall(stdout)
    if not found:
        sys.exit(f"no 'took … s' line in the command's output:\n{stdout[-2000:]}")
    return float(found[-1].replace(",", ""))


def build_zip(studies: int, tmp: Path) -> Path:
    """A ZIP in the official layout of synthetic studies 0 .. `studies`-1.

    Written entry by entry from each study's bytes, in the replay server's entry order: a
    registry's worth of parsed records (200,000 studies) would not fit in memory. Deflate level 1,
    so that building it costs less than loading it; inflating is as fast at any level.
    """
    zip_path = tmp / f"bulk-{studies}.zip"
    order = sorted(range(studies), key=lambda i: entry_order(synthetic_id(i)))
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in order:
            archive.writestr(entry_name(synthetic_id(i)), synthetic_blob(i))
    return zip_path


def load_bulk(zip_path: Path, settings: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, in-run seconds) of `trialsync load-bulk` of `zip_path`.

    Into an empty data folder. The in-run seconds are the run's own steps (`in_run_seconds`).

    `settings` (VAR=VALUE) go into the child's environment through env(1), which execs the
    command in the same process, so the peak RSS read is still the command's. The load runs in
    that one process (`TRIALSYNC_TASK_RUNNER=local`, unless `settings` say otherwise): `auto`
    would give the large ZIP, but not the small one, to worker processes, whose memory this
    does not see; bench.load times the load with workers.
    """
    exe = str(Path(sys.executable).with_name("trialsync"))
    with tempfile.TemporaryDirectory(dir=zip_path.parent) as data:
        args = [exe, "load-bulk", str(zip_path), "--no-publish", "--data-dir", data]
        seconds, peak, stdout = run_child(["env", "TRIALSYNC_TASK_RUNNER=local", *settings, *args])
        return seconds, peak, in_run_seconds(stdout)


@dataclass
class Pair:
    """load-bulk at the two sizes under one environment."""

    small: int
    large: int
    seconds: tuple[float, float]
    peak_mb: tuple[float, float]
    in_run: tuple[float, float]  # the runs' own steps, start-up left out

    @property
    def marginal(self) -> float:
        """Studies/s past start-up.

        From the runs' own steps, not their wall time: the start-up (interpreter, imports, an
        ephemeral Prefect server) varied by more than the ~4 s the large ZIP's extra studies took
        with summaries off, and once made the difference of wall times meaningless.
        """
        return (self.large - self.small) / (self.in_run[1] - self.in_run[0])

    @property
    def fixed(self) -> float:
        """Seconds of start-up (what the small run took beyond its studies at that rate)."""
        return max(self.seconds[0] - self.small / self.marginal, 0.0)

    def backfill_hours(self, studies: int = 600_000) -> float:
        """Start-up plus `studies` at the marginal rate."""
        return (self.fixed + studies / self.marginal) / 3600


def pair(zips: tuple[Path, Path], sizes: tuple[int, int], settings: list[str]) -> Pair:
    """Both sizes, each into a fresh data folder."""
    (s_small, rss_small, run_small), (s_large, rss_large, run_large) = (
        load_bulk(z, settings) for z in zips
    )
    return Pair(*sizes, (s_small, s_large), (rss_small, rss_large), (run_small, run_large))


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, nargs=2, default=[2, 4], metavar=("SMALL", "LARGE"))
    parser.add_argument("--what-if", action="append", default=[], metavar="VAR=VALUE")
    args = parser.parse_args()
    sizes = (args.cycles[0] * sample_size(), args.cycles[1] * sample_size())
    exe = str(Path(sys.executable).with_name("trialsync"))
    with tempfile.TemporaryDirectory() as tmp:
        zips = (build_zip(sizes[0], Path(tmp)), build_zip(sizes[1], Path(tmp)))
        _, floor_mb, _ = run_child([exe, "--help"])
        base = pair(zips, sizes, [])
        what_ifs = {w: pair(zips, sizes, [w]) for w in args.what_if}
        zip_mb = zips[1].stat().st_size / 1e6
    figures: dict[str, object] = {
        "small ZIP studies": sizes[0],
        "large ZIP studies": sizes[1],
        "large ZIP MB": round(zip_mb, 1),
        "load-bulk seconds (small / large)": f"{base.seconds[0]:.1f} / {base.seconds[1]:.1f}",
        "load-bulk in-run seconds (small / large)": f"{base.in_run[0]:.1f} / {base.in_run[1]:.1f}",
        "load-bulk marginal studies/s": round(base.marginal, 1),
        "load-bulk fixed seconds (start-up)": round(base.fixed, 1),
        "load-bulk peak RSS MB (large ZIP)": round(base.peak_mb[1]),
        "load-bulk peak RSS MB (small ZIP)": round(base.peak_mb[0]),
        "peak RSS MB of `trialsync --help` (floor)": round(floor_mb),
        "backfill 600,000 studies, hours": round(base.backfill_hours(), 2),
    }
    for name, other in what_ifs.items():
        figures |= {
            f"what-if {name}: marginal studies/s": round(other.marginal, 1),
            f"what-if {name}: fixed seconds": round(other.fixed, 1),
            f"what-if {name}: backfill hours": round(other.backfill_hours(), 2),
            f"what-if {name}: peak RSS MB (small ZIP)": round(other.peak_mb[0]),
            f"what-if {name}: peak RSS MB (large ZIP)": round(other.peak_mb[1]),
        }
    return emit("bulk", figures)


if __name__ == "__main__":
    main()
