"""The bulk ZIP: checked before use (central directory, entry count), streamed in bounded memory."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from replay.bulk_zip import build_bulk_zip
from warehouse.bulk import BulkArchiveError, iter_bulk_studies, verify_zip


@pytest.fixture(scope="module")
def bulk_bytes(sample_studies: dict[str, Any]) -> bytes:
    """The sample as the official bulk ZIP (built by the replay server's own code)."""
    return build_bulk_zip(sample_studies.items())


@pytest.fixture
def bulk(tmp_path: Path, bulk_bytes: bytes) -> Path:
    path = tmp_path / "ctg-studies.json.zip"
    path.write_bytes(bulk_bytes)
    return path


def test_verify_reads_the_central_directory(bulk: Path) -> None:
    info = verify_zip(bulk, expected_entries=670)
    assert (info.entries, info.study_entries, info.mismatched) == (670, 670, 0)
    assert info.size == bulk.stat().st_size


def test_every_study_is_streamed_once(bulk: Path, sample_studies: dict[str, Any]) -> None:
    batches = list(iter_bulk_studies(bulk, batch_size=64))
    assert [len(b) for b in batches] == [64] * 10 + [30]
    studies = {nct: orjson.loads(body) for batch in batches for nct, body in batch}
    assert studies == sample_studies


@pytest.mark.parametrize(
    "keep",
    [
        pytest.param(0.5, id="first-half"),  # an interrupted download
        pytest.param(0.999, id="missing-the-last-bytes"),  # the central directory is cut
    ],
)
def test_truncated_zip_is_a_clear_error(tmp_path: Path, bulk_bytes: bytes, keep: float) -> None:
    path = tmp_path / "partial.zip"
    path.write_bytes(bulk_bytes[: int(len(bulk_bytes) * keep)])
    with pytest.raises(BulkArchiveError, match="truncated or not a ZIP.*--download"):
        verify_zip(path)


def test_not_a_zip_and_missing_file(tmp_path: Path) -> None:
    html = tmp_path / "page.zip"
    html.write_bytes(b"<!DOCTYPE html><html>maintenance</html>")
    with pytest.raises(BulkArchiveError, match="truncated or not a ZIP"):
        verify_zip(html)
    with pytest.raises(BulkArchiveError, match="missing or empty"):
        verify_zip(tmp_path / "nothing.zip")


def test_entry_count_must_match_when_known(bulk: Path) -> None:
    with pytest.raises(BulkArchiveError, match="holds 670 study entries, expected 671"):
        verify_zip(bulk, expected_entries=671)


def test_stray_entries_are_reported_and_skipped(
    tmp_path: Path, sample_studies: dict[str, Any]
) -> None:
    path = tmp_path / "mixed.zip"
    study = next(iter(sample_studies.values()))
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{nct[-2:]}/{nct}.json", orjson.dumps(study))
        archive.writestr("README.txt", b"hello")
        archive.writestr(f"00/{nct}.json", b"{}")  # wrong shard folder for this id
    info = verify_zip(path)
    assert (info.entries, info.study_entries) == (3, 1)
    assert info.unexpected == ("README.txt", f"00/{nct}.json")
    assert [nct_id for batch in iter_bulk_studies(path, 10) for nct_id, _ in batch] == [nct]


def test_a_zip_without_studies_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", b"hello")
    with pytest.raises(BulkArchiveError, match="no study entries"):
        verify_zip(path)


def test_crc_error_names_the_entry(tmp_path: Path, sample_studies: dict[str, Any]) -> None:
    path = tmp_path / "bad-crc.zip"
    nct = "NCT02300909"
    body = orjson.dumps(sample_studies[nct])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{nct[-2:]}/{nct}.json", body)
    data = path.read_bytes()
    at = data.index(b'"protocolSection"')
    path.write_bytes(data[:at] + b"X" + data[at + 1 :])  # flip one stored byte
    assert verify_zip(path).study_entries == 1  # the directory is fine; the data is not
    with pytest.raises(BulkArchiveError, match=f"entry 09/{nct}.json is corrupt"):
        list(iter_bulk_studies(path, 10))


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
def test_entries_read_back_exactly_whatever_their_compression(
    tmp_path: Path, sample_studies: dict[str, Any], method: int
) -> None:
    # Stored and deflated entries are read raw and inflated by ISA-L; others by zipfile.
    path = tmp_path / "methods.zip"
    bodies = {nct: orjson.dumps(sample_studies[nct]) for nct in sorted(sample_studies)[:5]}
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for nct, body in bodies.items():
            archive.writestr(_entry_name(nct), body)
    assert [dict(batch) for batch in iter_bulk_studies(path, 3)] == [
        dict(list(bodies.items())[:3]),
        dict(list(bodies.items())[3:]),
    ]


@pytest.mark.parametrize(
    ("part", "error"),
    [("data", ""), ("signature", "bad magic number"), ("name", "and header differ")],
)
def test_a_damaged_deflated_entry_names_itself(
    tmp_path: Path, sample_studies: dict[str, Any], part: str, error: str
) -> None:
    path = tmp_path / "damaged.zip"
    ncts, header = _two_deflated_entries(path, sample_studies)
    damaged = _entry_name(ncts[1])
    data = bytearray(path.read_bytes())
    name_at = header + 30
    assert data[name_at : name_at + len(damaged)] == damaged.encode()
    at = {"signature": header + 1, "name": name_at + 3, "data": name_at + len(damaged) + 200}[part]
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    batches = iter_bulk_studies(path, 1)
    assert next(batches)[0][0] == ncts[0]
    with pytest.raises(BulkArchiveError, match=f"entry {damaged} is corrupt.*{error}"):
        next(batches)


def test_an_entry_cut_short_after_the_check_names_itself(
    tmp_path: Path, sample_studies: dict[str, Any]
) -> None:
    # The file loses its tail while the load runs (the central directory was read before).
    path = tmp_path / "cut.zip"
    ncts, second = _two_deflated_entries(path, sample_studies)
    batches = iter_bulk_studies(path, 1)
    assert next(batches)[0][0] == ncts[0]
    path.write_bytes(path.read_bytes()[: second + 100])
    with pytest.raises(BulkArchiveError, match=f"entry {_entry_name(ncts[1])} is corrupt"):
        next(batches)


def _entry_name(nct: str) -> str:
    return f"{nct[-2:]}/{nct}.json"


def _two_deflated_entries(path: Path, sample_studies: dict[str, Any]) -> tuple[list[str], int]:
    """Two sample studies deflated into `path`: their NCT ids, and where the second one starts."""
    ncts = sorted(sample_studies)[:2]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for nct in ncts:
            archive.writestr(_entry_name(nct), orjson.dumps(sample_studies[nct]))
    data = path.read_bytes()
    return ncts, data.index(b"PK\x03\x04", data.index(b"PK\x03\x04") + 4)


@pytest.mark.slow
def test_memory_stays_bounded_by_one_batch(tmp_path: Path, sample_studies: dict[str, Any]) -> None:
    # 4,000 entries of one small real study under distinct ids: ~20 MB uncompressed, so reading
    # it whole would show in the peak; streaming needs one batch plus zipfile's buffers.
    small = min(sample_studies.values(), key=lambda s: len(orjson.dumps(s)))
    body = orjson.dumps(small, option=orjson.OPT_INDENT_2)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(1, 4001):
            archive.writestr(f"{n % 100:02d}/NCT{n:08d}.json", body)
    total = 4000 * len(body)
    tracemalloc.start()
    try:
        count = 0
        for batch in iter_bulk_studies(path, batch_size=50):
            count += len(batch)
            del batch
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4000
    assert total > 10_000_000
    # zipfile keeps the central directory (a ZipInfo per entry) in memory; the rest is a batch.
    assert peak < total / 5
