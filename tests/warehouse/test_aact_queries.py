"""AACT users' queries run unchanged on the published analyst database and give the right answers.

The sample is synced for real (replay server → bulk bootstrap → publish); the queries are the ones
collected in the AACT notes (§5: AACT's docs pages, its SQL functions, public tutorials), verbatim,
with unqualified AACT names, against `published/trialsync.duckdb` opened read-only by plain duckdb.
Every expected value is computed from the sample JSON here, independently of the transforms.
"""

# The AACT queries below are quoted verbatim, long lines included.
# ruff: noqa: E501

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.pipeline import run_sync
from flows.scopes import Scope
from replay.server import ReplayServer
from tests.support.warehouse import ROOT, fast_settings

Study = dict[str, Any]

QUERIES: dict[str, str] = {
    "Q1": "SELECT count(*) FROM studies;",
    "Q2": "SELECT study_type, count(*) AS count FROM studies GROUP BY study_type;",
    "Q3": "SELECT DISTINCT study_type FROM studies;",
    "Q4": "SELECT overall_status, count(*) AS n FROM studies GROUP BY overall_status ORDER BY n DESC;",
    "Q5": """
SELECT DISTINCT nct_id FROM browse_conditions WHERE downcase_mesh_term LIKE lower('%diabetes%')
UNION SELECT DISTINCT nct_id FROM browse_interventions WHERE downcase_mesh_term LIKE lower('%diabetes%')
UNION SELECT DISTINCT nct_id FROM studies WHERE lower(brief_title) LIKE lower('%diabetes%')
UNION SELECT DISTINCT nct_id FROM keywords WHERE lower(name) LIKE lower('%diabetes%');
""",
    "Q6": """
SELECT DISTINCT nct_id FROM responsible_parties WHERE lower(affiliation) LIKE lower('%duke%')
UNION SELECT DISTINCT nct_id FROM facilities WHERE lower(name) LIKE lower('%duke%') OR lower(city) LIKE lower('%duke%')
      OR lower(state) LIKE lower('%duke%') OR lower(country) LIKE lower('%duke%')
UNION SELECT DISTINCT nct_id FROM sponsors WHERE lower(name) LIKE lower('%duke%')
UNION SELECT DISTINCT nct_id FROM result_contacts WHERE lower(organization) LIKE lower('%duke%');
""",
    "Q7": """
SELECT DISTINCT s.nct_id, s.brief_title, s.overall_status, cv.were_results_reported, bc.mesh_term,
       i.names AS interventions, e.gender, s.phase, s.enrollment, s.study_type, sp.names AS sponsors,
       d.allocation, d.masking, d.subject_masked, cv.number_of_facilities
FROM studies s
JOIN browse_conditions bc ON s.nct_id = bc.nct_id AND bc.downcase_mesh_term LIKE lower('%asthma%')
LEFT JOIN calculated_values cv ON s.nct_id = cv.nct_id
LEFT JOIN all_interventions i  ON s.nct_id = i.nct_id
LEFT JOIN all_sponsors sp      ON s.nct_id = sp.nct_id
LEFT JOIN eligibilities e      ON s.nct_id = e.nct_id
LEFT JOIN designs d            ON s.nct_id = d.nct_id;
""",
    "Q8": """
SELECT sp.agency_class, count(DISTINCT s.nct_id) AS n
FROM studies s JOIN sponsors sp ON s.nct_id = sp.nct_id
WHERE sp.lead_or_collaborator = 'lead'
GROUP BY sp.agency_class ORDER BY n DESC;
""",
    "Q9": """
SELECT nct_id, brief_title, overall_status, phase, enrollment, start_date, completion_date, number_of_arms, study_type
FROM studies
WHERE phase IN ('PHASE2', 'PHASE1/PHASE2', 'PHASE2/PHASE3') AND study_type = 'INTERVENTIONAL'
  AND start_date >= DATE '2019-03-01' AND start_date <= DATE '2024-12-31';
""",
    "Q10": """
SELECT f.* FROM facilities f JOIN interventions i ON f.nct_id = i.nct_id
WHERE i.name = 'BGB-A317' AND f.status = 'RECRUITING' LIMIT 5;
""",
    "Q11": """
SELECT bc.mesh_term, count(DISTINCT bc.nct_id) AS studies,
       sum(CASE WHEN cv.were_results_reported THEN 1 ELSE 0 END) AS with_results,
       sum(CASE WHEN cv.has_us_facility THEN 1 ELSE 0 END) AS with_us_site
FROM browse_conditions bc JOIN calculated_values cv ON bc.nct_id = cv.nct_id
WHERE bc.mesh_type = 'mesh-list'
GROUP BY bc.mesh_term ORDER BY studies DESC LIMIT 20;
""",
    "Q12": """
SELECT o.nct_id, o.outcome_type, o.title AS outcome, rg.ctgov_group_code, rg.title AS arm,
       om.classification, om.category, om.param_type, om.param_value_num, om.dispersion_type, om.dispersion_value_num, om.units
FROM outcomes o
JOIN outcome_measurements om ON om.outcome_id = o.id
JOIN result_groups rg        ON rg.id = om.result_group_id AND rg.result_type = 'Outcome'
WHERE o.outcome_type = 'PRIMARY';
""",
    "Q13a": """
SELECT f.nct_id, f.name, fc.contact_type, fc.name AS contact, fc.email
FROM facilities f JOIN facility_contacts fc ON fc.facility_id = f.id
WHERE f.country = 'United States';
""",
    "Q13b": "SELECT name, count(DISTINCT nct_id) FROM countries WHERE removed IS NOT TRUE GROUP BY name;",
    "Q14": """
SELECT ret.nct_id, ret.ctgov_group_code, rg.title, ret.subjects_affected, ret.subjects_at_risk
FROM reported_event_totals ret
JOIN result_groups rg ON rg.nct_id = ret.nct_id AND rg.ctgov_group_code = ret.ctgov_group_code AND rg.result_type = 'Reported Event'
WHERE ret.event_type = 'serious';
""",
}


@pytest.fixture(scope="module")
def published(
    sample_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The analyst database published by a real sync of the whole sample."""
    data = tmp_path_factory.mktemp("aact") / "data"
    with ReplayServer(sample_dir / "studies") as server:
        report = run_sync(fast_settings(data, server.base_url), Scope())
    assert report.status == "succeeded"
    con = duckdb.connect(str(data / "published" / "trialsync.duckdb"), read_only=True)
    yield con
    con.close()


def run(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[Any, ...]]:
    return con.execute(QUERIES[name]).fetchall()


# -- independent readings of the sample JSON ---------------------------------------------------


def _protocol(study: Study) -> Study:
    return study.get("protocolSection") or {}


def _module(study: Study, section: str, name: str) -> Study:
    return (study.get(section) or {}).get(name) or {}


def _locations(study: Study) -> list[Study]:
    return _module(study, "protocolSection", "contactsLocationsModule").get("locations") or []


def _mesh_terms(study: Study, module: str, *, ancestors: bool = True) -> set[str]:
    browse = _module(study, "derivedSection", module)
    keys = ("meshes", "ancestors") if ancestors else ("meshes",)
    return {m["term"] for key in keys for m in browse.get(key) or [] if m.get("term")}


def _contains(text: Any, needle: str) -> bool:
    return isinstance(text, str) and needle in text.lower()


def _end_of_period(value: str) -> dt.date:
    """AACT's date conversion: a year or month means its last day."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def _sponsor_names(study: Study) -> list[str]:
    module = _module(study, "protocolSection", "sponsorCollaboratorsModule")
    sponsors = [module.get("leadSponsor") or {}, *(module.get("collaborators") or [])]
    return [s["name"] for s in sponsors if s.get("name")]


def _outcome_measures(study: Study) -> list[Study]:
    return _module(study, "resultsSection", "outcomeMeasuresModule").get("outcomeMeasures") or []


# -- the queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in QUERIES])
def test_every_query_runs_unchanged(published, name):
    # Binding alone proves the names and columns AACT users rely on exist under those names.
    cursor = published.execute(QUERIES[name])
    assert cursor.description
    rows = cursor.fetchall()
    if name != "Q10":  # the sample has no BGB-A317 study (see the Q10 test)
        assert rows, f"{name} returned nothing"


def test_q1_to_q4_study_counts(published, sample_studies):
    statuses = Counter(
        _protocol(s)["statusModule"]["overallStatus"] for s in sample_studies.values()
    )
    types = Counter(_protocol(s)["designModule"]["studyType"] for s in sample_studies.values())
    assert run(published, "Q1") == [(len(sample_studies),)]
    assert dict(run(published, "Q2")) == types
    assert {r[0] for r in run(published, "Q3")} == set(types)
    by_status = run(published, "Q4")
    assert dict(by_status) == statuses
    assert [n for _, n in by_status] == sorted(statuses.values(), reverse=True)


def test_q5_ids_for_term(published, sample_studies):
    expected = {
        nct
        for nct, s in sample_studies.items()
        if any(_contains(t, "diabetes") for t in _mesh_terms(s, "conditionBrowseModule"))
        or any(_contains(t, "diabetes") for t in _mesh_terms(s, "interventionBrowseModule"))
        or _contains(_protocol(s)["identificationModule"].get("briefTitle"), "diabetes")
        or any(
            _contains(k, "diabetes")
            for k in _module(s, "protocolSection", "conditionsModule").get("keywords") or []
        )
    }
    assert expected
    assert {r[0] for r in run(published, "Q5")} == expected


def _mentions_duke(study: Study) -> bool:
    party = (
        _module(study, "protocolSection", "sponsorCollaboratorsModule").get("responsibleParty")
        or {}
    )
    contact = _module(study, "resultsSection", "moreInfoModule").get("pointOfContact") or {}
    return (
        _contains(party.get("investigatorAffiliation"), "duke")
        or any(
            _contains(loc.get(k), "duke")
            for loc in _locations(study)
            for k in ("facility", "city", "state", "country")
        )
        or any(_contains(n, "duke") for n in _sponsor_names(study))
        or _contains(contact.get("organization"), "duke")
    )


def test_q6_ids_for_org(published, sample_studies):
    expected = {nct for nct, s in sample_studies.items() if _mentions_duke(s)}
    assert expected
    assert {r[0] for r in run(published, "Q6")} == expected


def test_q7_study_summaries_for_condition(published, sample_studies):
    expected = {
        (nct, term)
        for nct, s in sample_studies.items()
        for term in _mesh_terms(s, "conditionBrowseModule")
        if "asthma" in term.lower()
    }
    rows = run(published, "Q7")
    assert {(r[0], r[4]) for r in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        study = sample_studies[row[0]]
        arms = _module(study, "protocolSection", "armsInterventionsModule")
        names = [i["name"] for i in arms.get("interventions") or [] if i.get("name")]
        # all_interventions keeps list order and repeats; all_sponsors is distinct and sorted.
        assert row[5] == ("|".join(names) or None)
        assert row[10] == "|".join(sorted(set(_sponsor_names(study))))
        assert row[14] == len(_locations(study))


def test_q8_lead_sponsor_agency_class(published, sample_studies):
    expected = Counter(
        _module(s, "protocolSection", "sponsorCollaboratorsModule")["leadSponsor"].get("class")
        for s in sample_studies.values()
    )
    assert dict(run(published, "Q8")) == expected


def test_q9_phase_two_interventional_started_2019_to_2024(published, sample_studies):
    phases = {"PHASE2", "PHASE1/PHASE2", "PHASE2/PHASE3"}
    expected = set()
    for nct, s in sample_studies.items():
        design, status = _protocol(s)["designModule"], _protocol(s)["statusModule"]
        start = (status.get("startDateStruct") or {}).get("date")
        if (
            "/".join(design.get("phases") or []) in phases
            and design.get("studyType") == "INTERVENTIONAL"
            and start
            and dt.date(2019, 3, 1) <= _end_of_period(start) <= dt.date(2024, 12, 31)
        ):
            expected.add(nct)
    rows = run(published, "Q9")
    assert expected
    assert {r[0] for r in rows} == expected
    assert len(rows) == len(expected)


def _recruiting_sites_of(sample_studies: dict[str, Study], drug: str) -> int:
    return sum(
        1
        for s in sample_studies.values()
        if any(
            i.get("name") == drug
            for i in _module(s, "protocolSection", "armsInterventionsModule").get("interventions")
            or []
        )
        for loc in _locations(s)
        if loc.get("status") == "RECRUITING"
    )


def test_q10_recruiting_sites_for_a_drug(published, sample_studies):
    assert len(run(published, "Q10")) == min(5, _recruiting_sites_of(sample_studies, "BGB-A317"))
    # The same query with a drug the sample has, so the join and filters are exercised: the
    # intervention name with the most recruiting sites (a study may list it once).
    names = Counter(
        i["name"]
        for s in sample_studies.values()
        for i in _module(s, "protocolSection", "armsInterventionsModule").get("interventions") or []
        if i.get("name") and sum(1 for loc in _locations(s) if loc.get("status") == "RECRUITING")
    )
    drug = max(names, key=lambda n: (_recruiting_sites_of(sample_studies, n), n))
    query = QUERIES["Q10"].replace("'BGB-A317'", "?").replace("LIMIT 5", "")
    rows = published.execute(query, [drug]).fetchall()
    assert len(rows) == _recruiting_sites_of(sample_studies, drug) > 5


def test_q11_mesh_terms_with_results_and_us_sites(published, sample_studies):
    per_term: dict[str, list[Study]] = {}
    for s in sample_studies.values():
        for term in _mesh_terms(s, "conditionBrowseModule", ancestors=False):
            per_term.setdefault(term, []).append(s)
    rows = run(published, "Q11")
    assert len(rows) == 20
    assert [r[1] for r in rows] == sorted((len(v) for v in per_term.values()), reverse=True)[:20]
    us = {"United States", "Puerto Rico", "Guam", "U.S. Virgin Islands", "Virgin Islands (U.S.)"}
    for term, studies, with_results, with_us_site in rows:
        assert studies == len(per_term[term])
        assert with_results == sum(1 for s in per_term[term] if _outcome_measures(s))
        assert with_us_site == sum(
            1 for s in per_term[term] if any(loc.get("country") in us for loc in _locations(s))
        )


def test_q12_primary_outcome_results_by_arm(published, sample_studies):
    # Every measurement of a primary outcome joins to exactly one of that outcome's own groups.
    expected = Counter()
    for nct, s in sample_studies.items():
        for outcome in _outcome_measures(s):
            if outcome.get("type") != "PRIMARY":
                continue
            groups = {g["id"]: g.get("title") for g in outcome.get("groups") or []}
            for cls in outcome.get("classes") or []:
                for cat in cls.get("categories") or []:
                    for m in cat.get("measurements") or []:
                        assert m["groupId"] in groups
                        expected[(nct, m["groupId"], groups[m["groupId"]])] += 1
    rows = run(published, "Q12")
    assert sum(expected.values()) > 100
    assert Counter((r[0], r[3], r[4]) for r in rows) == expected


def test_q13_us_site_contacts_and_countries(published, sample_studies):
    contacts, countries = 0, Counter()
    for s in sample_studies.values():
        for loc in _locations(s):
            if loc.get("country") == "United States":
                roles = [c.get("role") or "" for c in loc.get("contacts") or []]
                contacts += sum(1 for r in roles if "INVESTIGATOR" not in r and "CHAIR" not in r)
        countries.update({loc["country"] for loc in _locations(s) if loc.get("country")})
    assert len(run(published, "Q13a")) == contacts > 0
    assert dict(run(published, "Q13b")) == countries


def test_q14_serious_adverse_event_totals_per_arm(published, sample_studies):
    expected = {
        (nct, g["id"], g.get("title"), g.get("seriousNumAffected"), g.get("seriousNumAtRisk"))
        for nct, s in sample_studies.items()
        for g in _module(s, "resultsSection", "adverseEventsModule").get("eventGroups") or []
    }
    rows = run(published, "Q14")
    assert expected
    assert set(rows) == expected
    assert len(rows) == len(expected)


DOC_QUERIES = re.findall(
    r"```sql\n(.*?)```", (ROOT / "docs" / "coming-from-aact.md").read_text(), re.S
)


@pytest.mark.parametrize(
    "query", [pytest.param(q, id=f"doc-{i}") for i, q in enumerate(DOC_QUERIES)]
)
def test_the_example_queries_of_the_aact_guide_work(published, query):
    # docs/coming-from-aact.md promises these run on the published database as written.
    assert published.execute(query).fetchall()


def test_the_aact_guide_has_examples():
    assert len(DOC_QUERIES) >= 5
