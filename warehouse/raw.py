"""Raw landing: every fetched page goes to disk, compressed and immutable, before it is parsed.

Layout under the raw folder (`<data>/raw`):

    <run_id>/run.json              what the run was (written once, atomically)
    <run_id>/page-00001.json.zst   one API page, byte for byte, zstandard level 3, never rewritten
    <run_id>/manifest.jsonl        one row per landed page (appended, flushed and fsynced)
    bulk/<run_id>/ctg-studies.json.zip   a downloaded bulk ZIP, recorded in its run's manifest

A page file is linked into place only once it is complete and fsynced, so after `kill -9` every
page named in the manifest is whole. A torn last manifest line (the process died mid-append) is
ignored on read and cut off before the next append. Pages can be re-normalized without the network.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import zstandard

from warehouse.files import fsync_dir, sha256_file, write_atomic

log = logging.getLogger(__name__)

ZSTD_LEVEL = 3
BULK_DIR = "bulk"
BULK_NAME = "ctg-studies.json.zip"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class RawStoreError(RuntimeError):
    """The raw store refused an operation or found damage."""


class PageConflict(RawStoreError):
    """A page with this number was already landed with different bytes (pages are immutable)."""


class CorruptPage(RawStoreError):
    """A landed file no longer matches the sha256 recorded when it was landed."""


@dataclass(frozen=True)
class LandedPage:
    """One manifest row: a landed page (or bulk ZIP) and what is known about it."""

    run_id: str
    page_no: int
    path: str  # relative to the raw folder, with forward slashes
    scope_key: str
    params: dict[str, str]
    study_count: int
    sha256: str  # of the uncompressed body
    bytes: int  # uncompressed size
    fetched_at: str
    data_timestamp: str | None
    kind: str = "page"  # "page" or "bulk"

    def row(self) -> builtins.bytes:
        """The manifest line (with its newline)."""
        return orjson.dumps(asdict(self)) + b"\n"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> LandedPage:
        """Read a manifest row (unknown keys ignored, for forward compatibility)."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in row.items() if k in known})


@dataclass(frozen=True)
class RunInfo:
    """A run folder and its `run.json`."""

    run_id: str
    meta: dict[str, Any]
    path: Path


class RawStore:
    """The raw folder: start runs, land pages into them, and read everything back."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = raw_dir

    def start_run(self, run_id: str, meta: Mapping[str, Any]) -> RunLanding:
        """Create `raw/<run_id>/run.json` and return the run's landing.

        Re-opening an existing run (after a crash) keeps its `run.json` and its pages.
        """
        folder = self._run_dir(run_id)
        meta_file = folder / "run.json"
        if meta_file.exists():
            log.info("raw run %s exists; continuing to land into it", run_id)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(meta_file, orjson.dumps({"run_id": run_id, **meta}, default=str))
        return RunLanding(self, run_id, folder)

    def iter_runs(self) -> Iterator[RunInfo]:
        """Every run folder that has a `run.json`, by run id."""
        if not self.raw_dir.is_dir():
            return
        for folder in sorted(p for p in self.raw_dir.iterdir() if p.is_dir()):
            meta_file = folder / "run.json"
            if folder.name != BULK_DIR and meta_file.exists():
                yield RunInfo(folder.name, orjson.loads(meta_file.read_bytes()), folder)

    def iter_landed(self, run_id: str) -> Iterator[LandedPage]:
        """The manifest rows of a run, in landing order (a torn last line is skipped)."""
        manifest = self._run_dir(run_id) / "manifest.jsonl"
        if not manifest.exists():
            return
        lines = manifest.read_bytes().split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                landed = LandedPage.from_row(orjson.loads(line))
            except (orjson.JSONDecodeError, TypeError) as err:
                # Rows are appended whole with their newline, so only an unterminated last
                # line can be torn; damage anywhere else is real corruption.
                if number < len(lines):
                    raise RawStoreError(f"{manifest}: line {number} is damaged ({err})") from err
                log.warning("%s: ignoring a torn last line (interrupted append)", manifest)
                continue
            yield landed

    def unrecorded_pages(self, run_id: str) -> list[Path]:
        """Page files of a run that have no manifest row (a crash between write and record)."""
        recorded = {landed.path.rsplit("/", 1)[-1] for landed in self.iter_landed(run_id)}
        folder = self._run_dir(run_id)
        return [p for p in sorted(folder.glob("page-*.json.zst")) if p.name not in recorded]

    def read_page(self, landed: LandedPage) -> bytes:
        """The page body exactly as fetched, checked against its recorded sha256.

        Raises:
            CorruptPage: if the file is missing, does not decompress, or its bytes changed.
        """
        if landed.kind != "page":
            raise RawStoreError(f"{landed.path} is a bulk ZIP; read it with warehouse.bulk")
        path = self.raw_dir / landed.path
        try:
            body = zstandard.ZstdDecompressor().decompress(path.read_bytes())
        except (OSError, zstandard.ZstdError) as err:
            raise CorruptPage(f"raw page {path} cannot be read: {err}") from err
        if len(body) != landed.bytes or hashlib.sha256(body).hexdigest() != landed.sha256:
            raise CorruptPage(
                f"raw page {path} is corrupt: its bytes no longer match the sha256 recorded when "
                f"it was landed ({landed.sha256[:12]}…)"
            )
        return body

    def resolve(self, landed: LandedPage) -> Path:
        """The absolute path of a landed file (page or bulk ZIP)."""
        path = Path(landed.path)
        return path if path.is_absolute() else self.raw_dir / path

    def bulk_path(self, run_id: str) -> Path:
        """Where a run's bulk ZIP is downloaded to: `raw/bulk/<run_id>/ctg-studies.json.zip`."""
        return self.raw_dir / BULK_DIR / _checked_run_id(run_id) / BULK_NAME

    def _run_dir(self, run_id: str) -> Path:
        if _checked_run_id(run_id) == BULK_DIR:
            raise RawStoreError(f"run id {run_id!r} is reserved")
        return self.raw_dir / run_id


def _checked_run_id(run_id: str) -> str:
    if not _RUN_ID.match(run_id):
        raise RawStoreError(f"run id {run_id!r} is not a safe folder name")
    return run_id


@dataclass(frozen=True)
class PendingPage:
    """A page file written by `RunLanding.write_page`, waiting for its manifest row."""

    page_no: int
    name: str
    sha256: str
    size: int
    landed: LandedPage | None  # set when these bytes were already landed and recorded


@dataclass
class RunLanding:
    """Lands pages into one run folder; safe to share between threads."""

    store: RawStore
    run_id: str
    folder: Path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rows: dict[tuple[str, int], LandedPage] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._repair_manifest()
        for landed in self.store.iter_landed(self.run_id):
            self._rows[(landed.kind, landed.page_no)] = landed

    @property
    def manifest(self) -> Path:
        """`raw/<run_id>/manifest.jsonl`."""
        return self.folder / "manifest.jsonl"

    def land_page(
        self,
        page_no: int,
        body: bytes,
        *,
        data_timestamp: str | None,
        fetched_at: datetime | str,
        scope_key: str,
        params: Mapping[str, str],
        study_count: int | None = None,
    ) -> LandedPage:
        """Write one page durably, then record it in the manifest.

        Landing the same bytes again under the same number is a no-op (a retried run); other
        bytes raise `PageConflict`. `study_count` is counted from the body when not given.
        """
        pending = self.write_page(page_no, body)
        if pending.landed is not None:
            return pending.landed
        return self.record_page(
            pending,
            data_timestamp=data_timestamp,
            fetched_at=fetched_at,
            scope_key=scope_key,
            params=params,
            study_count=_count_studies(body) if study_count is None else study_count,
        )

    def write_page(self, page_no: int, body: bytes) -> PendingPage:
        """First half of landing: the page file, durable and immutable, before anything parses it.

        The manifest row follows with `record_page` once the caller knows the study count (from
        its own parse, so a 17 MB page is parsed once). A page file whose row never came (the
        process died in between) is adopted by `adopt_unrecorded`.
        """
        name = f"page-{page_no:05d}.json.zst"
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            target = self.folder / name
            if target.exists():
                existing = self._check_same(target, digest, page_no)
                if existing is not None:
                    return PendingPage(page_no, name, digest, len(body), existing)
            else:
                _write_once(target, zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(body))
        return PendingPage(page_no, name, digest, len(body), None)

    def record_page(
        self,
        pending: PendingPage,
        *,
        data_timestamp: str | None,
        fetched_at: datetime | str,
        scope_key: str,
        params: Mapping[str, str],
        study_count: int,
    ) -> LandedPage:
        """Second half of landing: the manifest row of a written page."""
        if pending.landed is not None:
            return pending.landed
        landed = LandedPage(
            run_id=self.run_id,
            page_no=pending.page_no,
            path=f"{self.run_id}/{pending.name}",
            scope_key=scope_key,
            params=dict(params),
            study_count=study_count,
            sha256=pending.sha256,
            bytes=pending.size,
            fetched_at=_iso(fetched_at),
            data_timestamp=data_timestamp,
        )
        with self._lock:
            self._append(landed)
        return landed

    def adopt_unrecorded(
        self, *, data_timestamp: str | None, scope_key: str, params: Mapping[str, str]
    ) -> list[LandedPage]:
        """Record page files a crash left without a manifest row (so nothing landed is lost)."""
        adopted: list[LandedPage] = []
        for path in sorted(self.folder.glob("page-*.json.zst")):
            page_no = int(path.name.split("-")[1].split(".")[0])
            if ("page", page_no) in self._rows:
                continue
            body = zstandard.ZstdDecompressor().decompress(path.read_bytes())
            pending = PendingPage(
                page_no, path.name, hashlib.sha256(body).hexdigest(), len(body), None
            )
            fetched = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
            adopted.append(
                self.record_page(
                    pending,
                    data_timestamp=data_timestamp,
                    fetched_at=fetched,
                    scope_key=scope_key,
                    params=params,
                    study_count=_count_studies(body),
                )
            )
            log.warning("adopted page %s that an interrupted run wrote but never recorded", path)
        return adopted

    def bulk_target(self) -> Path:
        """The download target for this run's bulk ZIP (its folder is created)."""
        path = self.store.bulk_path(self.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def record_bulk(
        self,
        zip_path: Path,
        *,
        study_count: int,
        data_timestamp: str | None,
        fetched_at: datetime | str,
        scope_key: str = "bulk",
        params: Mapping[str, str] | None = None,
    ) -> LandedPage:
        """Record a bulk ZIP (downloaded or given by the user) in this run's manifest."""
        try:
            rel = zip_path.resolve().relative_to(self.store.raw_dir.resolve()).as_posix()
        except ValueError:
            rel = str(zip_path.resolve())
        landed = LandedPage(
            run_id=self.run_id,
            page_no=0,
            path=rel,
            scope_key=scope_key,
            params=dict(params or {"format": "json.zip"}),
            study_count=study_count,
            sha256=sha256_file(zip_path),
            bytes=zip_path.stat().st_size,
            fetched_at=_iso(fetched_at),
            data_timestamp=data_timestamp,
            kind="bulk",
        )
        with self._lock:
            self._append(landed)
        return landed

    def _check_same(self, target: Path, digest: str, page_no: int) -> LandedPage | None:
        """For an existing page file: its row if the bytes are the same, else PageConflict."""
        try:
            old = zstandard.ZstdDecompressor().decompress(target.read_bytes())
        except zstandard.ZstdError as err:
            raise CorruptPage(f"raw page {target} cannot be read: {err}") from err
        if hashlib.sha256(old).hexdigest() != digest:
            raise PageConflict(
                f"raw page {target} already holds other bytes; landed pages are never rewritten"
            )
        # Same bytes: a retried landing. The row may be missing if the process died between
        # linking the file and appending the row, so the caller appends it then.
        return self._rows.get(("page", page_no))

    def _append(self, landed: LandedPage) -> None:
        with self.manifest.open("ab") as handle:
            handle.write(landed.row())
            handle.flush()
            os.fsync(handle.fileno())
        self._rows[(landed.kind, landed.page_no)] = landed

    def _repair_manifest(self) -> None:
        """Cut a torn last line off before appending, so new rows start on a fresh line."""
        if not self.manifest.exists():
            return
        data = self.manifest.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            log.warning("%s: dropping a torn last line left by an interrupted run", self.manifest)
            with self.manifest.open("r+b") as handle:
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())


def _write_once(target: Path, data: bytes) -> None:
    """Write `data` to a temp file, fsync it, then hard-link it into place (fails if taken)."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)  # unlike os.replace, never overwrites an existing page
        except FileExistsError:
            raise PageConflict(f"raw page {target} appeared while landing it") from None
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)


def _count_studies(body: bytes) -> int:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return 0
    studies = doc.get("studies") if isinstance(doc, dict) else None
    return len(studies) if isinstance(studies, list) else 0


def _iso(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value
