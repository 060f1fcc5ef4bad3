"""The publishing gate on a real DuckDB load of the sample: clean passes, each breakage fails."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

import transforms.normalize as normalize
from flows.commands.publish import register, run_publish
from flows.pipeline import DB_NAME, run_sync
from flows.publishing import export_specs
from flows.scopes import Scope
from replay.server import ReplayServer
from schemas.tables.sites import FACILITIES
from tests.support.warehouse import fast_settings
from transforms.sites import facilities
from warehouse.gate import MIN_ROWS, GateFailed, foreign_keys, gate_problems
from warehouse.publish import MANIFEST, PUBLISHED, export_stats

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def template(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after a real sync (and publication) of the whole sample."""
    data = tmp_path_factory.mktemp("gate") / "data"
    with ReplayServer(sample_dir / "studies") as server:
        assert run_sync(fast_settings(data, server.base_url), Scope()).status == "succeeded"
    return data


@pytest.fixture
def manifest(template: Path) -> Manifest:
    """The manifest of the template's publication (a fresh copy per test)."""
    return json.loads((template / PUBLISHED / MANIFEST).read_text())


@pytest.fixture
def con(template: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private copy of the template's working database."""
    path = tmp_path / DB_NAME
    shutil.copyfile(template / DB_NAME, path)
    db = duckdb.connect(str(path))
    yield db
    db.close()


def problems(
    con: duckdb.DuckDBPyConnection, manifest: Manifest | None, **limits: float
) -> list[str]:
    return gate_problems(con, manifest, export_stats(con, export_specs()), **limits)


def test_a_clean_load_passes_with_and_without_a_previous_publication(con, manifest):
    assert problems(con, None) == []
    assert problems(con, manifest) == []


def test_the_manifest_holds_fill_rates_of_every_published_column(manifest):
    rates = manifest["fill_rates"]
    assert set(rates) == set(manifest["tables"])
    assert rates["facilities"]["city"] == 1.0
    assert 0 < rates["facilities"]["state"] < 1
    assert rates["studies"]["nct_id"] == 1.0
    assert "raw_record" not in rates["study_versions"]


def test_foreign_keys_are_derived_from_column_names():
    pairs = {(fk.column, fk.parent.name) for fk in foreign_keys()}
    assert pairs == {
        ("facility_id", "facilities"),
        ("intervention_id", "interventions"),
        ("design_group_id", "design_groups"),
        ("outcome_id", "outcomes"),
        ("result_group_id", "result_groups"),
        ("reference_id", "study_references"),  # the one explicit parent
        ("outcome_analysis_id", "outcome_analyses"),
    }
    # Text ids that merely look like FKs are not: documents.document_id, browse_leaves.leaf_id.
    assert not {fk.column for fk in foreign_keys()} & {"document_id", "leaf_id", "mesh_id"}


def test_a_row_of_no_study_fails(con):
    con.execute(
        "INSERT INTO ctgov.facilities BY NAME "
        "SELECT * REPLACE (id + 1 AS id, 'NCT99999999' AS nct_id) FROM ctgov.facilities LIMIT 1"
    )
    assert problems(con, None) == [
        "ctgov.facilities: 1 row(s) whose nct_id is not in ctgov.studies (e.g. NCT99999999)"
    ]


def test_a_foreign_key_to_no_parent_fails(con):
    # AACT #1209's symptom: measurements pointing at groups not theirs (here: at none at all).
    nct = con.execute("SELECT min(nct_id) FROM ctgov.outcome_measurements").fetchall()[0][0]
    con.execute(
        "UPDATE ctgov.outcome_measurements SET result_group_id = 12345 "
        "WHERE nct_id = ? AND ordinal = 0 AND outcome_ordinal = 0 AND class_ordinal = 0 "
        "AND category_ordinal = 0",
        [nct],
    )
    assert problems(con, None) == [
        "ctgov.outcome_measurements.result_group_id: 1 id(s) not in ctgov.result_groups.id "
        f"(e.g. in {nct})"
    ]


@pytest.mark.parametrize(
    ("replace", "key"),
    [
        # The same natural key twice (a transform emitting an item twice).
        pytest.param("id + 1 AS id", "(nct_id, ordinal)", id="primary key"),
        # Two rows with one AACT id (a stable-id recipe colliding): joins would fan out.
        pytest.param("ordinal + 1000 AS ordinal", "(id)", id="aact id"),
    ],
)
def test_a_duplicate_key_fails(con, replace, key):
    nct = con.execute("SELECT min(nct_id) FROM ctgov.conditions").fetchall()[0][0]
    con.execute(
        f"INSERT INTO ctgov.conditions BY NAME SELECT * REPLACE ({replace}) FROM ctgov.conditions "
        "WHERE nct_id = ? AND ordinal = 0",
        [nct],
    )
    assert problems(con, None) == [
        f"ctgov.conditions: 1 duplicate value(s) of {key} (e.g. in {nct})"
    ]


def test_a_big_row_drop_since_the_last_publication_fails(con, manifest):
    now = manifest["tables"]["facilities"]["rows"]
    manifest["tables"]["facilities"]["rows"] = now * 2
    # Small tables are left out: one edited study moves them by percents.
    manifest["tables"]["pending_results"]["rows"] = MIN_ROWS - 1  # 30 rows now: -70 %
    assert problems(con, manifest) == [
        f"facilities: {now:,} rows, {now * 2:,} at the last publication "
        "(-50.0%, more than the 5% allowed)"
    ]
    assert problems(con, manifest, max_row_drop=0.6) == []


def test_a_small_row_drop_passes(con, manifest):
    manifest["tables"]["facilities"]["rows"] = int(manifest["tables"]["facilities"]["rows"] * 1.04)
    assert problems(con, manifest) == []


def test_a_column_that_empties_fails(con, manifest):
    # AACT #925: an upstream rename leaves the column NULL everywhere, without any error.
    con.execute("UPDATE ctgov.facilities SET city = NULL")
    con.execute(
        "UPDATE ctgov.facilities SET zip = NULL WHERE ordinal % 10 = 0"
    )  # ~10 points: tolerated
    assert problems(con, manifest) == [
        "ctgov.facilities.city: filled in 0.0% of rows, 100.0% at the last publication "
        "(an upstream rename empties a column)"
    ]


def test_fill_rates_are_not_compared_on_small_tables(con, manifest):
    assert 0 < manifest["tables"]["pending_results"]["rows"] < MIN_ROWS
    assert manifest["fill_rates"]["pending_results"]["event"] == 1.0
    con.execute("UPDATE ctgov.pending_results SET event = NULL")
    assert problems(con, manifest) == []


def _bump_all(sample_studies: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    edited = []
    for record in sample_studies.values():
        copy_ = copy.deepcopy(record)
        copy_["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {
            "date": "2026-11-23",
            "type": "ACTUAL",
        }
        edited.append(copy_)
    return edited


def _without_city(table: pa.Table) -> pa.Table:
    at = table.schema.get_field_index("city")
    return table.set_column(at, table.schema.field(at), pa.nulls(table.num_rows, pa.string()))


def test_a_failed_gate_keeps_the_previous_publication(
    sample_dir, sample_studies, data_dir, monkeypatch
):
    with ReplayServer(sample_dir / "studies") as server:
        settings = fast_settings(data_dir, server.base_url)
        run_sync(settings, Scope())
        first = (data_dir / PUBLISHED).resolve()
        # Every record gets a new version; this code now reads no city (an upstream rename).
        server.upsert_studies(_bump_all(sample_studies))
        server.set_data_timestamp("2026-11-23T09:00:04")
        builders = dict(normalize.builders())
        builders[FACILITIES] = lambda level: _without_city(facilities(level))
        monkeypatch.setattr(normalize, "builders", lambda: builders)
        with pytest.raises(
            GateFailed, match="ctgov.facilities.city: filled in 0.0% of rows"
        ) as failed:
            run_sync(settings, Scope())
    assert str(failed.value).startswith("publishing gate failed: ")
    assert (data_dir / PUBLISHED).resolve() == first
    reader = duckdb.connect(str(data_dir / PUBLISHED / "trialsync.duckdb"), read_only=True)
    try:
        assert reader.execute("SELECT count(*) FROM facilities WHERE city IS NULL").fetchall() == [
            (0,)
        ]
    finally:
        reader.close()
    working = duckdb.connect(str(data_dir / DB_NAME), read_only=True)
    try:
        ((status, error),) = working.execute(
            "SELECT status, error FROM pipeline.runs ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
    finally:
        working.close()
    assert status == "failed"
    assert error.startswith("publish: GateFailed: publishing gate failed: ctgov.facilities.city")

    # The operator's way out: `trialsync publish` refuses again, `--force` publishes and says why.
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    refused = CliRunner().invoke(app, ["publish", "--data-dir", str(data_dir)])
    assert refused.exit_code == 1
    assert "publishing gate failed: ctgov.facilities.city" in refused.output
    assert (data_dir / PUBLISHED).resolve() == first
    forced = run_publish(fast_settings(data_dir, "http://127.0.0.1:9/api/v2"), force=True)
    assert forced.status == "succeeded"
    assert forced.notes[0].startswith("publishing gate overridden (--force): ctgov.facilities.city")
    assert (data_dir / PUBLISHED).resolve() != first
