"""Rows for baseline characteristics: denominators, measures, classes, categories, measurements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, items
from transforms.results_common import (
    BASELINE,
    BASELINE_MODULE,
    GroupLinks,
    Item,
    Row,
    count_fields,
    denom_counts,
    group_links,
    measurement_values,
    to_int,
)

PARTICIPANTS = "Participants"  # AACT's default for number_analyzed_units


def _measures(study: Record) -> list[tuple[int, Item]]:
    return items(get_list(study, f"{BASELINE_MODULE}.measures"))


def baseline_count_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of the module's (overall) denominators (AACT `baseline_counts`)."""
    group = group_links(study, nct_id, BASELINE)
    return [
        {
            "id": stable_id("baseline_counts", nct_id, d, n),
            "nct_id": nct_id,
            "denom_ordinal": d,
            "ordinal": n,
            "result_group_id": group(count.get("groupId")),
            "ctgov_group_code": count.get("groupId"),
            "units": denom.get("units"),
            "scope": "overall",
            **count_fields(count.get("value")),
        }
        for d, denom, n, count in denom_counts(get_list(study, f"{BASELINE_MODULE}.denoms"))
    ]


def baseline_measure_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per baseline measure, with the measure's own fields as given."""
    return [
        {
            "id": stable_id("baseline_measures", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            **_measure_fields(measure),
            "calculate_pct": measure.get("calculatePct"),
            "denom_units_selected": measure.get("denomUnitsSelected"),
        }
        for i, measure in _measures(study)
    ]


def baseline_class_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per class of each baseline measure."""
    return [
        {
            "id": stable_id("baseline_classes", nct_id, i, c),
            "nct_id": nct_id,
            "measure_ordinal": i,
            "ordinal": c,
            "classification": klass.get("title"),
        }
        for i, measure in _measures(study)
        for c, klass in items(get_list(measure, "classes"))
    ]


def baseline_category_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per category of each baseline measure class (kept even with no measurements)."""
    return [
        {
            "id": stable_id("baseline_categories", nct_id, i, c, k),
            "nct_id": nct_id,
            "measure_ordinal": i,
            "class_ordinal": c,
            "ordinal": k,
            "category": category.get("title"),
        }
        for i, measure in _measures(study)
        for c, klass in items(get_list(measure, "classes"))
        for k, category in items(get_list(klass, "categories"))
    ]


def _measure_denom_contexts(study: Record) -> list[tuple[int, int, Item]]:
    """(measure position, class position or -1, owner of the denoms) for measures, then classes."""
    contexts: list[tuple[int, int, Item]] = []
    for i, measure in _measures(study):
        contexts.append((i, NO_POSITION, measure))
        contexts += [(i, c, klass) for c, klass in items(get_list(measure, "classes"))]
    return contexts


def baseline_measure_denom_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of measure- and class-level denominators (not in AACT)."""
    group = group_links(study, nct_id, BASELINE)
    return [
        {
            "id": stable_id("baseline_measure_denoms", nct_id, i, c, d, n),
            "nct_id": nct_id,
            "scope": "measure" if c == NO_POSITION else "class",
            "measure_ordinal": i,
            "class_ordinal": c,
            "denom_ordinal": d,
            "ordinal": n,
            "result_group_id": group(count.get("groupId")),
            "ctgov_group_code": count.get("groupId"),
            "classification": None if c == NO_POSITION else owner.get("title"),
            "units": denom.get("units"),
            **count_fields(count.get("value")),
        }
        for i, c, owner in _measure_denom_contexts(study)
        for d, denom, n, count in denom_counts(get_list(owner, "denoms"))
    ]


def _measure_fields(measure: Item) -> Row:
    """Measure-level columns repeated on every measurement row (as AACT does)."""
    return {
        "title": measure.get("title"),
        "description": measure.get("description"),
        "population_description": measure.get("populationDescription"),
        "units": measure.get("unitOfMeasure"),
        "param_type": measure.get("paramType"),
        "dispersion_type": measure.get("dispersionType"),
    }


def _count_in(denoms: Sequence[Any], units: Any, code: Any) -> int | None:
    for denom in denoms:
        if type(denom) is dict and denom.get("units") == units:
            for count in get_list(denom, "counts"):
                if type(count) is dict and count.get("groupId") == code:
                    return to_int(count.get("value"))
    return None


def number_analyzed(module: Item, measure: Item, klass: Item, code: Any) -> int | None:
    """A group's number analyzed for a baseline measurement, by AACT's rule.

    The group's count in the class's denoms if the class has any, else in the measure's, else in
    the module's (overall) denoms, in units denomUnitsSelected (default 'Participants'). AACT does
    not fall through to the next level when the group or unit is missing from the chosen one.
    """
    return _count_in(_analyzed_denoms(module, measure, klass), _denom_units(measure), code)


def _analyzed_denoms(module: Item, measure: Item, klass: Item) -> Sequence[Any]:
    """The denoms `number_analyzed` reads for a class: the same for every group of the class."""
    for owner in (klass, measure, module):
        denoms = get_list(owner, "denoms")
        if denoms:
            return denoms
    return ()


def _denom_units(measure: Item) -> Any:
    units = measure.get("denomUnitsSelected")
    return PARTICIPANTS if units is None else units


def _calculate_percentage(raw: Any) -> str | None:
    return ("Yes" if raw else "No") if isinstance(raw, bool) else None


def baseline_measurement_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group value of each measure category (AACT `baseline_measurements`)."""
    module = get_dict(study, BASELINE_MODULE)
    group = group_links(study, nct_id, BASELINE)
    rows: list[Row] = []
    for i, measure in _measures(study):
        units = _denom_units(measure)
        shared = {
            "nct_id": nct_id,
            "measure_ordinal": i,
            **_measure_fields(measure),
            "number_analyzed_units": units,
            "calculate_percentage": _calculate_percentage(measure.get("calculatePct")),
        }
        for c, klass in items(get_list(measure, "classes")):
            # Which denoms count the participants is decided per class, not per value.
            analyzed = partial(_count_in, _analyzed_denoms(module, measure, klass), units)
            in_class = {**shared, "class_ordinal": c, "classification": klass.get("title")}
            for k, category in items(get_list(klass, "categories")):
                in_category = {**in_class, "category_ordinal": k, "category": category.get("title")}
                ids = id_maker("baseline_measurements", nct_id, i, c, k)
                rows += _measurement_rows(category, in_category, ids, group, analyzed)
    return rows


def _measurement_rows(
    category: Item,
    shared: Row,
    ids: Callable[[object], int],
    group: GroupLinks,
    analyzed: Callable[[Any], int | None],
) -> list[Row]:
    """A category's rows: the `shared` columns plus each group value's own."""
    return [
        {
            "id": ids(m),
            **shared,
            "ordinal": m,
            "result_group_id": group(value.get("groupId")),
            "ctgov_group_code": value.get("groupId"),
            **measurement_values(value),
            "number_analyzed": analyzed(value.get("groupId")),
        }
        for m, value in items(get_list(category, "measurements"))
    ]


BUILDERS = {
    tables.BASELINE_COUNTS: baseline_count_rows,
    tables.BASELINE_MEASURES: baseline_measure_rows,
    tables.BASELINE_CLASSES: baseline_class_rows,
    tables.BASELINE_CATEGORIES: baseline_category_rows,
    tables.BASELINE_MEASURE_DENOMS: baseline_measure_denom_rows,
    tables.BASELINE_MEASUREMENTS: baseline_measurement_rows,
}
