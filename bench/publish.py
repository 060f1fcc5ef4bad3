"""Publishing a warehouse again after a sync: the cost against the first publication.

    .venv/bin/python -m bench.publish [--studies 3000]

A warehouse of `--studies` synthetic studies is loaded with `trialsync load-bulk --no-publish`
(summaries and all), then published twice in this process with the production code
(`flows.publishing.publish_warehouse`). The first publication writes every summary page; the
second, with nothing changed, links them from the first (`warehouse.summary_files`). Printed:
both times, their ratio, and how many bytes each new snapshot adds to the disk (files with no
other link).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.bulk import build_zip, run_child
from bench.common import emit, out_dir
from flows.publishing import publish_warehouse
from flows.runs import RunReport, new_run_id
from flows.session import open_warehouse
from flows.settings import Settings


def _new_bytes(snapshot: Path) -> int:
    """Bytes of the snapshot's files that no other snapshot shares."""
    return sum(
        p.stat().st_size for p in snapshot.rglob("*") if p.is_file() and p.stat().st_nlink == 1
    )


def _publish(settings: Settings) -> tuple[float, Path]:
    with open_warehouse(settings) as con:
        report = RunReport(new_run_id(), "publish")
        start = time.perf_counter()
        result = publish_warehouse(con, settings, report)
        return time.perf_counter() - start, result.snapshot_dir


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=out_dir()) as tmp:
        zip_path = build_zip(args.studies, Path(tmp))
        data = Path(tmp) / "data"
        exe = str(Path(sys.executable).with_name("trialsync"))
        run_child(
            ["env", "TRIALSYNC_TASK_RUNNER=local", "TRIALSYNC_ORCHESTRATION=plain", exe,
             "load-bulk", str(zip_path), "--no-publish", "--data-dir", str(data)]
        )  # fmt: skip
        settings = Settings(data_dir=data)
        first_s, first = _publish(settings)
        first_mb = _new_bytes(first) / 1e6  # before the second links to its files
        again_s, again = _publish(settings)
        pages = sum(1 for _ in (again / "summaries").glob("NCT*.html"))
        linked = sum(1 for p in (again / "summaries").glob("NCT*.html") if p.stat().st_nlink > 1)
        return emit(
            "publish",
            {
                "studies": args.studies,
                "first publication s (every page written)": round(first_s, 2),
                "publication again s (nothing changed)": round(again_s, 2),
                "again / first time": round(again_s / first_s, 2),
                "first snapshot new MB": round(first_mb, 1),
                "second snapshot new MB": round(_new_bytes(again) / 1e6, 1),
                "summary pages linked in the second": f"{linked:,} of {pages:,}",
            },
        )


if __name__ == "__main__":
    main()
