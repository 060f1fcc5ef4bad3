"""The one load path: screen → decide → normalize → one transaction; real records, real DuckDB."""

from __future__ import annotations

import copy
import datetime as dt
from contextlib import contextmanager

import duckdb
import pytest

from flows.loading import load_records
from schemas.tables import ALL_TABLES, CTGOV_TABLES, schema_fingerprint
from tests.support.warehouse import FETCH_BOOKKEEPING
from transforms.versions import LoadContext
from warehouse.database import connect, ensure_schema, table_counts

T0 = dt.datetime(2026, 11, 20, 9, 0, 5)


def _ctx(run: str, when: dt.datetime = T0) -> LoadContext:
    return LoadContext(run_id=run, source="api", data_timestamp=when, fetched_at=when)


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    ensure_schema(con, ALL_TABLES, schema_fingerprint())
    yield con
    con.close()


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    out = {}
    for table in (*CTGOV_TABLES, *[t for t in ALL_TABLES if t.schema == "history"]):
        cols = ", ".join(c.name for c in table.columns if c.name not in FETCH_BOOKKEEPING)
        out[table.qualified_name] = sorted(
            map(repr, con.execute(f"SELECT {cols} FROM {table.qualified_name}").fetchall())
        )
    return out


def test_loading_the_same_records_twice_changes_nothing(con, sample_studies):
    records = list(sample_studies.values())
    first = load_records(con, records, _ctx("run-1"))
    assert first.actions["add"] == len(sample_studies)
    before = _snapshot(con)
    second = load_records(con, records, _ctx("run-2", T0 + dt.timedelta(days=1)))
    assert second.actions == {"unchanged": len(sample_studies)}
    assert _snapshot(con) == before


def test_every_fetched_study_gets_its_fetch_time_changed_or_not(con, sample_studies):
    # reconcile re-fetches the studies fetched longest ago, so an unchanged (or older) record
    # must move last_fetched_at too, or the same slice would be re-fetched forever.
    records = list(sample_studies.values())[:20]
    load_records(con, records, _ctx("run-1"))
    later = T0 + dt.timedelta(days=3)
    older = copy.deepcopy(records[0])
    older["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2001-01-01"
    outcome = load_records(con, [older, *records[1:10]], _ctx("run-2", later))
    assert outcome.actions == {"stale": 1, "unchanged": 9}
    stamps = dict(con.execute("SELECT nct_id, last_fetched_at FROM history.study_state").fetchall())
    ids = [r["protocolSection"]["identificationModule"]["nctId"] for r in records]
    assert [stamps[n] for n in ids] == [later] * 10 + [T0] * 10
    # a page replayed late (fetched before) never moves it back
    load_records(con, records[:10], _ctx("run-1"))
    assert con.execute(
        "SELECT min(last_fetched_at) FROM history.study_state WHERE nct_id IN (SELECT unnest(?))",
        [ids[:10]],
    ).fetchall() == [(later,)]


def test_noise_only_refresh_creates_no_version(con, version_pairs):
    older = [pair[0] for pair in version_pairs.values()]
    newer = [pair[1] for pair in version_pairs.values()]
    load_records(con, older, _ctx("run-1"))
    outcome = load_records(con, newer, _ctx("run-2", T0 + dt.timedelta(days=1)))
    assert outcome.actions["new_version"] == 0
    versions = con.execute("SELECT count(*) FROM history.study_versions").fetchall()[0][0]
    assert versions == len(version_pairs)


def test_a_real_edit_creates_a_version_and_closes_the_previous(con, sample_studies):
    study = next(iter(sample_studies.values()))
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    edited = copy.deepcopy(study)
    edited["protocolSection"]["conditionsModule"]["conditions"] = ["An edited condition"]
    load_records(con, [study], _ctx("run-1"))
    later = T0 + dt.timedelta(days=2)
    outcome = load_records(con, [edited], _ctx("run-2", later))
    assert outcome.actions == {"new_version": 1}
    rows = con.execute(
        "SELECT version_no, valid_from, valid_to FROM history.study_versions WHERE nct_id = ? "
        "ORDER BY version_no",
        [nct],
    ).fetchall()
    assert rows == [(1, T0, later), (2, later, None)]
    names = con.execute("SELECT name FROM ctgov.conditions WHERE nct_id = ?", [nct]).fetchall()
    assert names == [("An edited condition",)]


def test_an_older_record_never_replaces_a_newer_one(con, sample_studies):
    study = next(iter(sample_studies.values()))
    older = copy.deepcopy(study)
    older["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2001-01-01"
    older["protocolSection"]["conditionsModule"]["conditions"] = ["stale"]
    load_records(con, [study], _ctx("run-1"))
    outcome = load_records(con, [older], _ctx("run-2"))
    assert outcome.actions == {"stale": 1}
    assert (
        con.execute("SELECT count(*) FROM ctgov.conditions WHERE name = 'stale'").fetchall()[0][0]
        == 0
    )


def test_duplicates_in_a_batch_resolve_to_the_newest(con, sample_studies):
    study = next(iter(sample_studies.values()))
    newer = copy.deepcopy(study)
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2099-01-01"
    newer["protocolSection"]["conditionsModule"]["conditions"] = ["newest"]
    outcome = load_records(con, [newer, study], _ctx("run-1"))
    assert outcome.actions == {"add": 1}
    assert con.execute("SELECT name FROM ctgov.conditions").fetchall() == [("newest",)]


def test_unusable_records_are_quarantined_and_the_rest_load(con, sample_studies):
    good = list(sample_studies.values())[:5]
    bad = [
        {"protocolSection": {"identificationModule": {}}},
        "not even an object",
        {"hasResults": True},
    ]
    outcome = load_records(con, [*good, *bad], _ctx("run-1"), page_ref="run-1/page-1")
    assert outcome.actions["add"] == 5
    assert outcome.quarantined == 3
    reasons = [r[0] for r in con.execute("SELECT reason FROM pipeline.quarantine").fetchall()]
    assert len(reasons) == 3 and all(reasons)
    # quarantining the same records again does not duplicate them
    load_records(con, bad, _ctx("run-2"))
    assert con.execute("SELECT count(*) FROM pipeline.quarantine").fetchall()[0][0] == 3


def test_a_failing_batch_leaves_the_database_as_it_was(con, sample_studies, monkeypatch):
    records = list(sample_studies.values())
    load_records(con, records[:10], _ctx("run-1"))
    before = _snapshot(con)
    counts = table_counts(con, ALL_TABLES)

    import warehouse.loader as loader

    real_insert = loader.insert_arrow
    calls = {"n": 0}

    def failing_insert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # fail half-way through the batch's writes
            raise OSError("disk full (injected)")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(loader, "insert_arrow", failing_insert)
    with pytest.raises(OSError, match="injected"):
        load_records(con, records[10:20], _ctx("run-2"))
    assert table_counts(con, ALL_TABLES) == counts
    assert _snapshot(con) == before
    assert _threads(con) == 2  # the appends' single-thread setting is undone on failure too


def test_a_statement_duckdb_refuses_mid_batch_is_the_error_reported(
    con, sample_studies, monkeypatch
):
    # A statement that fails inside DuckDB aborts the transaction, and DuckDB then refuses every
    # statement but ROLLBACK: nothing may run before it, or its refusal hides the real error.
    records = list(sample_studies.values())
    load_records(con, records[:10], _ctx("run-1"))
    before = _snapshot(con)
    con.execute("SET threads = 2")

    import warehouse.loader as loader

    real_insert = loader.insert_arrow
    calls = {"n": 0}

    def refused_insert(connection, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            connection.execute("INSERT INTO ctgov.studies (nct_id) VALUES (NULL)")
        return real_insert(connection, *args, **kwargs)

    monkeypatch.setattr(loader, "insert_arrow", refused_insert)
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        load_records(con, records[10:20], _ctx("run-2"))
    assert _snapshot(con) == before
    assert _threads(con) == 2


def test_a_batch_leaves_the_connection_on_the_threads_it_had(con, sample_studies):
    con.execute("SET threads = 2")
    load_records(con, list(sample_studies.values())[:5], _ctx("run-1"))
    assert _threads(con) == 2


def _threads(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])


def test_a_value_of_the_wrong_type_is_nulled_and_reported_not_coerced(con, sample_studies):
    study = copy.deepcopy(
        next(
            r
            for r in sample_studies.values()
            if r["protocolSection"].get("conditionsModule", {}).get("conditions")
        )
    )
    study["protocolSection"]["conditionsModule"]["conditions"] = [12.5, "A real condition"]
    outcome = load_records(con, [study], _ctx("run-1"))
    assert outcome.actions == {"add": 1}
    assert [i.column for i in outcome.type_issues] == ["name"]
    rows = con.execute("SELECT ordinal, name FROM ctgov.conditions ORDER BY ordinal").fetchall()
    assert rows == [(0, None), (1, "A real condition")]  # the list keeps both items
    drift = con.execute(
        "SELECT path, kind FROM pipeline.schema_drift WHERE kind = 'type_mismatch'"
    ).fetchall()
    assert drift == [("protocolSection.conditionsModule.conditions[]", "type_mismatch")]


def test_the_commit_and_its_checkpoint_get_every_thread_back(con, sample_studies, monkeypatch):
    # The appends run on one thread; the COMMIT, which runs DuckDB's automatic checkpoint when the
    # WAL is full, must not: the checkpoint compresses on every thread it has.
    import warehouse.loader as loader

    real_transaction = loader.transaction
    at_commit: list[int] = []

    @contextmanager
    def watched(connection):
        with real_transaction(connection) as inside:
            yield inside
            at_commit.append(_threads(connection))

    monkeypatch.setattr(loader, "transaction", watched)
    con.execute("SET threads = 2")
    load_records(con, list(sample_studies.values())[:5], _ctx("run-1"))
    assert at_commit == [2]
