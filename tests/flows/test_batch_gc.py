"""The cyclic GC stays paused for a batch's whole life, from parse until its records are freed.

If the GC came back while a batch's ~10^6 parsed objects were alive, its next collections would
walk every one of them (`transforms.normalize.gc_paused`); these tests would then see collections
with a load or a screening on the stack.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

from flows.ingest import RunMeta, load_bulk_zip, recover
from flows.runs import RunReport
from flows.scopes import Scope
from replay.bulk_zip import build_bulk_zip
from schemas.tables import ALL_TABLES, schema_fingerprint
from transforms.normalize import gc_paused
from warehouse import state
from warehouse.bulk import verify_zip
from warehouse.database import connect, ensure_schema
from warehouse.raw import RawStore

# Functions that only run while a batch's records are alive.
BATCH_WORK = {"load_records", "load_screened", "screen", "normalize", "parse_entries"}


class Probe:
    """Records, when freed, whether the GC was enabled at that moment."""

    def __init__(self, seen: list[bool]) -> None:
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(gc.isenabled())


def test_as_a_decorator_the_locals_are_freed_before_the_gc_comes_back() -> None:
    seen: list[bool] = []

    @gc_paused()
    def batch() -> int:
        probe = Probe(seen)
        assert not gc.isenabled()
        return id(probe)

    assert gc.isenabled()
    batch()
    assert seen == [False]
    assert gc.isenabled()


def test_a_gc_paused_by_its_caller_stays_paused() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.fixture
def collections_during_batches() -> Iterator[list[str]]:
    """The batch functions on the stack at each automatic collection (empty lists are fine)."""
    found: list[str] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase != "start":
            return
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name in BATCH_WORK:
                found.append(frame.f_code.co_name)
                return
            frame = frame.f_back

    gc.callbacks.append(callback)
    try:
        yield found
    finally:
        gc.callbacks.remove(callback)


@contextmanager
def eager_gc() -> Iterator[None]:
    """A collection at almost every allocation the GC is allowed to see.

    So a batch that ran with the GC enabled, even briefly, is caught at once; collections
    between batches stay possible.
    """
    gc.collect()
    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _landed_zip(tmp_path: Path, studies: dict[str, Any]) -> tuple[RawStore, Any, RunMeta]:
    raw = RawStore(tmp_path / "raw")
    meta = RunMeta("load-bulk", "bulk", Scope().key, Scope().model_dump_json(), False, 20)
    landing = raw.start_run("20261120T090005Z-gcgcgc", meta.as_dict())
    target = landing.bulk_target()
    target.write_bytes(build_bulk_zip(studies.items()))
    landed = landing.record_bulk(
        target,
        study_count=verify_zip(target).study_entries,
        data_timestamp="2026-11-20T09:00:05",
        fetched_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
    )
    return raw, landed, meta


def test_a_bulk_load_collects_only_between_batches(
    tmp_path: Path, sample_studies: dict[str, Any], collections_during_batches: list[str]
) -> None:
    studies = {nct: sample_studies[nct] for nct in sorted(sample_studies)[:60]}
    raw, landed, meta = _landed_zip(tmp_path, studies)
    con = connect(tmp_path / "trialsync.duckdb")
    try:
        ensure_schema(con, ALL_TABLES, schema_fingerprint())
        with eager_gc():
            load_bulk_zip(con, raw, landed, meta, RunReport("r", "load-bulk"))
        assert state.study_count(con) == len(studies)
    finally:
        con.close()
    assert collections_during_batches == []


def test_recovering_landed_pages_collects_only_between_pages(
    tmp_path: Path, sample_studies: dict[str, Any], collections_during_batches: list[str]
) -> None:
    raw = RawStore(tmp_path / "raw")
    meta = RunMeta("sync", "api", Scope().key, Scope().model_dump_json(), False)
    landing = raw.start_run("20261120T090005Z-pgpgpg", meta.as_dict())
    chosen = [sample_studies[nct] for nct in sorted(sample_studies)[:40]]
    for page_no, first in enumerate(range(0, len(chosen), 20), start=1):
        body = {"studies": chosen[first : first + 20]}
        landing.land_page(
            page_no,
            orjson.dumps(body),
            data_timestamp="2026-11-20T09:00:05",
            fetched_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
            scope_key=meta.scope_key,
            params={},
        )
    con = connect(tmp_path / "trialsync.duckdb")
    try:
        ensure_schema(con, ALL_TABLES, schema_fingerprint())
        with eager_gc():
            assert recover(con, raw, RunReport("r", "sync")) == 2
        assert state.study_count(con) == len(chosen)
    finally:
        con.close()
    assert collections_during_batches == []
