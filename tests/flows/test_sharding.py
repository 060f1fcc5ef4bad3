"""The sharded bulk load gives the warehouse a one-process load gives: in this process, in worker
processes, and on a Dask cluster.

Each case loads two bulk ZIPs into a fresh data folder: a third of the sample (plus an entry that
is not JSON and a study with a value of the wrong type), then a second export where 30 of 70
studies changed. The first load adds everything; the second writes only the changed studies and
emits change events, so both halves of the writer's row selection run.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import types
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from distributed import Client, LocalCluster

from flows import zip_loading
from flows.ingest import RunMeta, load_bulk_zip
from flows.runs import RunReport
from flows.scopes import Scope
from flows.settings import Settings
from flows.shard_work import (
    WORKER_NICENESS,
    BuiltByWorker,
    ShardMismatch,
    prepare_shard,
    start_worker,
)
from flows.sharding import load_bulk_sharded, main_module_hidden
from flows.zip_loading import PROCESSES_FROM_STUDIES, bulk_task_runner, load_zip
from replay.bulk_zip import build_bulk_zip
from schemas.tables import ALL_TABLES, schema_fingerprint
from schemas.tables.studies import STUDIES as STUDIES_TABLE
from tests.support.warehouse import ROOT, content_snapshot
from transforms.screening import ScreenedStudy
from transforms.versions import Action, Decision
from warehouse import state
from warehouse.bulk import BulkArchiveError, verify_zip
from warehouse.database import connect, ensure_schema
from warehouse.raw import RawStore
from warehouse.shards import SHARDS_DIR, shard_plan

BATCH = 50
STUDIES, CHANGED, SECOND = 224, 30, 70  # in the first ZIP; changed of those in the second
STAMP = "2026-11-20T09:00:05"
RUNS = ("20261120T090005Z-aaaaaa", "20261127T090005Z-bbbbbb")
DRIFTED = "protocolSection.designModule.enrollmentInfo"
STATUS = "protocolSection.statusModule"


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory, sample_studies: dict[str, Any]) -> list[Path]:
    """The first export (with a non-JSON entry and a type-drifted study), then a changed one."""
    folder = tmp_path_factory.mktemp("zips")
    # A third of the sample keeps the four loads per case quick; every third id spreads the pick
    # over results studies, large site lists and small records alike.
    first = {nct: sample_studies[nct] for nct in sorted(sample_studies)[::3]}
    drifted = next(
        n
        for n, s in first.items()
        if "enrollmentInfo" in s["protocolSection"].get("designModule", {})
    )
    first[drifted] = copy.deepcopy(first[drifted])
    first[drifted]["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "many"
    one = folder / "one.zip"
    one.write_bytes(build_bulk_zip(first.items()))
    with zipfile.ZipFile(one, "a") as archive:
        archive.writestr("99/NCT09999999.json", b'{"protocolSection": {"identificationModule": ')
    second = {nct: first[nct] for nct in sorted(first)[1::3][:SECOND]}
    for nct in sorted(second)[::2][:CHANGED]:
        study = copy.deepcopy(first[nct])
        status = study["protocolSection"][STATUS.split(".")[1]]
        status["overallStatus"] = (
            "WITHDRAWN" if status.get("overallStatus") != "WITHDRAWN" else "COMPLETED"
        )
        status.setdefault("lastUpdatePostDateStruct", {})["date"] = "2026-11-26"
        second[nct] = study
    two = folder / "two.zip"
    two.write_bytes(build_bulk_zip(second.items()))
    return [one, two]


@dataclass
class Loaded:
    """A data folder after both loads, and what the loads reported."""

    data_dir: Path
    reports: list[RunReport]

    def snapshot(self) -> dict[str, Any]:
        con = duckdb.connect(str(self.data_dir / "trialsync.duckdb"), read_only=True)
        try:
            out: dict[str, Any] = content_snapshot(con)
            for name, sql in PIPELINE.items():
                out[name] = sorted(map(repr, con.execute(sql).fetchall()))
            return out
        finally:
            con.close()


# The pipeline tables the two paths must fill alike (minus the wall-clock `loaded_at`).
PIPELINE = {
    "pages": "SELECT run_id, page_no, scope_key, path, study_count, sha256 FROM pipeline.pages",
    "quarantine": "SELECT * FROM pipeline.quarantine",
    "drift": "SELECT * FROM pipeline.schema_drift",
    "cursors": "SELECT * FROM pipeline.cursors",
}


def load_both(
    data_dir: Path, zips: list[Path], settings: Settings, *, sharded: bool, **kw: Any
) -> Loaded:
    reports = [
        load_one(data_dir, path, run, settings, sharded=sharded, **kw)
        for path, run in zip(zips, RUNS, strict=True)
    ]
    return Loaded(data_dir, reports)


def load_one(
    data_dir: Path,
    zip_path: Path,
    run_id: str,
    settings: Settings,
    *,
    sharded: bool,
    progress: Any = None,
    chosen: bool = False,
) -> RunReport:
    """What `trialsync load-bulk <zip>` does around the load itself, with fixed timestamps."""
    con = connect(data_dir / "trialsync.duckdb")
    try:
        ensure_schema(con, ALL_TABLES, schema_fingerprint())
        raw = RawStore(data_dir / "raw")
        # A resumed run keeps what its run.json says (as `flows.ingest.recover` does).
        started = {run.run_id: run.meta for run in raw.iter_runs()}
        emit_added = state.study_count(con) > 0
        meta = (
            RunMeta.from_dict(started[run_id])
            if run_id in started
            else RunMeta(
                "load-bulk", "bulk", Scope().key, Scope().model_dump_json(), emit_added, BATCH
            )
        )
        landing = raw.start_run(run_id, meta.as_dict())
        target = landing.bulk_target()
        if not target.exists():
            shutil.copyfile(zip_path, target)
        landed = landing.record_bulk(
            target,
            study_count=verify_zip(target).study_entries,
            data_timestamp=STAMP,
            fetched_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        )
        report = RunReport(run_id, "load-bulk")
        if chosen:  # the way `trialsync load-bulk` picks (flows.zip_loading)
            load_zip(settings, con, raw, landed, meta, report, progress)
        elif sharded:
            load_bulk_sharded(con, raw, landed, meta, report, settings, progress)
        else:
            load_bulk_zip(con, raw, landed, meta, report, progress)
        return report
    finally:
        con.close()


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, batch_size=BATCH, **overrides)


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory, zips: list[Path]) -> Loaded:
    """The reference: both ZIPs through `load_bulk_zip`, as a one-machine run loads them."""
    data_dir = tmp_path_factory.mktemp("one-process")
    return load_both(data_dir, zips, settings_for(data_dir), sharded=False)


def assert_same_load(got: Loaded, want: Loaded) -> None:
    assert got.snapshot() == want.snapshot()
    for mine, theirs in zip(got.reports, want.reports, strict=True):
        assert mine.fetched == theirs.fetched
        assert mine.outcome.actions == theirs.outcome.actions
        assert mine.outcome.events == theirs.outcome.events
        assert mine.outcome.quarantined == theirs.outcome.quarantined
        assert mine.outcome.type_issues == theirs.outcome.type_issues
        assert mine.outcome.max_last_update == theirs.outcome.max_last_update
    assert not list(got.data_dir.glob(f"raw/bulk/*/{SHARDS_DIR}")), "shard files left behind"


def test_the_reference_load_exercises_every_part(one_process: Loaded) -> None:
    # Guards the comparison below: it is only as strong as what the loads actually did.
    first, second = one_process.reports
    assert first.outcome.actions == {"add": STUDIES}
    assert first.outcome.quarantined == 1
    assert {i.column for i in first.outcome.type_issues} == {"enrollment", "enrollment_raw"}
    assert second.outcome.actions == {"new_version": CHANGED, "unchanged": SECOND - CHANGED}
    assert second.outcome.events["status_changed"] == CHANGED
    assert one_process.snapshot()["cursors"]


def test_sharded_in_process_matches_the_one_process_load(
    tmp_path: Path, zips: list[Path], one_process: Loaded
) -> None:
    got = load_both(tmp_path, zips, settings_for(tmp_path, task_runner="local"), sharded=True)
    assert_same_load(got, one_process)


def test_an_interrupted_sharded_load_resumes_one_process(
    tmp_path: Path, zips: list[Path], one_process: Loaded
) -> None:
    # Shards are the load batches, so either path picks up what the other committed.
    committed = []

    def crash_after_two(batches: int, studies: int) -> None:
        committed.append(studies)
        if len(committed) == 2:
            raise KeyboardInterrupt  # what Ctrl-C does mid-load

    settings = settings_for(tmp_path, task_runner="local")
    with pytest.raises(KeyboardInterrupt):
        load_one(tmp_path, zips[0], RUNS[0], settings, sharded=True, progress=crash_after_two)
    assert not list(tmp_path.glob(f"raw/bulk/*/{SHARDS_DIR}"))
    con = duckdb.connect(str(tmp_path / "trialsync.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM pipeline.pages").fetchall() == [(2,)]
    con.close()
    resumed = load_one(tmp_path, zips[0], RUNS[0], settings, sharded=False)
    assert resumed.fetched == STUDIES + 1 - 2 * BATCH
    second = load_one(tmp_path, zips[1], RUNS[1], settings, sharded=True)
    assert second.outcome.actions["new_version"] == CHANGED
    assert Loaded(tmp_path, []).snapshot() == one_process.snapshot()


def test_the_writer_refuses_rows_for_studies_the_worker_did_not_build(
    tmp_path: Path, zips: list[Path]
) -> None:
    result = prepare_shard(zips[0], shard_plan(STUDIES + 1, BATCH)[0], tmp_path)
    rows = BuiltByWorker(result)
    screened = {s.nct_id: s for s in result.screening.studies}
    a, b = [nct for nct in result.nct_ids if nct not in result.strict][:2]
    never_built = dataclasses.replace(screened[a], nct_id="NCT00000000")

    def adds(*studies: ScreenedStudy) -> list[Decision]:
        return [Decision(s, Action.ADD, 1, None, None) for s in studies]

    # A subsequence is fine, and gets exactly its own rows.
    assert rows.normalized(adds(screened[b]), frozenset()).tables[STUDIES_TABLE][
        "nct_id"
    ].to_pylist() == [b]
    with pytest.raises(ShardMismatch):
        rows.normalized(adds(screened[b], screened[a]), frozenset())  # out of order
    with pytest.raises(ShardMismatch):
        rows.normalized(adds(never_built), frozenset())
    with pytest.raises(ShardMismatch):
        rows.normalized(adds(screened[a]), frozenset({a}))  # built without the value checks
    with pytest.raises(ShardMismatch):
        rows.compressed(adds(never_built))  # no record to keep as its version


def test_a_new_version_gets_back_the_record_the_worker_compressed(
    tmp_path: Path, zips: list[Path]
) -> None:
    # The screening crosses to the writer without its records; a new version's events need one.
    result = prepare_shard(zips[0], shard_plan(STUDIES + 1, BATCH)[1], tmp_path)
    shipped = pickle.loads(pickle.dumps(result))
    study = shipped.screening.studies[0]
    with pytest.raises(AttributeError):
        study.record  # noqa: B018 (the access is what is tested)
    decisions = [
        Decision(study, Action.NEW_VERSION, 2, 1, None),
        Decision(shipped.screening.studies[1], Action.UNCHANGED, 1, 1, None),
    ]
    got = BuiltByWorker(shipped).with_records(decisions)
    with zipfile.ZipFile(zips[0]) as archive:
        entry = next(n for n in archive.namelist() if n.endswith(f"{study.nct_id}.json"))
        assert got[0].study.record == json.loads(archive.read(entry))
    assert got[0].study.content_hash == study.content_hash
    assert got[1] is decisions[1]


def test_worker_processes_load_matches_the_one_process_load(
    tmp_path: Path, zips: list[Path], one_process: Loaded
) -> None:
    here = _archives_opened()
    got = load_both(tmp_path, zips, settings_for(tmp_path, task_runner="processes"), sharded=True)
    assert_same_load(got, one_process)
    assert _archives_opened() == here, "the writer read the ZIP itself"


@pytest.mark.parametrize(
    ("runner", "studies", "cpus", "chosen"),
    [
        ("auto", PROCESSES_FROM_STUDIES, 2, "processes"),
        ("auto", PROCESSES_FROM_STUDIES - 1, 2, "local"),
        ("auto", 600_000, 1, "local"),
        ("local", 600_000, 8, "local"),
        ("processes", 10, 1, "processes"),
        ("dask", 10, 1, "dask"),
    ],
)
def test_auto_gives_large_zips_to_workers_when_there_are_cpus_to_spare(
    tmp_path: Path, runner: str, studies: int, cpus: int, chosen: str
) -> None:
    settings = settings_for(tmp_path, task_runner=runner)
    assert bulk_task_runner(settings, studies, cpus) == chosen


def test_cpus_are_counted_without_an_affinity_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # macOS has no sched_getaffinity: every CPU of the machine counts.
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert zip_loading.available_cpus() == 3


def test_auto_loads_a_large_zip_with_workers(
    tmp_path: Path, zips: list[Path], one_process: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample's ZIPs stand in for large ones, on a machine with two CPUs.
    monkeypatch.setattr(zip_loading, "PROCESSES_FROM_STUDIES", STUDIES)
    monkeypatch.setattr(zip_loading, "available_cpus", lambda: 2)
    here = _archives_opened()
    got = load_both(tmp_path, zips, settings_for(tmp_path), sharded=False, chosen=True)
    assert_same_load(got, one_process)
    assert _archives_opened() == here, "the writer read the ZIP itself"


def test_a_writer_failure_stops_the_worker_processes(
    tmp_path: Path, zips: list[Path], one_process: Loaded
) -> None:
    # Two workers keep three shards in flight; the writer stops after one commit. The shards in
    # flight are dropped with their files, and the re-run picks up after the committed one.
    settings = settings_for(tmp_path, task_runner="processes", shard_workers=2)
    assert_stops_after_one_commit_and_resumes(tmp_path, zips, settings, one_process)


def test_a_corrupt_entry_in_a_worker_fails_the_load_with_its_name(
    tmp_path: Path, zips: list[Path]
) -> None:
    # The worker's error reaches the writer as it was raised; the batches before it stay loaded.
    path = tmp_path / "corrupt.zip"
    with zipfile.ZipFile(zips[0]) as source, zipfile.ZipFile(path, "w") as target:
        names = [n for n in source.namelist() if n.endswith(".json")]
        for name in names:
            target.writestr(name, source.read(name), compress_type=zipfile.ZIP_STORED)
    bad = names[BATCH + 3]  # in the second shard
    data = path.read_bytes()
    at = data.index(b"protocolSection", data.index(bad.encode()))
    path.write_bytes(data[:at] + b"X" + data[at + 1 :])
    settings = settings_for(tmp_path, task_runner="processes", shard_workers=1)
    with pytest.raises(BulkArchiveError, match=f"entry {bad} is corrupt"):
        load_one(tmp_path, path, RUNS[0], settings, sharded=True)
    assert not list(tmp_path.glob(f"raw/bulk/*/{SHARDS_DIR}"))
    con = duckdb.connect(str(tmp_path / "trialsync.duckdb"), read_only=True)
    assert con.execute("SELECT page_no FROM pipeline.pages").fetchall() == [(1,)]
    con.close()


def test_worker_processes_start_at_a_lower_priority_without_the_main_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in main program that leaves a mark each time it runs. A worker started the way
    # the pool starts them runs at the writer's niceness plus WORKER_NICENESS, and never runs
    # the program; a plain spawned process does run it (so the mark can tell).
    mark = tmp_path / "ran"
    program = tmp_path / "program.py"
    program.write_text(f"open({str(mark)!r}, 'a').write('ran')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(program)
    monkeypatch.setitem(sys.modules, "__main__", main)
    context = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(1, context, initializer=start_worker) as pool,
        main_module_hidden(),
    ):
        niceness = pool.submit(os.nice, 0).result()
    assert niceness == min(os.nice(0) + WORKER_NICENESS, 19)
    assert not mark.exists()
    with ProcessPoolExecutor(1, context) as pool:
        pool.submit(os.nice, 0).result()
    assert mark.read_text() == "ran"


def _modules_after_importing(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(done.stdout.split())


def test_a_worker_imports_neither_duckdb_nor_the_load_path_nor_prefect() -> None:
    # What a spawned worker imports is its start-up time (flows.sharding.main_module_hidden).
    # The writer's side does import them, which shows the check can fail.
    worker = _modules_after_importing("flows.shard_work")
    assert {"duckdb", "flows.loading", "flows.ingest", "prefect"}.isdisjoint(worker)
    writer = _modules_after_importing("flows.sharding")
    assert {"duckdb", "flows.loading", "flows.ingest", "prefect"} <= writer


def assert_stops_after_one_commit_and_resumes(
    tmp_path: Path, zips: list[Path], settings: Settings, one_process: Loaded
) -> None:
    committed = []

    def crash_after_one(batches: int, studies: int) -> None:
        committed.append(studies)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_one(tmp_path, zips[0], RUNS[0], settings, sharded=True, progress=crash_after_one)
    assert committed == [BATCH]
    assert not list(tmp_path.glob(f"raw/bulk/*/{SHARDS_DIR}"))
    resumed = load_one(tmp_path, zips[0], RUNS[0], settings, sharded=True)
    assert resumed.fetched == STUDIES + 1 - BATCH
    load_one(tmp_path, zips[1], RUNS[1], settings, sharded=True)
    assert Loaded(tmp_path, []).snapshot() == one_process.snapshot()


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """Two worker processes on this machine: shards and results cross process boundaries."""

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow
@pytest.mark.prefect
def test_dask_cluster_load_matches_the_one_process_load(
    tmp_path: Path, zips: list[Path], one_process: Loaded, prefect_backend: None, dask_cluster: str
) -> None:
    settings = settings_for(
        tmp_path, task_runner="dask", dask_address=dask_cluster, dask_shards_ahead=2
    )
    here = _archives_opened()
    got = load_both(tmp_path, zips, settings, sharded=True)
    assert_same_load(got, one_process)
    # The workers read the shards, not this process, and each read a ZIP's directory only once
    # however many of its shards it got (7 shards, 2 ZIPs).
    with Client(dask_cluster) as client:
        opened = client.run(_archives_opened)
    assert sum(opened.values()) >= 2 and max(opened.values()) <= 2, opened
    assert _archives_opened() == here


def _archives_opened() -> int:
    from warehouse.shards import _open_archive

    return _open_archive.cache_info().misses


@pytest.mark.slow
@pytest.mark.prefect
def test_a_writer_failure_on_dask_lets_go_of_the_cluster(
    tmp_path: Path, zips: list[Path], one_process: Loaded, prefect_backend: None, dask_cluster: str
) -> None:
    # The flow run ends when the writer stops; shards in flight are dropped, and their files too.
    settings = settings_for(
        tmp_path, task_runner="dask", dask_address=dask_cluster, dask_shards_ahead=3
    )
    assert_stops_after_one_commit_and_resumes(tmp_path, zips, settings, one_process)
