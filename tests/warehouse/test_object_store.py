"""Mirroring a snapshot to object storage: every byte arrives, the pointer moves last, old ones go.

Real files through pyarrow's LocalFileSystem (`file://`), and a real S3 protocol conversation with
moto's server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from fsspec.implementations.local import LocalFileSystem as FsspecLocal
from moto.server import ThreadedMotoServer

from warehouse.object_store import (
    POINTER,
    MirrorError,
    mirror_snapshot,
    open_store,
    published_snapshot,
    read_pointer,
)


def make_snapshot(parent: Path, name: str, rows: int = 1000) -> Path:
    """A snapshot folder shaped like `warehouse.publish` writes: Parquet (one table partitioned,
    one big enough for multipart uploads), the analyst database, summaries and the manifest."""
    snap = parent / name
    studies = snap / "parquet" / "studies"
    studies.mkdir(parents=True)
    table = pa.table({"nct_id": [f"NCT{i:08d}" for i in range(rows)], "run": [name] * rows})
    pq.write_table(table, studies / "part-0.parquet", compression="zstd")
    for year in (2020, 2021):
        folder = snap / "parquet" / "change_events" / f"event_year={year}"
        folder.mkdir(parents=True)
        pq.write_table(table.slice(0, 10), folder / "data_0.parquet")
    # Incompressible, past pyarrow's 5 MiB multipart part size and its 1 MiB copy chunk.
    (snap / "parquet" / "blob.bin").write_bytes(os.urandom(6 * 1024 * 1024 + 123))
    con = duckdb.connect(str(snap / "trialsync.duckdb"))
    con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    con.close()
    (snap / "summaries").mkdir()
    (snap / "summaries" / "NCT00000001.html").write_text(f"<p>{name}</p>")
    manifest = {"run_id": name, "data_timestamp": "2026-11-20T09:00:05", "schema_version": "x"}
    (snap / "manifest.json").write_text(json.dumps(manifest))
    return snap


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def remote_digests(fs: pafs.FileSystem, root: str) -> dict[str, str]:
    out = {}
    for info in fs.get_file_info(pafs.FileSelector(root, recursive=True)):
        if info.type == pafs.FileType.File:
            with fs.open_input_stream(info.path) as stream:
                out[info.path[len(root) + 1 :]] = hashlib.sha256(stream.read()).hexdigest()
    return out


def snapshot_names(fs: pafs.FileSystem, root: str) -> list[str]:
    infos = fs.get_file_info(pafs.FileSelector(f"{root}/snapshots", allow_not_found=True))
    return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)


@pytest.fixture
def local(tmp_path: Path) -> tuple[Path, Path, str]:
    """(local snapshots folder, bucket folder, its file:// URL)."""
    bucket = tmp_path / "bucket"
    return tmp_path / "snapshots", bucket, bucket.as_uri() + "/trialsync"


def test_file_url_gets_every_byte_and_a_pointer(local: tuple[Path, Path, str]) -> None:
    snaps, bucket, url = local
    snap = make_snapshot(snaps, "20261120T090005Z-aaaaaa")
    where = mirror_snapshot(snap, url, keep=3)
    assert where == f"{url}/snapshots/{snap.name}"
    remote = bucket / "trialsync" / "snapshots" / snap.name
    assert digests(remote) == digests(snap)
    assert len(digests(snap)) == 7
    pointer = json.loads((bucket / "trialsync" / POINTER).read_text())
    assert pointer["snapshot"] == f"snapshots/{snap.name}"
    assert (
        pointer["manifest_sha256"]
        == hashlib.sha256(snap.joinpath("manifest.json").read_bytes()).hexdigest()
    )
    assert (pointer["run_id"], pointer["files"], pointer["history"]) == (snap.name, 7, [snap.name])
    assert published_snapshot(url) == where
    assert sorted(p.name for p in (bucket / "trialsync").iterdir()) == [POINTER, "snapshots"]


def test_only_the_newest_snapshots_are_kept(local: tuple[Path, Path, str]) -> None:
    snaps, bucket, url = local
    names = [f"2026112{i}T090005Z-00000{i}" for i in range(4)]
    for name in names:
        mirror_snapshot(make_snapshot(snaps, name, rows=10), url, keep=2)
    assert sorted(p.name for p in (bucket / "trialsync" / "snapshots").iterdir()) == names[2:]
    assert read_pointer(open_store(url))["history"] == [names[3], names[2]]


class FailingAfter(FsspecLocal):
    """A local filesystem whose writes start failing after `budget` files (a dropped link)."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget

    def _open(self, path: str, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode:
            if self.budget <= 0:
                raise OSError("connection reset by peer (injected)")
            self.budget -= 1
        return super()._open(path, mode, *args, **kwargs)


def failing_fs(budget: int) -> pafs.FileSystem:
    return pafs.PyFileSystem(pafs.FSSpecHandler(FailingAfter(budget)))


@pytest.mark.parametrize(
    "budget",
    [
        pytest.param(3, id="midway"),  # some files up, the rest not
        pytest.param(7, id="all-files-then-pointer"),  # every file up, the pointer write fails
    ],
)
def test_a_failed_upload_leaves_the_previous_pointer(
    local: tuple[Path, Path, str], budget: int
) -> None:
    snaps, bucket, url = local
    first = make_snapshot(snaps, "20261120T090005Z-aaaaaa")
    mirror_snapshot(first, url)
    pointer_before = (bucket / "trialsync" / POINTER).read_bytes()
    second = make_snapshot(snaps, "20261121T090005Z-bbbbbb")
    with pytest.raises(MirrorError, match="pointer is unchanged"):
        mirror_snapshot(second, str(bucket / "trialsync"), filesystem=failing_fs(budget))
    partial = digests(bucket / "trialsync" / "snapshots" / second.name)
    assert len(partial) == min(budget, 7)  # the failure came where intended
    assert (bucket / "trialsync" / POINTER).read_bytes() == pointer_before
    assert published_snapshot(url) == f"{url}/snapshots/{first.name}"
    assert digests(bucket / "trialsync" / "snapshots" / first.name) == digests(first)
    # The next good mirror replaces the partial upload and clears stray pointer drafts.
    mirror_snapshot(second, url)
    assert digests(bucket / "trialsync" / "snapshots" / second.name) == digests(second)
    assert published_snapshot(url) == f"{url}/snapshots/{second.name}"
    assert sorted(p.name for p in (bucket / "trialsync").iterdir()) == [POINTER, "snapshots"]


def test_a_failed_upload_is_pruned_by_the_next_good_one(local: tuple[Path, Path, str]) -> None:
    snaps, bucket, url = local
    mirror_snapshot(make_snapshot(snaps, "a"), url, keep=2)
    with pytest.raises(MirrorError):
        mirror_snapshot(
            make_snapshot(snaps, "b"), str(bucket / "trialsync"), filesystem=failing_fs(2)
        )
    assert snapshot_names(open_store(url).fs, str(bucket / "trialsync")) == ["a", "b"]
    mirror_snapshot(make_snapshot(snaps, "c"), url, keep=2)
    assert snapshot_names(open_store(url).fs, str(bucket / "trialsync")) == ["a", "c"]


def test_mirroring_the_current_snapshot_again_changes_nothing(
    local: tuple[Path, Path, str],
) -> None:
    snaps, bucket, url = local
    snap = make_snapshot(snaps, "a")
    mirror_snapshot(snap, url)
    before = {p: p.stat().st_mtime_ns for p in (bucket / "trialsync" / "snapshots").rglob("*")}
    mirror_snapshot(snap, url)
    assert {
        p: p.stat().st_mtime_ns for p in (bucket / "trialsync" / "snapshots").rglob("*")
    } == before


def test_a_snapshot_without_its_manifest_is_not_mirrored(local: tuple[Path, Path, str]) -> None:
    snaps, bucket, url = local
    snap = make_snapshot(snaps, "a")
    (snap / "manifest.json").unlink()  # not finished: publish writes the manifest last
    with pytest.raises(MirrorError):
        mirror_snapshot(snap, url)
    assert not bucket.exists()


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, Any]]:
    """A real S3 endpoint (moto) on 127.0.0.1 with one bucket; yields S3FileSystem options."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "endpoint_override": f"{host}:{port}",
        "scheme": "http",
        "access_key": "testing",
        "secret_key": "testing",
        "region": "us-east-1",
    }
    pafs.S3FileSystem(**options, allow_bucket_creation=True).create_dir("trialsync-test")
    yield options
    server.stop()


def test_s3_gets_every_byte_a_pointer_and_keeps_two(tmp_path: Path, s3: dict[str, Any]) -> None:
    url = "s3://trialsync-test/published"
    fs = pafs.S3FileSystem(**s3)
    names = ["20261120T090005Z-aaaaaa", "20261121T090005Z-bbbbbb", "20261122T090005Z-cccccc"]
    snaps = [make_snapshot(tmp_path, name) for name in names]
    for snap in snaps:
        assert mirror_snapshot(snap, url, keep=2, **s3) == f"{url}/snapshots/{snap.name}"
        root = f"trialsync-test/published/snapshots/{snap.name}"
        assert remote_digests(fs, root) == digests(snap)
    assert snapshot_names(fs, "trialsync-test/published") == names[1:]
    pointer = read_pointer(open_store(url, **s3))
    assert pointer["snapshot"] == f"snapshots/{names[2]}"
    assert pointer["history"] == names[:0:-1]
    assert published_snapshot(url, **s3) == f"{url}/snapshots/{names[2]}"


def test_s3_configured_by_the_url_alone(tmp_path: Path, s3: dict[str, Any]) -> None:
    # What TRIALSYNC_PUBLISH_URL can say by itself (pyarrow's S3 URI options).
    url = (
        f"s3://{s3['access_key']}:{s3['secret_key']}@trialsync-test/by-url"
        f"?endpoint_override={s3['endpoint_override']}&scheme=http&region=us-east-1"
    )
    snap = make_snapshot(tmp_path, "a", rows=10)
    mirror_snapshot(snap, url)
    fs = pafs.S3FileSystem(**s3)
    assert remote_digests(fs, "trialsync-test/by-url/snapshots/a") == digests(snap)
    assert read_pointer(open_store("s3://trialsync-test/by-url", **s3))["snapshot"] == "snapshots/a"
