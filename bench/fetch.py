"""Fetch-and-land throughput through the replay server, beside the configured rate-limit ceiling.

    .venv/bin/python -m bench.fetch [--repeat 10]

The sample is served `--repeat` times over (with new ids) so a walk has many full pages. Each page
goes through the real client (HTTP on 127.0.0.1, retries armed) and lands as an immutable zstd file
with its manifest row, exactly as a sync does; nothing is loaded. The ceiling is what the configured
rate limit allows: requests_per_second × page_size studies per second.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import orjson

from bench.common import emit, peak_rss_mb, sample_bytes
from flows.ctgov_client import CtgovClient
from flows.runs import utcnow
from flows.settings import Settings
from replay.server import ReplayServer
from warehouse.raw import RawStore


def _copies(repeat: int) -> list[dict]:
    studies = [orjson.loads(b) for b in sample_bytes()]
    out = []
    for n in range(repeat):
        for i, study in enumerate(studies):
            record = copy.deepcopy(study)
            record["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{n:03d}{i:04d}"
            out.append(record)
    return out


def fetch_and_land(base_url: str, raw_dir: Path, page_size: int) -> tuple[int, float]:
    client = CtgovClient(base_url, page_size=page_size, requests_per_second=1e6)
    landing = RawStore(raw_dir).start_run(f"bench-{page_size}", {"command": "bench"})
    studies = 0
    start = time.perf_counter()

    written = {}

    def land(page_no: int, body: bytes) -> None:
        written[page_no] = landing.write_page(page_no, body)

    for page in client.iter_pages({"pageSize": str(page_size)}, on_page=land):
        landing.record_page(
            written.pop(page.page_no),
            data_timestamp=None,
            fetched_at=utcnow(),
            scope_key="bench",
            params={},
            study_count=len(page.studies),
        )
        studies += len(page.studies)
    return studies, time.perf_counter() - start


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    settings = Settings()
    records = _copies(args.repeat)
    with ReplayServer(records) as server, tempfile.TemporaryDirectory() as tmp:
        n_1000, s_1000 = fetch_and_land(server.base_url, Path(tmp) / "a", 1000)
        n_100, s_100 = fetch_and_land(server.base_url, Path(tmp) / "b", 100)
    ceiling = settings.requests_per_second * settings.page_size
    rate = n_1000 / s_1000
    return emit(
        "fetch",
        {
            "studies served": len(records),
            "fetch-and-land studies/s (pageSize 1000, unthrottled)": round(rate),
            "fetch-and-land studies/s (pageSize 100, unthrottled)": round(n_100 / s_100),
            "rate-limit ceiling studies/s (configured)": round(ceiling),
            "unthrottled / ceiling": round(rate / ceiling, 2),
            "peak RSS MB": round(peak_rss_mb()),
        },
    )


if __name__ == "__main__":
    main()
