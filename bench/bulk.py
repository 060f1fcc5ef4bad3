"""Peak memory of `trialsync load-bulk` on a ZIP of the whole sample, beside a do-nothing baseline.

    .venv/bin/python -m bench.bulk [--repeat 1]

Both figures are the max RSS of a child process (resource.RUSAGE_CHILDREN), measured in the same
run: first `trialsync --help` (interpreter + every import: the floor), then the real load of the
ZIP into an empty data folder (no publish). The ZIP is the official layout (`NN/NCTxxxxxxxx.json`),
built from the sample `--repeat` times over with new ids.
"""

from __future__ import annotations

import argparse
import copy
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.common import emit, sample_bytes
from replay.bulk_zip import build_bulk_zip


def _child_peak_mb(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024, elapsed


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    studies = []
    for n in range(args.repeat):
        for i, blob in enumerate(sample_bytes()):
            record = orjson.loads(blob)
            if n:
                record = copy.deepcopy(record)
                record["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{n:03d}{i:04d}"
            studies.append((record["protocolSection"]["identificationModule"]["nctId"], record))
    exe = str(Path(sys.executable).with_name("trialsync"))
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "ctg-studies.json.zip"
        zip_path.write_bytes(build_bulk_zip(studies))
        floor_mb, _ = _child_peak_mb([exe, "--help"])
        peak_mb, seconds = _child_peak_mb(
            [exe, "load-bulk", str(zip_path), "--no-publish", "--data-dir", str(Path(tmp) / "data")]
        )
        zip_mb = zip_path.stat().st_size / 1e6
    return emit(
        "bulk",
        {
            "studies in ZIP": len(studies),
            "ZIP MB": round(zip_mb, 1),
            "load-bulk peak RSS MB": round(peak_mb),
            "baseline peak RSS MB (trialsync --help)": round(floor_mb),
            "load-bulk / baseline": round(peak_mb / floor_mb, 2),
            "load-bulk seconds": round(seconds, 1),
            "load-bulk studies/s (incl. start-up)": round(len(studies) / seconds),
        },
    )


if __name__ == "__main__":
    main()
