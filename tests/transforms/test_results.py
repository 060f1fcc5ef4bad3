from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.study.paths import leaf_specs
from schemas.table import Table
from schemas.tables import results as tables
from tests.support import damage
from tests.support.tables import table_rows
from transforms.arrow_tables import TypeIssue, arrow_table
from transforms.normalize import builders

Record = dict[str, Any]
Row = dict[str, Any]
Rows = dict[Table, list[Row]]

RICH = "NCT02397473"  # 2 flow periods, 9 drop reasons, 12 outcomes, 7 analyses, 4 event groups
# Leaves the studies family maps (ctgov.studies columns), not this one.
STUDIES_LEAVES = {
    "resultsSection.baselineCharacteristicsModule.populationDescription",
    "resultsSection.baselineCharacteristicsModule.typeUnitsAnalyzed",
    "resultsSection.moreInfoModule.limitationsAndCaveats.description",
}


@pytest.fixture(scope="module")
def built(sample_studies: dict[str, Record]) -> tuple[Rows, list[TypeIssue]]:
    rows, issues = table_rows(tables.TABLES, sample_studies)
    return {table: rows[table.name] for table in tables.TABLES}, issues


@pytest.fixture(scope="module")
def sample_rows(built: tuple[Rows, list[TypeIssue]]) -> Rows:
    return built[0]


def _results_rows(record: Record) -> dict[str, list[Row]]:
    """Every results table's rows for one record (as RICH), built as a load builds them."""
    return table_rows(tables.TABLES, {RICH: record})[0]


@pytest.fixture(scope="module")
def results_studies(sample_studies: dict[str, Record]) -> dict[str, Record]:
    return {nct: s for nct, s in sample_studies.items() if "resultsSection" in s}


def test_builders_cover_every_declared_table() -> None:
    assert set(tables.TABLES) <= set(builders())


def test_the_sample_has_44_results_studies(results_studies: dict[str, Record]) -> None:
    assert len(results_studies) == 44


# --- count parity at every list level -----------------------------------------------------------

_PF = "resultsSection.participantFlowModule"
_BL = "resultsSection.baselineCharacteristicsModule"
_OM = "resultsSection.outcomeMeasuresModule.outcomeMeasures[]"
_AE = "resultsSection.adverseEventsModule"

Positions = Callable[[Row], tuple[Any, ...]]


def _keys(*columns: str) -> Positions:
    return lambda row: tuple(row[c] for c in columns)


def _where(column: str, value: Any) -> Callable[[Row], bool]:
    return lambda row: row[column] == value


def _everything(row: Row) -> bool:
    return True


# Every list under resultsSection → (table, which rows, the row's list positions outermost first).
LEVELS: dict[str, tuple[Table, Callable[[Row], bool], Positions]] = {
    f"{_PF}.groups[]": (
        tables.RESULT_GROUPS,
        _where("result_type", "Participant Flow"),
        _keys("ordinal"),
    ),
    f"{_PF}.periods[]": (tables.FLOW_PERIODS, _everything, _keys("ordinal")),
    f"{_PF}.periods[].milestones[]": (
        tables.FLOW_MILESTONES,
        _everything,
        _keys("period_ordinal", "ordinal"),
    ),
    f"{_PF}.periods[].milestones[].achievements[]": (
        tables.MILESTONES,
        _everything,
        _keys("period_ordinal", "milestone_ordinal", "ordinal"),
    ),
    f"{_PF}.periods[].dropWithdraws[]": (
        tables.FLOW_DROP_WITHDRAWS,
        _everything,
        _keys("period_ordinal", "ordinal"),
    ),
    f"{_PF}.periods[].dropWithdraws[].reasons[]": (
        tables.DROP_WITHDRAWALS,
        _everything,
        _keys("period_ordinal", "drop_withdraw_ordinal", "ordinal"),
    ),
    f"{_BL}.groups[]": (tables.RESULT_GROUPS, _where("result_type", "Baseline"), _keys("ordinal")),
    f"{_BL}.denoms[]": (tables.RESULT_DENOMS, _where("scope", "overall"), _keys("ordinal")),
    f"{_BL}.denoms[].counts[]": (
        tables.BASELINE_COUNTS,
        _everything,
        _keys("denom_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[]": (tables.BASELINE_MEASURES, _everything, _keys("ordinal")),
    f"{_BL}.measures[].denoms[]": (
        tables.RESULT_DENOMS,
        _where("scope", "measure"),
        _keys("measure_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].denoms[].counts[]": (
        tables.BASELINE_MEASURE_DENOMS,
        _where("scope", "measure"),
        _keys("measure_ordinal", "denom_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].classes[]": (
        tables.BASELINE_CLASSES,
        _everything,
        _keys("measure_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].classes[].denoms[]": (
        tables.RESULT_DENOMS,
        _where("scope", "class"),
        _keys("measure_ordinal", "class_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].classes[].denoms[].counts[]": (
        tables.BASELINE_MEASURE_DENOMS,
        _where("scope", "class"),
        _keys("measure_ordinal", "class_ordinal", "denom_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].classes[].categories[]": (
        tables.BASELINE_CATEGORIES,
        _everything,
        _keys("measure_ordinal", "class_ordinal", "ordinal"),
    ),
    f"{_BL}.measures[].classes[].categories[].measurements[]": (
        tables.BASELINE_MEASUREMENTS,
        _everything,
        _keys("measure_ordinal", "class_ordinal", "category_ordinal", "ordinal"),
    ),
    _OM: (tables.OUTCOMES, _everything, _keys("ordinal")),
    f"{_OM}.groups[]": (
        tables.RESULT_GROUPS,
        _where("result_type", "Outcome"),
        _keys("outcome_ordinal", "ordinal"),
    ),
    f"{_OM}.denoms[]": (
        tables.RESULT_DENOMS,
        _where("scope", "Measure"),
        _keys("outcome_ordinal", "ordinal"),
    ),
    f"{_OM}.denoms[].counts[]": (
        tables.OUTCOME_COUNTS,
        _where("scope", "Measure"),
        _keys("outcome_ordinal", "denom_ordinal", "ordinal"),
    ),
    f"{_OM}.classes[]": (
        tables.OUTCOME_CLASSES,
        _everything,
        _keys("outcome_ordinal", "ordinal"),
    ),
    f"{_OM}.classes[].denoms[]": (
        tables.RESULT_DENOMS,
        _where("scope", "Class"),
        _keys("outcome_ordinal", "class_ordinal", "ordinal"),
    ),
    f"{_OM}.classes[].denoms[].counts[]": (
        tables.OUTCOME_COUNTS,
        _where("scope", "Class"),
        _keys("outcome_ordinal", "class_ordinal", "denom_ordinal", "ordinal"),
    ),
    f"{_OM}.classes[].categories[]": (
        tables.OUTCOME_CATEGORIES,
        _everything,
        _keys("outcome_ordinal", "class_ordinal", "ordinal"),
    ),
    f"{_OM}.classes[].categories[].measurements[]": (
        tables.OUTCOME_MEASUREMENTS,
        _everything,
        _keys("outcome_ordinal", "class_ordinal", "category_ordinal", "ordinal"),
    ),
    f"{_OM}.analyses[]": (
        tables.OUTCOME_ANALYSES,
        _everything,
        _keys("outcome_ordinal", "ordinal"),
    ),
    f"{_OM}.analyses[].groupIds[]": (
        tables.OUTCOME_ANALYSIS_GROUPS,
        _everything,
        _keys("outcome_ordinal", "analysis_ordinal", "ordinal"),
    ),
    f"{_AE}.eventGroups[]": (
        tables.RESULT_GROUPS,
        _where("result_type", "Reported Event"),
        _keys("ordinal"),
    ),
    f"{_AE}.seriousEvents[]": (
        tables.ADVERSE_EVENTS,
        _where("event_type", "serious"),
        _keys("ordinal"),
    ),
    f"{_AE}.seriousEvents[].stats[]": (
        tables.REPORTED_EVENTS,
        _where("event_type", "serious"),
        _keys("event_ordinal", "ordinal"),
    ),
    f"{_AE}.otherEvents[]": (
        tables.ADVERSE_EVENTS,
        _where("event_type", "other"),
        _keys("ordinal"),
    ),
    f"{_AE}.otherEvents[].stats[]": (
        tables.REPORTED_EVENTS,
        _where("event_type", "other"),
        _keys("event_ordinal", "ordinal"),
    ),
}


def _list_items(
    value: Any, path: str, positions: tuple[int, ...], out: dict[str, set[Any]]
) -> None:
    """Every list item under `value`, as (positions of all enclosing list items) per list path."""
    if isinstance(value, dict):
        for key, child in value.items():
            _list_items(child, f"{path}.{key}", positions, out)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out.setdefault(f"{path}[]", set()).add((*positions, i))
            _list_items(child, f"{path}[]", (*positions, i), out)


def test_count_parity_at_every_list_level(
    results_studies: dict[str, Record], sample_rows: Rows
) -> None:
    expected: dict[str, set[Any]] = {}
    for nct, study in results_studies.items():
        found: dict[str, set[Any]] = {}
        _list_items(study["resultsSection"], "resultsSection", (), found)
        for path, items in found.items():
            expected.setdefault(path, set()).update((nct, *p) for p in items)
    # No list level of the sample is left unchecked; measure-level baseline denoms are absent
    # from the sample (test_results_values covers them with a hand-written record).
    assert set(LEVELS) - set(expected) == {
        f"{_BL}.measures[].denoms[]",
        f"{_BL}.measures[].denoms[].counts[]",
    }
    for path, (table, keep, positions) in LEVELS.items():
        rows = [r for r in sample_rows[table] if keep(r)]
        got = Counter((r["nct_id"], *positions(r)) for r in rows)
        assert set(got) == expected.get(path, set()), path
        assert set(got.values()) <= {1}, path  # one row per item, never two


def test_three_totals_rows_per_event_group(
    results_studies: dict[str, Record], sample_rows: Rows
) -> None:
    groups = sum(
        len(s["resultsSection"].get("adverseEventsModule", {}).get("eventGroups", []))
        for s in results_studies.values()
    )
    totals = Counter(r["event_type"] for r in sample_rows[tables.REPORTED_EVENT_TOTALS])
    assert totals == {"deaths": groups, "serious": groups, "other": groups}
    assert groups == 103


@pytest.mark.parametrize(
    ("table", "module"),
    [
        # One-row-per-study tables exist exactly for the studies that have the module.
        pytest.param(tables.PARTICIPANT_FLOWS, ("participantFlowModule",), id="participant_flows"),
        pytest.param(tables.ADVERSE_EVENTS_MODULES, ("adverseEventsModule",), id="ae_modules"),
        pytest.param(
            tables.RESULT_AGREEMENTS, ("moreInfoModule", "certainAgreement"), id="agreements"
        ),
        pytest.param(tables.RESULT_CONTACTS, ("moreInfoModule", "pointOfContact"), id="contacts"),
    ],
)
def test_one_row_per_study_with_the_module(
    results_studies: dict[str, Record], sample_rows: Rows, table: Table, module: tuple[str, ...]
) -> None:
    def has(study: Record) -> bool:
        value: Any = study["resultsSection"]
        for key in module:
            value = value.get(key) if isinstance(value, dict) else None
        return bool(value)

    got = [r["nct_id"] for r in sample_rows[table]]
    assert sorted(got) == sorted(nct for nct, s in results_studies.items() if has(s))
    assert len(got) == 44


# --- schema fit, ids, keys ----------------------------------------------------------------------


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_rows_fit_the_declared_schema(built: tuple[Rows, list[TypeIssue]], table: Table) -> None:
    rows = built[0][table]
    assert rows
    # No sample value was nulled for not fitting a column of the table.
    assert [i for i in built[1] if i.table == table.qualified_name] == []
    assert all(tuple(r) == table.column_names for r in rows)
    arrow, issues = arrow_table(table, rows)
    assert issues == []
    assert arrow.num_rows == len(rows)


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.name)
def test_ids_and_primary_keys_are_unique(sample_rows: Rows, table: Table) -> None:
    rows = sample_rows[table]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({tuple(r[k] for k in table.primary_key) for r in rows}) == len(rows)


def test_ids_are_unique_across_result_groups_of_all_contexts(sample_rows: Rows) -> None:
    groups = sample_rows[tables.RESULT_GROUPS]
    # The same code (OG000) recurs per outcome; each occurrence is its own row and id.
    codes = Counter((g["nct_id"], g["result_type"], g["ctgov_group_code"]) for g in groups)
    assert max(codes.values()) > 1
    assert len({g["id"] for g in groups}) == len(groups) == 1103


@pytest.mark.parametrize(
    ("child", "fk", "parent"),
    [
        # AACT's join keys, computed with the parent id's recipe.
        pytest.param(tables.OUTCOME_MEASUREMENTS, "outcome_id", tables.OUTCOMES, id="om-outcome"),
        pytest.param(tables.OUTCOME_COUNTS, "outcome_id", tables.OUTCOMES, id="oc-outcome"),
        pytest.param(tables.OUTCOME_ANALYSES, "outcome_id", tables.OUTCOMES, id="oa-outcome"),
        pytest.param(
            tables.OUTCOME_ANALYSIS_GROUPS,
            "outcome_analysis_id",
            tables.OUTCOME_ANALYSES,
            id="oag-analysis",
        ),
        pytest.param(tables.RESULT_GROUPS, "outcome_id", tables.OUTCOMES, id="rg-outcome"),
        # Our extra tables carry the same key.
        pytest.param(tables.OUTCOME_CLASSES, "outcome_id", tables.OUTCOMES, id="classes-outcome"),
        pytest.param(
            tables.OUTCOME_CATEGORIES, "outcome_id", tables.OUTCOMES, id="categories-outcome"
        ),
        pytest.param(tables.RESULT_DENOMS, "outcome_id", tables.OUTCOMES, id="denoms-outcome"),
    ],
)
def test_foreign_keys_resolve(sample_rows: Rows, child: Table, fk: str, parent: Table) -> None:
    parents = {(r["nct_id"], r["id"]) for r in sample_rows[parent]}
    rows = [r for r in sample_rows[child] if r[fk] is not None]
    dangling = [r for r in rows if (r["nct_id"], r[fk]) not in parents]
    assert rows and dangling == []


def test_every_results_leaf_maps_to_a_column() -> None:
    sources = {s for t in tables.TABLES for c in t.columns for s in c.sources}
    leaves = {p for p in leaf_specs() if p.startswith("resultsSection.")}
    assert leaves - sources == STUDIES_LEAVES
    assert sources - leaves == set()  # no column names a path the spec does not have


def test_every_sample_results_leaf_maps_to_a_column(results_studies: dict[str, Record]) -> None:
    sources = {s for t in tables.TABLES for c in t.columns for s in c.sources}
    seen: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}")
        elif isinstance(value, list):
            for child in value:
                walk(child, f"{path}[]")
        else:
            seen.add(path)

    for study in results_studies.values():
        walk(study["resultsSection"], "resultsSection")
    assert len(seen) == 126  # distinct leaf paths in the 44 results sections
    assert seen - sources - STUDIES_LEAVES == set()


# --- never raise on damaged records -------------------------------------------------------------

JUNK = st.one_of(damage.JUNK, st.floats(allow_nan=True))


@pytest.fixture(scope="module")
def small_results(sample_studies: dict[str, Record]) -> Record:
    """A results section small enough for hypothesis to reach every level (one outcome, etc.)."""
    results = orjson.loads(orjson.dumps(sample_studies[RICH]["resultsSection"]))
    results["outcomeMeasuresModule"]["outcomeMeasures"] = results["outcomeMeasuresModule"][
        "outcomeMeasures"
    ][:1]
    results["baselineCharacteristicsModule"]["measures"] = results["baselineCharacteristicsModule"][
        "measures"
    ][:2]
    events = results["adverseEventsModule"]
    events["seriousEvents"], events["otherEvents"] = (
        events["seriousEvents"][:1],
        events["otherEvents"][:1],
    )
    return {"resultsSection": results}


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_builders_never_raise_on_damaged_records(
    data: st.DataObject, small_results: Record
) -> None:
    edits = data.draw(damage.edits(damage.node_paths(small_results), JUNK))
    damaged = damage.with_edits(small_results, edits)
    got = _results_rows(damaged)  # may report issues, never raises
    for table in tables.TABLES:
        rows = got[table.name]
        assert all(tuple(r) == table.column_names for r in rows)
        assert all(isinstance(r["id"], int) and r["nct_id"] == RICH for r in rows)


@pytest.mark.parametrize(
    "record",
    [
        # No results at all: every table is empty.
        pytest.param({}, id="no-results"),
        # Modules of the wrong type are treated as missing.
        pytest.param({"resultsSection": "junk"}, id="section-not-object"),
        pytest.param(
            {"resultsSection": {k: [] for k in ("participantFlowModule", "adverseEventsModule")}},
            id="modules-are-lists",
        ),
    ],
)
def test_missing_or_junk_results_give_no_rows(record: Record) -> None:
    assert _results_rows(record) == {t.name: [] for t in tables.TABLES}
