"""Raw landing: immutable compressed pages, sha256-checked reads, a crash-tolerant manifest."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard

from replay.server import page_body
from warehouse.raw import CorruptPage, PageConflict, RawStore, RawStoreError

FETCHED = "2026-11-20T10:00:00+00:00"
STAMP = "2026-11-20T09:00:05"


def body_of(sample_studies: dict[str, Any], ids: list[str], token: str | None = None) -> bytes:
    """A page body as the API writes it (one study per line)."""
    return page_body([sample_studies[i] for i in ids], token, None)


def land(landing: Any, page_no: int, body: bytes) -> Any:
    return landing.land_page(
        page_no,
        body,
        data_timestamp=STAMP,
        fetched_at=FETCHED,
        scope_key="abc123",
        params={"pageSize": "2"},
    )


@pytest.fixture
def pages(sample_studies: dict[str, Any]) -> list[bytes]:
    ids = sorted(sample_studies)
    return [
        body_of(sample_studies, ids[0:2], "tok1"),
        body_of(sample_studies, ids[2:4], "tok2"),
        body_of(sample_studies, []),
    ]


def test_pages_round_trip_exactly(data_dir: Path, pages: list[bytes]) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("run-1", {"scope": "all"})
    landed = [land(landing, n, body) for n, body in enumerate(pages, start=1)]
    assert [store.read_page(p) for p in store.iter_landed("run-1")] == pages
    first = landed[0]
    assert first.path == "run-1/page-00001.json.zst"
    assert (first.study_count, first.bytes) == (2, len(pages[0]))
    assert first.sha256 == hashlib.sha256(pages[0]).hexdigest()
    assert landed[2].study_count == 0  # the phantom empty page is landed like any other
    assert [r.run_id for r in store.iter_runs()] == ["run-1"]
    assert next(store.iter_runs()).meta == {"run_id": "run-1", "scope": "all"}


def test_page_files_are_zstd_compressed(data_dir: Path, pages: list[bytes]) -> None:
    landing = RawStore(data_dir / "raw").start_run("r", {})
    land(landing, 1, pages[0])
    stored = (data_dir / "raw" / "r" / "page-00001.json.zst").read_bytes()
    assert stored.startswith(b"\x28\xb5\x2f\xfd")  # zstd frame magic
    assert len(stored) < len(pages[0]) / 2
    assert zstandard.ZstdDecompressor().decompress(stored) == pages[0]


def test_manifest_rows_carry_what_a_reload_needs(data_dir: Path, pages: list[bytes]) -> None:
    landing = RawStore(data_dir / "raw").start_run("r", {})
    land(landing, 1, pages[0])
    row = orjson.loads((data_dir / "raw" / "r" / "manifest.jsonl").read_bytes())
    assert row == {
        "run_id": "r",
        "page_no": 1,
        "path": "r/page-00001.json.zst",
        "scope_key": "abc123",
        "params": {"pageSize": "2"},
        "study_count": 2,
        "sha256": hashlib.sha256(pages[0]).hexdigest(),
        "bytes": len(pages[0]),
        "fetched_at": FETCHED,
        "data_timestamp": STAMP,
        "kind": "page",
    }


def test_pages_are_immutable(data_dir: Path, pages: list[bytes]) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("r", {})
    first = land(landing, 1, pages[0])
    # The same bytes again (a retried landing) is a no-op with no second manifest row.
    assert land(landing, 1, pages[0]) == first
    with pytest.raises(PageConflict):
        land(landing, 1, pages[1])
    assert len(list(store.iter_landed("r"))) == 1
    assert store.read_page(first) == pages[0]


def test_corruption_is_detected_on_read(data_dir: Path, pages: list[bytes]) -> None:
    store = RawStore(data_dir / "raw")
    landed = land(store.start_run("r", {}), 1, pages[0])
    path = data_dir / "raw" / landed.path
    tampered = pages[0].replace(b'"hasResults":false', b'"hasResults":true ', 1)
    assert tampered != pages[0]
    path.write_bytes(zstandard.ZstdCompressor().compress(tampered))
    with pytest.raises(CorruptPage, match="no longer match the sha256"):
        store.read_page(landed)
    path.write_bytes(b"not zstd")
    with pytest.raises(CorruptPage, match="cannot be read"):
        store.read_page(landed)


def test_torn_last_manifest_line_is_tolerated_and_repaired(
    data_dir: Path, pages: list[bytes]
) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("r", {})
    land(landing, 1, pages[0])
    manifest = data_dir / "raw" / "r" / "manifest.jsonl"
    with manifest.open("ab") as handle:
        handle.write(b'{"run_id":"r","page_no":2,"pa')  # the process died mid-append
    assert [p.page_no for p in store.iter_landed("r")] == [1]
    # Re-opening the run cuts the torn line off, so the next row starts on a fresh line.
    resumed = store.start_run("r", {"ignored": True})
    land(resumed, 2, pages[1])
    assert [p.page_no for p in store.iter_landed("r")] == [1, 2]
    assert manifest.read_bytes().count(b"\n") == 2


def test_damage_before_the_last_line_is_an_error(data_dir: Path, pages: list[bytes]) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("r", {})
    land(landing, 1, pages[0])
    manifest = data_dir / "raw" / "r" / "manifest.jsonl"
    manifest.write_bytes(b"garbage\n" + manifest.read_bytes())
    with pytest.raises(RawStoreError, match="line 1 is damaged"):
        list(store.iter_landed("r"))


def test_a_page_linked_before_its_row_is_recovered_by_relanding(
    data_dir: Path, pages: list[bytes]
) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("r", {})
    land(landing, 1, pages[0])
    manifest = data_dir / "raw" / "r" / "manifest.jsonl"
    manifest.write_bytes(b"")  # as if the process died between the link and the append
    land(store.start_run("r", {}), 1, pages[0])
    assert [p.page_no for p in store.iter_landed("r")] == [1]


@pytest.mark.parametrize(
    "run_id",
    [
        pytest.param("../escape", id="traversal"),
        pytest.param("bulk", id="reserved"),  # bulk ZIPs live in raw/bulk/
        pytest.param("", id="empty"),
    ],
)
def test_unsafe_run_ids_are_refused(data_dir: Path, run_id: str) -> None:
    with pytest.raises(RawStoreError):
        RawStore(data_dir / "raw").start_run(run_id, {})


def test_bulk_zip_is_recorded_in_the_runs_manifest(data_dir: Path) -> None:
    store = RawStore(data_dir / "raw")
    landing = store.start_run("r", {})
    target = landing.bulk_target()
    assert target == data_dir / "raw" / "bulk" / "r" / "ctg-studies.json.zip"
    target.write_bytes(b"PK zip bytes")
    row = landing.record_bulk(target, study_count=670, data_timestamp=STAMP, fetched_at=FETCHED)
    assert (row.kind, row.path, row.study_count) == ("bulk", "bulk/r/ctg-studies.json.zip", 670)
    assert row.sha256 == hashlib.sha256(b"PK zip bytes").hexdigest()
    assert store.resolve(row) == target
    assert list(store.iter_landed("r")) == [row]
    assert [r.run_id for r in store.iter_runs()] == ["r"]  # raw/bulk is not a run
    with pytest.raises(RawStoreError, match="bulk ZIP"):
        store.read_page(row)


def _land_forever(raw_dir: str, body: bytes, ready: Any) -> None:
    landing = RawStore(Path(raw_dir)).start_run("r", {})
    page_no = 0
    while True:
        page_no += 1
        land(landing, page_no, body)
        if page_no == 20:
            ready.set()


@pytest.mark.slow
def test_kill_9_loses_nothing_already_landed(data_dir: Path, pages: list[bytes]) -> None:
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_land_forever, args=(str(data_dir / "raw"), pages[0], ready))
    child.start()
    assert ready.wait(30)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    store = RawStore(data_dir / "raw")
    landed = list(store.iter_landed("r"))
    assert len(landed) >= 20
    assert [p.page_no for p in landed] == list(range(1, len(landed) + 1))
    assert all(store.read_page(p) == pages[0] for p in landed)
    # Landing continues after the crash, whatever state the last append was left in.
    resumed = store.start_run("r", {})
    land(resumed, len(landed) + 1, pages[0])
    assert len(list(store.iter_landed("r"))) == len(landed) + 1
