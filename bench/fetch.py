"""Fetch-and-land throughput through the replay server, beside the configured rate-limit ceiling.

    .venv/bin/python -m bench.fetch [--studies 6700] [--runs 3]

The replay server (replay/server.py) serves `--studies` synthetic studies (bench/synthetic.py)
from its own process, as the real API would be: in-process it would share this interpreter's
GIL with the client and bill its own JSON encoding to the fetch. Each page goes through the real
client (HTTP on 127.0.0.1, retries armed) and lands as an immutable zstd file with its manifest
row, exactly as a sync does; nothing is loaded. Figures:
- unthrottled (no rate limit): the capacity of the client + landing, median of `--runs` walks;
- at the configured rate limit (Settings: requests_per_second, page_size): what a sync gets;
- the ceiling those settings allow, requests_per_second x page_size studies/s (the baseline);
- the client side alone: studies per CPU second of this process (HTTP, parse, landing), i.e. the
  rate if the server answered instantly (the replay server builds each 30 MB page in Python).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

from bench.common import emit, peak_rss_mb
from bench.synthetic import parse, sample_size, synthetic_blob
from flows.ctgov_client import CtgovClient
from flows.runs import utcnow
from flows.settings import Settings
from replay.server import ReplayServer
from warehouse.raw import PendingPage, RawStore


def _serve(studies: int, ready: Connection, stop: Event) -> None:
    records = parse([synthetic_blob(i) for i in range(studies)])
    with ReplayServer(records) as server:
        ready.send(server.base_url)
        stop.wait()


@dataclass
class Walk:
    """One walk over every page."""

    studies: int
    seconds: float
    landing: float  # of which writing page files and manifest rows
    cpu: float  # CPU seconds of this process (the client side: HTTP, parse, landing)

    @property
    def rate(self) -> float:
        """Studies per second."""
        return self.studies / self.seconds


def fetch_and_land(client: CtgovClient, raw_dir: Path, run_id: str) -> Walk:
    """Walk every page with `client`, landing each."""
    raw = RawStore(raw_dir).start_run(run_id, {"command": "bench"})
    written: dict[int, PendingPage] = {}
    landing = [0.0]

    def land(page_no: int, body: bytes) -> None:
        start = time.perf_counter()
        written[page_no] = raw.write_page(page_no, body)
        landing[0] += time.perf_counter() - start

    studies = 0
    start, cpu = time.perf_counter(), time.process_time()
    for page in client.iter_pages({"pageSize": str(client.page_size)}, on_page=land):
        recorded = time.perf_counter()
        raw.record_page(
            written.pop(page.page_no),
            data_timestamp=None,
            fetched_at=utcnow(),
            scope_key="bench",
            params={},
            study_count=len(page.studies),
        )
        landing[0] += time.perf_counter() - recorded
        studies += len(page.studies)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Walk(studies, seconds, landing[0], cpu)


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, help="default: ten times the sample")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    served = args.studies or 10 * sample_size()
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    stop = spawn.Event()
    server = spawn.Process(target=_serve, args=(served, send, stop), daemon=True)
    server.start()
    try:
        base_url = receive.recv()
        with tempfile.TemporaryDirectory() as tmp:
            unthrottled = CtgovClient.from_settings(
                settings, base_url=base_url, requests_per_second=1e6
            )
            walks = [
                fetch_and_land(unthrottled, Path(tmp), f"bench-free-{n}") for n in range(args.runs)
            ]
            configured = CtgovClient.from_settings(settings, base_url=base_url)
            limited = fetch_and_land(configured, Path(tmp), "bench-configured")
    finally:
        stop.set()
        server.join(timeout=10)
    rate = statistics.median(w.rate for w in walks)
    landing = statistics.median(w.landing / w.seconds for w in walks)
    client_rate = statistics.median(w.studies / w.cpu for w in walks)
    ceiling = settings.requests_per_second * settings.page_size
    return emit(
        "fetch",
        {
            "studies served": served,
            "page size (configured)": settings.page_size,
            "requests/s (configured)": settings.requests_per_second,
            "rate-limit ceiling studies/s (baseline)": round(ceiling),
            "fetch-and-land studies/s at the configured rate limit": round(limited.rate),
            "at the configured rate limit / ceiling": round(limited.rate / ceiling, 2),
            "fetch-and-land studies/s unthrottled": round(rate),
            "unthrottled / ceiling": round(rate / ceiling, 2),
            "unthrottled: share of the time landing (%)": round(100 * landing),
            "client-side capacity studies/s (per client CPU second)": round(client_rate),
            "runs (median, unthrottled)": args.runs,
            "peak RSS MB (client)": round(peak_rss_mb()),
        },
    )


if __name__ == "__main__":
    main()
