"""Publication in object storage: a finished snapshot is mirrored, then a pointer is switched.

Layout under the URL (`s3://bucket/prefix`, `gs://bucket/prefix`, `file:///abs/path`):

    <url>/snapshots/<snapshot>/...   a byte-for-byte copy of the local snapshot folder
    <url>/published.json             which snapshot is current, and its manifest's sha256

Object stores have no symlink to switch, but a single object is replaced atomically, so the
pointer plays the part of `published`: it is written only once every file of the snapshot is
uploaded and checked, and readers go through it. A reader therefore sees the previous snapshot or
the new one, never a partial upload; a mirror that fails leaves the previous pointer in place.
The pointer also lists the snapshots kept (newest first); any other snapshot folder (older ones,
or an upload that failed) is deleted after the switch, as `warehouse.publish` prunes locally.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from warehouse.publish import MANIFEST, SNAPSHOTS

log = logging.getLogger(__name__)

POINTER = "published.json"
POINTER_FORMAT = 1


class MirrorError(RuntimeError):
    """The snapshot could not be mirrored; the published pointer is unchanged."""


@dataclass(frozen=True)
class ObjectStore:
    """A filesystem and the root path under which publications live."""

    fs: pafs.FileSystem
    root: str  # no trailing slash; `bucket/prefix` for object stores, `/abs/path` locally

    def path(self, *parts: str) -> str:
        """A path under the root."""
        return "/".join([self.root, *parts])


def open_store(
    url: str, *, filesystem: pafs.FileSystem | None = None, **fs_options: Any
) -> ObjectStore:
    """The store a URL names.

    With no options, `pyarrow.fs.FileSystem.from_uri` reads everything from the URL and the
    environment (AWS_* variables, GOOGLE_APPLICATION_CREDENTIALS, ...). `fs_options` go to
    `S3FileSystem` or `GcsFileSystem` (e.g. `endpoint_override`, `access_key`); `filesystem`
    replaces the filesystem altogether, and the URL then only gives the path.
    """
    parts = urlsplit(url)
    path = parts.path if parts.scheme in ("", "file") else parts.netloc + parts.path
    if filesystem is not None:
        return ObjectStore(filesystem, path.rstrip("/"))
    if not fs_options:
        fs, root = pafs.FileSystem.from_uri(url)
        return ObjectStore(fs, root.rstrip("/"))
    makers = {"s3": pafs.S3FileSystem, "gs": pafs.GcsFileSystem, "gcs": pafs.GcsFileSystem}
    if parts.scheme not in makers:
        raise ValueError(f"filesystem options are for s3:// and gs:// URLs, not {url!r}")
    return ObjectStore(makers[parts.scheme](**fs_options), path.rstrip("/"))


def mirror_snapshot(
    snapshot_dir: Path,
    url: str,
    *,
    keep: int = 3,
    filesystem: pafs.FileSystem | None = None,
    **fs_options: Any,
) -> str:
    """Upload a finished local snapshot under `url`, then point `published.json` at it.

    Mirroring the snapshot that is already current only checks it. Snapshots beyond the newest
    `keep` are deleted after the switch.

    Returns:
        The URL of the mirrored snapshot folder.

    Raises:
        MirrorError: if anything before the switch fails (the previous pointer stays).
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    store = open_store(url, filesystem=filesystem, **fs_options)
    name = snapshot_dir.name
    target = store.path(SNAPSHOTS, name)
    try:
        manifest_sha = hashlib.sha256((snapshot_dir / MANIFEST).read_bytes()).hexdigest()
        previous = read_pointer(store)
        if not _is_current(previous, name, manifest_sha):
            store.fs.delete_dir_contents(target, missing_dir_ok=True)  # a failed earlier attempt
            pafs.copy_files(
                str(snapshot_dir),
                target,
                source_filesystem=pafs.LocalFileSystem(),
                destination_filesystem=store.fs,
            )
        _check_uploaded(snapshot_dir, store, target)
        kept = _kept(previous, name, keep)
        _write_pointer(store, _pointer(snapshot_dir, name, manifest_sha, kept))
    except Exception as exc:
        raise MirrorError(
            f"mirroring snapshot {name} to {url} failed ({exc}); the published pointer is unchanged"
        ) from exc
    _prune(store, kept)
    log.info("mirrored snapshot %s to %s", name, url)
    return f"{url.rstrip('/')}/{SNAPSHOTS}/{name}"


def read_pointer(store: ObjectStore) -> dict[str, Any] | None:
    """The current `published.json`, or None before the first mirror."""
    info = store.fs.get_file_info(store.path(POINTER))
    if info.type != pafs.FileType.File:
        return None
    with store.fs.open_input_stream(store.path(POINTER)) as stream:
        pointer: dict[str, Any] = json.loads(stream.read())
    return pointer


def published_snapshot(url: str, **fs_options: Any) -> str | None:
    """For readers: the URL of the current snapshot folder, or None before the first mirror."""
    pointer = read_pointer(open_store(url, **fs_options))
    return f"{url.rstrip('/')}/{pointer['snapshot']}" if pointer else None


def _is_current(pointer: dict[str, Any] | None, name: str, manifest_sha: str) -> bool:
    return (
        pointer is not None
        and pointer.get("snapshot") == f"{SNAPSHOTS}/{name}"
        and pointer.get("manifest_sha256") == manifest_sha
    )


def _local_files(snapshot_dir: Path) -> dict[str, int]:
    return {
        p.relative_to(snapshot_dir).as_posix(): p.stat().st_size
        for p in snapshot_dir.rglob("*")
        if p.is_file()
    }


def _check_uploaded(snapshot_dir: Path, store: ObjectStore, target: str) -> None:
    """Every local file must be there with its size (a cut-short upload fails here)."""
    infos = store.fs.get_file_info(pafs.FileSelector(target, recursive=True))
    remote = {i.path[len(target) + 1 :]: i.size for i in infos if i.type == pafs.FileType.File}
    wrong = sorted(
        rel for rel, size in _local_files(snapshot_dir).items() if remote.get(rel) != size
    )
    if wrong:
        raise MirrorError(f"{len(wrong)} file(s) missing or cut short, e.g. {wrong[0]}")


def _kept(previous: dict[str, Any] | None, name: str, keep: int) -> list[str]:
    older = [n for n in (previous or {}).get("history", []) if n != name]
    return [name, *older][:keep]


def _pointer(snapshot_dir: Path, name: str, manifest_sha: str, kept: list[str]) -> dict[str, Any]:
    manifest = json.loads((snapshot_dir / MANIFEST).read_bytes())
    files = _local_files(snapshot_dir)
    return {
        "format": POINTER_FORMAT,
        "snapshot": f"{SNAPSHOTS}/{name}",
        "manifest": f"{SNAPSHOTS}/{name}/{MANIFEST}",
        "manifest_sha256": manifest_sha,
        "run_id": manifest.get("run_id"),
        "data_timestamp": manifest.get("data_timestamp"),
        "schema_version": manifest.get("schema_version"),
        "files": len(files),
        "bytes": sum(files.values()),
        "history": kept,
    }


def _write_pointer(store: ObjectStore, pointer: dict[str, Any]) -> None:
    """Write aside, then move over the old pointer: one atomic replacement on every store."""
    tmp = store.path(f".{POINTER}.{uuid.uuid4().hex}.tmp")
    with store.fs.open_output_stream(tmp) as out:
        out.write(json.dumps(pointer, indent=2, sort_keys=True).encode())
    store.fs.move(tmp, store.path(POINTER))


def _prune(store: ObjectStore, kept: list[str]) -> None:
    """Delete snapshot folders the pointer does not keep, and stray pointer drafts."""
    try:
        infos = store.fs.get_file_info(pafs.FileSelector(store.root, allow_not_found=True))
        infos += store.fs.get_file_info(
            pafs.FileSelector(store.path(SNAPSHOTS), allow_not_found=True)
        )
        for info in infos:
            if info.type == pafs.FileType.Directory and _is_snapshot(store, info.path, kept):
                store.fs.delete_dir(info.path)
            elif info.type == pafs.FileType.File and info.base_name.startswith(f".{POINTER}."):
                store.fs.delete_file(info.path)
    except OSError as exc:  # the publication is done; leftovers go at the next prune
        log.warning("pruning old snapshots under %s failed: %s", store.root, exc)


def _is_snapshot(store: ObjectStore, path: str, kept: list[str]) -> bool:
    parent, _, name = path.rpartition("/")
    return parent == store.path(SNAPSHOTS) and name not in kept
