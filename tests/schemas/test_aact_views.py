"""AACT's `all_*` views: for every sample study, `names` is the '|'-joined list from the JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from schemas.tables import ALL_TABLES, ALL_VIEWS, schema_fingerprint
from schemas.tables.aact import VIEWS
from transforms.normalize import normalize
from warehouse.database import ensure_schema, insert_arrow

Study = dict[str, Any]

# AACT's views (db/ctgov_v2.sql) that are registry data; categories, covid_19_studies and the
# search_results machinery are AACT's own tagging and left out on purpose.
AACT_ALL_VIEWS = {
    "all_browse_conditions",
    "all_browse_interventions",
    "all_cities",
    "all_conditions",
    "all_countries",
    "all_design_outcomes",
    "all_facilities",
    "all_group_types",
    "all_id_information",
    "all_intervention_types",
    "all_interventions",
    "all_keywords",
    "all_overall_official_affiliations",
    "all_overall_officials",
    "all_primary_outcome_measures",
    "all_secondary_outcome_measures",
    "all_sponsors",
    "all_states",
}


@pytest.fixture(scope="module")
def con(sample_studies: dict[str, Study]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A working database holding the normalized sample."""
    db = duckdb.connect()
    ensure_schema(db, ALL_TABLES, schema_fingerprint(), ALL_VIEWS)
    batch = normalize(list(sample_studies.items()))
    for table, rows in batch.tables.items():
        insert_arrow(db, table, rows)
    yield db
    db.close()


def _get(study: Study, path: str) -> Any:
    value: Any = study
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _list(study: Study, path: str) -> list[Any]:
    value = _get(study, path)
    return value if isinstance(value, list) else []


def _each(study: Study, path: str, key: str) -> list[Any]:
    return [item.get(key) for item in _list(study, path) if isinstance(item, dict)]


def _sorted_set(values: list[Any]) -> list[str]:
    return sorted({v for v in values if isinstance(v, str)})


def _in_order(values: list[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


_P = "protocolSection"
_LOC = f"{_P}.contactsLocationsModule.locations"
_OUT = f"{_P}.outcomesModule"
_ARMS = f"{_P}.armsInterventionsModule"
_ID = f"{_P}.identificationModule"
_SPONSORS = f"{_P}.sponsorCollaboratorsModule"
_OFFICIALS = f"{_P}.contactsLocationsModule.overallOfficials"


def _browse(study: Study, module: str) -> list[Any]:
    return _each(study, f"derivedSection.{module}.meshes", "term") + _each(
        study, f"derivedSection.{module}.ancestors", "term"
    )


def _ids(study: Study) -> list[Any]:
    return (
        [_get(study, f"{_ID}.orgStudyIdInfo.id")]
        + _each(study, f"{_ID}.secondaryIdInfos", "id")
        + _list(study, f"{_ID}.nctIdAliases")
    )


def _sponsors(study: Study) -> list[Any]:
    return [_get(study, f"{_SPONSORS}.leadSponsor.name")] + _each(
        study, f"{_SPONSORS}.collaborators", "name"
    )


def _measures(*kinds: str) -> Callable[[Study], list[Any]]:
    return lambda s: [m for k in kinds for m in _each(s, f"{_OUT}.{k}", "measure")]


# view name -> (the study's values as the JSON gives them, distinct+sorted or kept in list order)
EXPECTED: dict[str, tuple[Callable[[Study], list[Any]], bool]] = {
    "all_browse_conditions": (lambda s: _browse(s, "conditionBrowseModule"), True),
    "all_browse_interventions": (lambda s: _browse(s, "interventionBrowseModule"), False),
    "all_cities": (lambda s: _each(s, _LOC, "city"), True),
    "all_conditions": (lambda s: _list(s, f"{_P}.conditionsModule.conditions"), True),
    "all_countries": (lambda s: _each(s, _LOC, "country"), True),
    "all_design_outcomes": (
        _measures("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"),
        True,
    ),
    "all_facilities": (lambda s: _each(s, _LOC, "facility"), False),
    "all_group_types": (lambda s: _each(s, f"{_ARMS}.armGroups", "type"), True),
    "all_id_information": (_ids, True),
    "all_intervention_types": (lambda s: _each(s, f"{_ARMS}.interventions", "type"), False),
    "all_interventions": (lambda s: _each(s, f"{_ARMS}.interventions", "name"), False),
    "all_keywords": (lambda s: _list(s, f"{_P}.conditionsModule.keywords"), True),
    "all_overall_official_affiliations": (lambda s: _each(s, _OFFICIALS, "affiliation"), False),
    "all_overall_officials": (lambda s: _each(s, _OFFICIALS, "name"), False),
    "all_primary_outcome_measures": (_measures("primaryOutcomes"), True),
    "all_secondary_outcome_measures": (_measures("secondaryOutcomes"), True),
    "all_sponsors": (_sponsors, True),
    "all_states": (lambda s: _each(s, _LOC, "state"), True),
}


def test_the_views_are_aacts_all_views():
    assert {v.name for v in VIEWS} == AACT_ALL_VIEWS == set(EXPECTED)
    assert all(v.qualified_name == f"ctgov.{v.name}" for v in VIEWS)


@pytest.mark.parametrize("view", [pytest.param(name, id=name) for name in sorted(EXPECTED)])
def test_names_are_the_joined_json_list_for_every_study(con, sample_studies, view):
    values, distinct = EXPECTED[view]
    got = dict(con.execute(f"SELECT nct_id, names FROM ctgov.{view}").fetchall())
    expected = {}
    for nct, study in sample_studies.items():
        raw = values(study)
        if raw:  # the study has rows; `names` is NULL when none of them has a value (AACT: '')
            kept = _sorted_set(raw) if distinct else _in_order(raw)
            expected[nct] = "|".join(kept) or None
    assert got == expected
    assert any(expected.values())


def test_order_is_deterministic_for_repeated_values(con, sample_studies):
    # all_facilities keeps repeats in list order: a facility name listed twice shows twice.
    repeated = next(
        nct
        for nct, s in sample_studies.items()
        if len(_in_order(_each(s, _LOC, "facility")))
        > len(set(_in_order(_each(s, _LOC, "facility"))))
    )
    names = con.execute(
        "SELECT names FROM ctgov.all_facilities WHERE nct_id = ?", [repeated]
    ).fetchall()
    assert names[0][0].split("|") == _in_order(_each(sample_studies[repeated], _LOC, "facility"))


def test_removed_countries_are_not_listed(con, sample_studies):
    # NCT00089661 lists removed countries (derivedSection.miscInfoModule.removedCountries).
    study = sample_studies["NCT00089661"]
    removed = set(_list(study, "derivedSection.miscInfoModule.removedCountries"))
    assert removed
    names = con.execute(
        "SELECT names FROM ctgov.all_countries WHERE nct_id = ?", ["NCT00089661"]
    ).fetchall()
    listed = set(names[0][0].split("|")) if names else set()
    assert not (listed & (removed - set(_each(study, _LOC, "country"))))
