"""The `pub` analyst views, in the published analyst database, agree with the sample JSON."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.pipeline import DB_NAME, run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from schemas.tables.analyst import OPEN_STATUSES
from tests.support.warehouse import fast_settings

Study = dict[str, Any]
BUMPED_DAY = "2026-11-23"


@pytest.fixture(scope="module")
def synced(
    sample_dir: Path, sample_studies: dict[str, Study], tmp_path_factory: pytest.TempPathFactory
):
    """A data folder after two syncs; the second brings a new version of three studies."""
    data = tmp_path_factory.mktemp("analyst") / "data"
    bumped = sorted(sample_studies)[:3]
    with ReplayServer(sample_dir / "studies") as server:
        settings = fast_settings(data, server.base_url)
        run_sync(settings, Scope())
        edits = []
        for nct in bumped:
            record = copy.deepcopy(sample_studies[nct])
            status = record["protocolSection"]["statusModule"]
            status["lastUpdatePostDateStruct"] = {"date": BUMPED_DAY, "type": "ACTUAL"}
            status["overallStatus"] = "COMPLETED"
            edits.append(record)
        server.upsert_studies(edits)
        server.set_data_timestamp("2026-11-23T09:00:04")
        run_sync(settings, Scope())
    return data, bumped


@pytest.fixture(scope="module")
def published(synced) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(synced[0] / "published" / "trialsync.duckdb"), read_only=True)
    yield con
    con.close()


def _status(study: Study, bumped: list[str], nct: str) -> str:
    return (
        "COMPLETED" if nct in bumped else study["protocolSection"]["statusModule"]["overallStatus"]
    )


def test_recruiting_sites_are_the_open_sites_of_open_studies(published, synced, sample_studies):
    bumped = synced[1]
    expected = {}
    for nct, study in sample_studies.items():
        overall = _status(study, bumped, nct)
        locations = (study["protocolSection"].get("contactsLocationsModule") or {}).get(
            "locations"
        ) or []
        for i, loc in enumerate(locations):
            if overall in OPEN_STATUSES and loc.get("status") in (None, *OPEN_STATUSES):
                expected[(nct, i)] = (
                    loc.get("status"),
                    loc.get("status") or overall,
                    loc.get("facility"),
                )
    rows = published.execute(
        "SELECT nct_id, facility_ordinal, site_status, status, facility_name "
        "FROM pub.recruiting_sites"
    ).fetchall()
    assert {(r[0], r[1]): r[2:] for r in rows} == expected
    assert len(rows) == len(expected) > 1000
    # Closed sites of recruiting studies (WITHDRAWN, ...) exist in the sample and are left out.
    assert (
        published.execute(
            "SELECT count(*) FROM ctgov.facilities f JOIN ctgov.studies s USING (nct_id) "
            "WHERE s.overall_status = 'RECRUITING' AND f.status = 'WITHDRAWN'"
        ).fetchall()[0][0]
        > 0
    )


def test_latest_versions_has_one_row_per_study_without_raw_records(
    published, synced, sample_studies
):
    columns = [
        d[0] for d in published.execute("SELECT * FROM pub.latest_versions LIMIT 0").description
    ]
    assert "raw_record" not in columns
    rows = published.execute(
        "SELECT nct_id, version_no, valid_to, last_update_post_date, overall_status "
        "FROM pub.latest_versions"
    ).fetchall()
    assert len(rows) == len({r[0] for r in rows}) == len(sample_studies)
    bumped = set(synced[1])
    for nct, version_no, valid_to, posted, status in rows:
        assert valid_to is None
        if nct in bumped:
            assert (version_no, posted, status) == (
                2,
                dt.date.fromisoformat(BUMPED_DAY),
                "COMPLETED",
            )
        else:
            assert version_no == 1


def test_latest_versions_reads_the_same_in_the_working_database(published, synced):
    working = duckdb.connect(str(synced[0] / DB_NAME), read_only=True)
    try:
        query = "SELECT nct_id, version_no, content_hash FROM pub.latest_versions ORDER BY nct_id"
        assert working.execute(query).fetchall() == published.execute(query).fetchall()
    finally:
        working.close()


def test_studies_by_condition_phase_counts_each_study_under_its_conditions(
    published, synced, sample_studies
):
    bumped = synced[1]
    expected: Counter[tuple[str, str, str | None]] = Counter()
    open_: Counter[tuple[str, str, str | None]] = Counter()
    for nct, study in sample_studies.items():
        browse = (study.get("derivedSection") or {}).get("conditionBrowseModule") or {}
        mesh = {m["term"] for m in browse.get("meshes") or [] if m.get("term")}
        submitted = set(
            (study["protocolSection"].get("conditionsModule") or {}).get("conditions") or []
        )
        conditions = [(t, "mesh-list") for t in mesh] or [(c, "submitted") for c in submitted]
        phases = (study["protocolSection"].get("designModule") or {}).get("phases")
        phase = "/".join(phases) if phases else None
        for condition, source in conditions:
            expected[(condition, source, phase)] += 1
            open_[(condition, source, phase)] += _status(study, bumped, nct) in OPEN_STATUSES
    rows = published.execute(
        "SELECT condition, condition_source, phase, studies, open_studies "
        "FROM pub.studies_by_condition_phase"
    ).fetchall()
    assert {(r[0], r[1], r[2]): r[3] for r in rows} == expected
    assert {(r[0], r[1], r[2]): r[4] for r in rows} == open_
    assert {r[1] for r in rows} == {"mesh-list", "submitted"}
