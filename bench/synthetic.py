"""A synthetic registry for the benchmarks: the sample records again and again, under new ids.

    .venv/bin/python -m bench.synthetic [--studies 200000] [--verify 2000] [--rebuild]

Study `i` is sample record `i % len(sample)` with `identificationModule.nctId` = `NCT9` + `i` in 7
digits. Only that one value is rewritten, in the raw bytes, so every copy hashes and normalizes
exactly like its original. Batches are made on demand (1,000 studies each, as a load commits
them), so a 600,000-study registry never sits in memory at once.

`warehouse(n)` is the warehouse a bulk load of studies 0 .. n-1 leaves behind, cached in bench/out/
under a key of the table declarations, the sample and this builder, so reruns reuse it. Building it
through the load path costs ~4 ms per study on a 2-core machine (15 minutes for 200,000), so it is
built from the first cycle instead: the sample is loaded once through `flows.loading.load_records`,
then each further cycle is that cycle's Arrow tables with the study's id swapped in, its stable ids
recomputed from the recorded `stable_id` inputs, and its hashes and stored record computed by the
production functions in two worker processes. `--verify N` proves the shortcut: it builds an
N-study warehouse both ways and compares every table row for row.

`registry_edit` changes a record the way the registry does: one real field edit (status,
enrollment, completion date or a site's status, in turn) and new version dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

import transforms._ids
from bench.common import emit, out_dir, sample_bytes, sample_key
from flows.loading import load_records
from schemas.codec import compress_record
from schemas.table import Table
from schemas.tables import ALL_TABLES, ALL_VIEWS, CTGOV_TABLES, schema_fingerprint
from schemas.tables.history import STUDY_STATE, STUDY_VERSIONS
from schemas.tables.pipeline import SCHEMA_DRIFT
from transforms.drift import drift_observations
from transforms.hashing import content_hash, record_hash
from transforms.normalize import builders, gc_paused, normalize
from transforms.versions import LoadContext
from warehouse.database import connect, ensure_schema, insert_arrow, transaction

BATCH = 1000
# Bump when the build changes what it writes, so cached warehouses are rebuilt.
BUILDER_VERSION = 4  # 4: row groups of Settings.duckdb_row_group_size, as a load leaves them
T0 = dt.datetime(2026, 11, 20, 9, 0, 5)
CONTEXT = LoadContext(run_id="bench-full", source="bulk", data_timestamp=T0, fetched_at=T0)
# Tables a bulk load of valid records writes; anything else having rows stops the build.
_REPLICATED = (*CTGOV_TABLES, STUDY_VERSIONS, STUDY_STATE)
_MASK = 2**63 - 1  # stable ids are xxh3-64 masked to a positive int64 (transforms._ids)
_PER_STUDY = ("nct_id", "content_hash", "record_hash", "raw_record")
_NCT_ID = re.compile(rb'"nctId"\s*:\s*"NCT\d{8}"')
_sample: list[bytes] = []


def synthetic_id(i: int) -> str:
    """The NCT id of synthetic study `i` (NCT9xxxxxxx: never a real id)."""
    if not 0 <= i < 10_000_000:
        raise ValueError(f"synthetic study {i} is out of range")
    return f"NCT9{i:07d}"


def _samples() -> list[bytes]:
    if not _sample:
        _sample.extend(sample_bytes())
    return _sample


def sample_size() -> int:
    """Studies in one cycle of the synthetic registry (the sample's size)."""
    return len(_samples())


def synthetic_blob(i: int) -> bytes:
    """The raw JSON of synthetic study `i`."""
    blobs = _samples()
    # identificationModule comes first in every record, so the first nctId key is the study's own
    new_id = b'"nctId": "%s"' % synthetic_id(i).encode()
    blob, found = _NCT_ID.subn(new_id, blobs[i % len(blobs)], count=1)
    if not found:
        raise ValueError(f"sample record {i % len(blobs)} has no nctId")
    return blob


def synthetic_batches(count: int, *, start: int = 0, batch: int = BATCH) -> Iterator[list[bytes]]:
    """Studies `start` .. `start + count - 1` as raw JSON, `batch` at a time."""
    for first in range(start, start + count, batch):
        yield [synthetic_blob(i) for i in range(first, min(first + batch, start + count))]


def parse(blobs: Sequence[bytes]) -> list[dict[str, Any]]:
    """Parsed records (what a load receives from a page)."""
    return [orjson.loads(blob) for blob in blobs]


@gc_paused()  # for the records' whole life, as flows.ingest loads a bulk batch
def load_batch(con: duckdb.DuckDBPyConnection, blobs: Sequence[bytes]) -> None:
    """Parse and load one batch of synthetic studies through the production load path."""
    load_records(con, parse(blobs), CONTEXT, emit_added=False)


_STATUSES = ("ACTIVE_NOT_RECRUITING", "COMPLETED", "SUSPENDED")


def registry_edit(record: dict[str, Any], kind: int, day: str) -> dict[str, Any]:
    """`record` (edited in place and returned) as the registry edits a study, posted on `day`.

    `kind` picks the edit (status, enrollment, completion date, a site's status); the new value
    depends on `day`, so edits on consecutive days are real changes of each other too.
    """
    protocol = record["protocolSection"]
    status = protocol["statusModule"]
    n = dt.date.fromisoformat(day).toordinal()
    if kind % 4 == 0:
        status["overallStatus"] = _STATUSES[n % len(_STATUSES)]
    elif kind % 4 == 1:
        enrollment = protocol.setdefault("designModule", {}).setdefault("enrollmentInfo", {})
        enrollment["count"] = int(enrollment.get("count") or 0) + n % 97 + 1
    elif kind % 4 == 2:
        status["completionDateStruct"] = {"date": day, "type": "ESTIMATED"}
    else:
        sites = protocol.get("contactsLocationsModule", {}).get("locations") or []
        if sites:
            sites[0]["status"] = ("COMPLETED", "RECRUITING")[n % 2]
        else:
            protocol["identificationModule"]["acronym"] = f"EDIT-{day}"
    status["lastUpdateSubmitDate"] = day
    status["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
    return record


# -- the cached warehouse ---------------------------------------------------------------------


def cache_key() -> str:
    """What a cached warehouse was built from: table declarations, sample, builder version."""
    parts = f"{schema_fingerprint()}|{sample_key()}|{BUILDER_VERSION}"
    return hashlib.sha256(parts.encode()).hexdigest()[:12]


def warehouse_path(studies: int) -> Path:
    """Where the cached warehouse of `studies` synthetic studies lives."""
    return out_dir() / f"synthetic-{studies}-{cache_key()}.duckdb"


def warehouse(studies: int, *, rebuild: bool = False) -> tuple[Path, float | None]:
    """The cached warehouse of `studies` studies, and the seconds it took if built now."""
    path = warehouse_path(studies)
    if path.exists() and not rebuild:
        return path, None
    for stale in out_dir().glob(f"synthetic-{studies}-*"):
        stale.unlink()  # built from other declarations: useless, and ~14 kB per study
    start = time.perf_counter()
    build(path, studies)
    return path, time.perf_counter() - start


def working_copy(studies: int, name: str) -> Path:
    """A throw-away copy of the cached warehouse, for benchmarks that write to it."""
    source, _ = warehouse(studies)
    target = out_dir() / f"{name}.duckdb"
    target.with_name(target.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def open_warehouse(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a bench warehouse (the declared tables checked or created)."""
    con = connect(path, read_only=read_only)
    if not read_only:
        ensure_schema(con, ALL_TABLES, schema_fingerprint(), ALL_VIEWS)
    return con


def build(path: Path, studies: int) -> None:
    """Write the warehouse a bulk load of synthetic studies 0 .. `studies`-1 leaves behind."""
    building = path.with_name(path.name + ".building")
    for old in (building, building.with_name(building.name + ".wal")):
        old.unlink(missing_ok=True)
    con = open_warehouse(building)
    cycle = min(len(_samples()), studies)
    with _recorded_ids() as calls, gc_paused():
        records = parse([synthetic_blob(i) for i in range(cycle)])
        load_records(con, records, CONTEXT, emit_added=False)
    template = Template.read(con, cycle, calls)
    _replicate(con, template, studies)
    _scale_drift(con, cycle, studies)
    con.execute("CHECKPOINT")
    con.close()
    building.replace(path)


def build_by_loading(path: Path, studies: int) -> None:
    """The same warehouse through the load path, 1,000 studies per batch (slow; for --verify)."""
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    con = open_warehouse(path)
    for blobs in synthetic_batches(studies):
        load_batch(con, blobs)
    con.execute("CHECKPOINT")
    con.close()


class _Recorder:
    """Stands in for the xxhash module inside transforms._ids (see `_recorded_ids`)."""

    def __init__(self, record: Callable[[bytes], int]) -> None:
        self.xxh3_64_intdigest = record


@contextmanager
def _recorded_ids() -> Iterator[dict[int, bytes]]:
    """Every stable id computed inside the block, with the bytes it was hashed from.

    transforms._ids hashes with xxhash.xxh3_64_intdigest, held as a module global (the module,
    or the function itself): each such global is swapped for a recorder for the block.
    """
    calls: dict[int, bytes] = {}
    real = xxhash.xxh3_64_intdigest

    def record(data: bytes) -> int:
        value: int = real(data)
        calls[value & _MASK] = data
        return value

    module = vars(transforms._ids)
    swapped = {n: v for n, v in module.items() if v is real or v is xxhash}
    if not swapped:
        raise RuntimeError("transforms._ids no longer uses xxhash: teach bench/synthetic.py")
    module.update({n: record if v is real else _Recorder(record) for n, v in swapped.items()})
    try:
        yield calls
    finally:
        module.update(swapped)


@dataclass
class Template:
    """The first cycle's rows, and how to move each onto another cycle's studies."""

    cycle: int  # studies in one cycle (the sample's size, or fewer)
    tables: dict[Table, pa.Table]
    study_of_row: dict[Table, pa.Array]  # row -> position of its study in the cycle
    id_columns: dict[Table, dict[str, pa.Array]]  # id column -> row -> index into `id_keys`
    id_keys: list[tuple[int, str, str]]  # (study position, text before its nct_id, after)
    rebuilt: tuple[Table, ...]  # tables whose text embeds the id: built again by their builder

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, cycle: int, calls: dict[int, bytes]) -> Template:
        """The template from a warehouse holding exactly the first cycle."""
        _check_only_replicated_tables(con)
        tables = {t: con.sql(f"FROM {t.qualified_name}").to_arrow_table() for t in _REPLICATED}
        position = {synthetic_id(j): j for j in range(cycle)}
        study_of_row = {
            t: pa.array([position[n] for n in data["nct_id"].to_pylist()], pa.int32())
            for t, data in tables.items()
        }
        keys, key_index = _id_keys(calls, position)
        id_columns = {t: _id_columns(t, data, key_index) for t, data in tables.items()}
        rebuilt = tuple(t for t, data in tables.items() if _holds_own_id(data))
        if set(rebuilt) - set(CTGOV_TABLES):
            raise RuntimeError(f"{rebuilt}: the id inside history text: teach bench/synthetic.py")
        return cls(cycle, tables, study_of_row, id_columns, keys, rebuilt)


def _check_only_replicated_tables(con: duckdb.DuckDBPyConnection) -> None:
    known = {t.qualified_name for t in _REPLICATED} | {SCHEMA_DRIFT.qualified_name, "pipeline.meta"}
    for table in ALL_TABLES:
        if table.qualified_name in known:
            continue
        count = con.execute(f"SELECT count(*) FROM {table.qualified_name}").fetchall()[0][0]
        if count:
            raise RuntimeError(
                f"a bulk load now writes {table.qualified_name}: teach bench/synthetic.py about it"
            )


def _id_keys(
    calls: dict[int, bytes], position: dict[str, int]
) -> tuple[list[tuple[int, str, str]], dict[int, int]]:
    """Each recorded id as (study, prefix, suffix) around its nct_id part, and id -> index."""
    keys: list[tuple[int, str, str]] = []
    index: dict[int, int] = {}
    for value, data in calls.items():
        parts = data.decode().split("\x1f")
        at = [n for n, part in enumerate(parts) if part in position]
        if len(at) != 1:
            continue  # not tied to exactly one study: nothing to move
        head = "\x1f".join(parts[: at[0]] + [""])
        tail = "\x1f".join([""] + parts[at[0] + 1 :])
        index[value] = len(keys)
        keys.append((position[parts[at[0]]], head, tail))
    return keys, index


def _id_columns(table: Table, data: pa.Table, key_index: dict[int, int]) -> dict[str, pa.Array]:
    """Every int64 column whose values are stable ids of a study, as indexes into the keys."""
    out: dict[str, pa.Array] = {}
    for field in data.schema:
        if field.type != pa.int64():
            continue
        values = data[field.name].to_pylist()
        found = [v is not None and v in key_index for v in values]
        where = f"{table.qualified_name}.{field.name}"
        if not any(found):
            named_id = field.name == "id" or field.name.endswith("_id")
            if named_id and any(v is not None for v in values):
                raise RuntimeError(f"{where}: not made by stable_id (bench/synthetic.py)")
            continue
        if not all(f or v is None for f, v in zip(found, values, strict=True)):
            raise RuntimeError(f"{where}: some values are not stable ids")
        out[field.name] = pa.array(
            [None if v is None else key_index[v] for v in values], pa.int32()
        )
    return out


def _holds_own_id(data: pa.Table) -> bool:
    """Whether a text column besides nct_id holds its row's nct_id (e.g. a document URL)."""
    own = data["nct_id"].to_pylist()
    for field in data.schema:
        if field.name != "nct_id" and pa.types.is_string(field.type):
            values = data[field.name].to_pylist()
            if any(v is not None and n in v for n, v in zip(own, values, strict=True)):
                return True
    return False


# -- the other cycles, in two worker processes ------------------------------------------------

_worker_keys: list[tuple[int, str, str]] = []
_worker_rebuilt: list[str] = []


def _init_worker(keys: list[tuple[int, str, str]], rebuilt: list[str]) -> None:
    _worker_keys[:] = keys
    _worker_rebuilt[:] = rebuilt


@dataclass
class Cycle:
    """What a worker computed for one cycle: the production hashes, stored records and ids."""

    first: int  # synthetic number of the cycle's first study
    count: int
    per_study: dict[str, list[Any]]
    ids: list[int]
    rows: dict[str, pa.Table]  # the rebuilt tables, by name


def _cycle(first_and_count: tuple[int, int]) -> Cycle:
    first, count = first_and_count
    per_study: dict[str, list[Any]] = {name: [] for name in _PER_STUDY}
    records = []
    with gc_paused():
        for i in range(first, first + count):
            record = orjson.loads(synthetic_blob(i))
            records.append((synthetic_id(i), record))
            per_study["nct_id"].append(synthetic_id(i))
            per_study["content_hash"].append(content_hash(record))
            per_study["record_hash"].append(record_hash(record))
            per_study["raw_record"].append(compress_record(record))
    rebuilt = [t for t in builders() if t.qualified_name in _worker_rebuilt]
    built = normalize(records, only=rebuilt)
    if built.type_issues:
        raise RuntimeError(f"rebuilt tables: {built.type_issues[:3]}")
    stable_id = transforms._ids.stable_id
    ids = [stable_id(f"{head}{synthetic_id(first + j)}{tail}") for j, head, tail in _worker_keys]
    return Cycle(
        first, count, per_study, ids, {t.qualified_name: d for t, d in built.tables.items()}
    )


def _moved(template: Template, table: Table, cycle: Cycle, arrays: dict[str, pa.Array]) -> pa.Table:
    """The template's rows of `table`, moved onto `cycle`'s studies (`arrays`: its values)."""
    if table in template.rebuilt:
        return cycle.rows[table.qualified_name]
    data, study = template.tables[table], template.study_of_row[table]
    columns = template.id_columns[table]
    if cycle.count < template.cycle:
        keep = pc.less(study, cycle.count)
        data, study = data.filter(keep), study.filter(keep)
        columns = {n: idx.filter(keep) for n, idx in columns.items()}
    for name, index in columns.items():
        data = data.set_column(data.schema.get_field_index(name), name, arrays["id"].take(index))
    own = _PER_STUDY if table in (STUDY_VERSIONS, STUDY_STATE) else ("nct_id",)
    for name in own:
        if name in data.schema.names:
            column = arrays[name].take(study)
            data = data.set_column(data.schema.get_field_index(name), name, column)
    return data


def _arrays(cycle: Cycle) -> dict[str, pa.Array]:
    """The cycle's values as Arrow arrays of the history tables' types, and its ids."""
    fields = STUDY_VERSIONS.arrow_schema()
    arrays = {n: pa.array(v, fields.field(n).type) for n, v in cycle.per_study.items()}
    return arrays | {"id": pa.array(cycle.ids, pa.int64())}


def _replicate(con: duckdb.DuckDBPyConnection, template: Template, studies: int) -> None:
    """Insert cycles 2, 3, ... (10 at a time: big appends are DuckDB's fast path)."""
    cycles = [
        (first, min(template.cycle, studies - first))
        for first in range(template.cycle, studies, template.cycle)
    ]
    pending: list[Cycle] = []
    with multiprocessing.get_context("spawn").Pool(
        2,
        initializer=_init_worker,
        initargs=(template.id_keys, [t.qualified_name for t in template.rebuilt]),
    ) as pool:
        for cycle in pool.imap(_cycle, cycles):
            pending.append(cycle)
            if len(pending) == 10:
                _append(con, template, pending)
                pending = []
    if pending:
        _append(con, template, pending)


def _append(con: duckdb.DuckDBPyConnection, template: Template, cycles: list[Cycle]) -> None:
    arrays = [_arrays(c) for c in cycles]
    with transaction(con):
        for table in _REPLICATED:
            moved = [_moved(template, table, c, a) for c, a in zip(cycles, arrays, strict=True)]
            insert_arrow(con, table, pa.concat_tables(moved))


def _scale_drift(con: duckdb.DuckDBPyConnection, cycle: int, studies: int) -> None:
    """Drift counts as a load of every study would have summed them (examples: first cycle)."""
    per_study = [
        Counter((d.path, d.kind) for d in drift_observations(orjson.loads(synthetic_blob(j)), "x"))
        for j in range(cycle)
    ]
    total: Counter[tuple[str, str]] = Counter()
    for j, counts in enumerate(per_study):
        copies = studies // cycle + (1 if j < studies % cycle else 0)
        for key, n in counts.items():
            total[key] += n * copies
    with transaction(con):
        for (path, kind), n in total.items():
            con.execute(
                "UPDATE pipeline.schema_drift SET occurrences = ? WHERE path = ? AND kind = ?",
                [n, path, kind],
            )


# -- proof ------------------------------------------------------------------------------------


def differences(a: Path, b: Path) -> dict[str, int]:
    """Rows that differ between two warehouses, by table (only tables that differ)."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [str(a)])
    con.execute("ATTACH ? AS b (READ_ONLY)", [str(b)])
    out: dict[str, int] = {}
    for table in ALL_TABLES:
        name = table.qualified_name
        if name == "pipeline.meta":
            continue
        n = con.execute(
            f"SELECT (SELECT count(*) FROM (FROM a.{name} EXCEPT ALL FROM b.{name})) + "
            f"(SELECT count(*) FROM (FROM b.{name} EXCEPT ALL FROM a.{name}))"
        ).fetchall()[0][0]
        if n:
            out[name] = n
    con.close()
    return out


def verify(studies: int) -> dict[str, int]:
    """Build `studies` studies both ways; the differing rows by table (empty: identical)."""
    fast, slow = out_dir() / "verify-fast.duckdb", out_dir() / "verify-load.duckdb"
    build(fast, studies)
    build_by_loading(slow, studies)
    try:
        return differences(fast, slow)
    finally:
        for path in (fast, slow):
            path.unlink(missing_ok=True)


def notes_path(studies: int) -> Path:
    """What is known about the cached warehouse: build seconds, the proof of the build."""
    return warehouse_path(studies).with_suffix(".json")


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=200_000)
    parser.add_argument(
        "--verify",
        type=int,
        default=2000,
        help="when building, prove the build at this size (0: no)",
    )
    parser.add_argument("--rebuild", action="store_true", help="ignore a cached warehouse")
    args = parser.parse_args()
    notes, built = notes_path(args.studies), False
    if args.rebuild or not warehouse_path(args.studies).exists():
        proof: dict[str, object] = {}
        if args.verify:
            diff = verify(args.verify)
            if diff:
                raise SystemExit(f"the fast build differs from a real load: {diff}")
            proof = {"verified at studies": args.verify}
        _, seconds = warehouse(args.studies, rebuild=True)
        notes.write_text(json.dumps({"build seconds": round(seconds or 0.0, 1), **proof}))
        built = True
    path = warehouse_path(args.studies)
    known = json.loads(notes.read_text()) if notes.exists() else {}
    return emit(
        "synthetic",
        {
            "studies": args.studies,
            "warehouse": path.name,
            "reused from cache": not built,
            "build seconds (when built)": known.get("build seconds", "unknown"),
            "verified identical to a real load of (studies)": known.get("verified at studies", 0),
            "warehouse file MB": round(path.stat().st_size / 1e6),
        },
    )


if __name__ == "__main__":
    main()
