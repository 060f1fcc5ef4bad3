"""Bulk ZIP shards: every entry in exactly one shard, in order, aligned with the load batches."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from replay.bulk_zip import build_bulk_zip
from schemas.tables import CTGOV_TABLES
from transforms.normalize import normalize
from warehouse.bulk import BulkArchiveError, iter_bulk_studies
from warehouse.shards import (
    Shard,
    read_shard,
    read_shard_tables,
    remove_shard_files,
    shard_plan,
    write_shard_tables,
)


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory, sample_studies: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "ctg-studies.json.zip"
    path.write_bytes(build_bulk_zip(sample_studies.items()))
    return path


@pytest.mark.parametrize(
    ("entries", "size"),
    [
        pytest.param(670, 100, id="last-shard-short"),  # the usual case: a remainder
        pytest.param(600, 100, id="exact-multiple"),  # no empty trailing shard
        pytest.param(670, 1, id="one-study-each"),
        pytest.param(670, 1000, id="one-shard"),  # batch larger than the archive
        pytest.param(0, 100, id="empty"),
    ],
)
def test_plan_covers_every_entry_once_in_order(entries: int, size: int) -> None:
    plan = shard_plan(entries, size)
    covered = [i for shard in plan for i in range(shard.start, shard.stop)]
    assert covered == list(range(entries))
    assert [s.number for s in plan] == list(range(1, len(plan) + 1))
    assert all(0 < len(s) <= size for s in plan)
    assert all(len(s) == size for s in plan[:-1])


def test_plan_rejects_a_zero_batch() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        shard_plan(10, 0)


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(64, id="uneven"),  # 10 full shards and one of 30
        pytest.param(670, id="whole"),
    ],
)
def test_shards_read_exactly_the_load_batches(bulk: Path, size: int) -> None:
    batches = list(iter_bulk_studies(bulk, size))
    shards = [read_shard(bulk, shard) for shard in shard_plan(670, size)]
    assert shards == batches  # same entries, same bytes, same order, batch for batch
    everything = [entry for batch in iter_bulk_studies(bulk, 10_000) for entry in batch]
    assert [entry for shard in shards for entry in shard] == everything
    assert len({nct for nct, _ in everything}) == 670


def test_stray_entries_do_not_shift_the_ranges(
    tmp_path: Path, sample_studies: dict[str, Any]
) -> None:
    # The load batches skip stray entries; shard ranges must count the same way.
    path = tmp_path / "mixed.zip"
    path.write_bytes(build_bulk_zip(list(sample_studies.items())[:30]))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("README.txt", b"hello")
        archive.writestr("00/", b"")
    batches = list(iter_bulk_studies(path, 7))
    assert [read_shard(path, s) for s in shard_plan(30, 7)] == batches


def test_a_shard_past_the_end_is_a_clear_error(bulk: Path) -> None:
    with pytest.raises(BulkArchiveError, match="holds 670 study entries; shard 8 expects"):
        read_shard(bulk, Shard(8, 700, 800))


def test_shard_tables_round_trip_exactly(tmp_path: Path, sample_studies: dict[str, Any]) -> None:
    batch = normalize(list(sample_studies.items())[:40])
    first = write_shard_tables(batch.tables, tmp_path, Shard(3, 80, 120))
    again = write_shard_tables(batch.tables, tmp_path, Shard(3, 80, 120))
    assert first != again  # a retried attempt never touches the files another one returned
    back = read_shard_tables(first)
    assert set(back) == set(CTGOV_TABLES)
    for table in CTGOV_TABLES:
        assert back[table].schema == table.arrow_schema()
        assert back[table].equals(batch.tables[table]), table.qualified_name
    empty = [t for t in CTGOV_TABLES if batch.tables[t].num_rows == 0]
    assert empty, "the sample slice should leave some table empty"
    assert not any((first / f"{t.qualified_name}.arrow").exists() for t in empty)
    remove_shard_files(first)
    assert not first.exists() and again.exists()


def test_an_empty_shard_folder_reads_as_empty_tables(tmp_path: Path) -> None:
    tables = read_shard_tables(tmp_path)
    assert all(t.num_rows == 0 and isinstance(t, pa.Table) for t in tables.values())
