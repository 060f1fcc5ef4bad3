"""Rows for outcome measures: outcomes, classes, categories, counts, measurements and analyses.

Every child row links to the result groups of its own outcome (`outcome_links`): OG000 of one
outcome is not OG000 of another (AACT issue #1209).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._dates import parse_partial_date
from transforms._ids import stable_id
from transforms._json import Record, get_list, items
from transforms.results_common import (
    OUTCOME_MEASURES,
    Item,
    Row,
    count_fields,
    denom_counts,
    measurement_values,
    measurements,
    outcome_id,
    outcome_ids,
    outcome_links,
    p_value_parts,
    to_float,
)


def _outcomes(study: Record) -> list[tuple[int, Item]]:
    return items(get_list(study, OUTCOME_MEASURES))


def _posting_date(raw: Any) -> Row:
    """AACT converts anticipatedPostingDate to the FIRST day of its month (date_first_of_month)."""
    parsed = parse_partial_date(raw) if isinstance(raw, str) else None
    return {
        "anticipated_posting_date": parsed.first if parsed else None,
        "anticipated_posting_month_year": raw,
        "anticipated_posting_date_precision": parsed.precision if parsed else None,
    }


def outcome_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per outcome measure of the results (AACT `outcomes`)."""
    ids = outcome_ids(nct_id)
    return [
        {
            "id": ids(o),
            "nct_id": nct_id,
            "ordinal": o,
            "outcome_type": outcome.get("type"),
            "title": outcome.get("title"),
            "description": outcome.get("description"),
            "time_frame": outcome.get("timeFrame"),
            "population": outcome.get("populationDescription"),
            **_posting_date(outcome.get("anticipatedPostingDate")),
            "units": outcome.get("unitOfMeasure"),
            "units_analyzed": outcome.get("typeUnitsAnalyzed"),
            "dispersion_type": outcome.get("dispersionType"),
            "param_type": outcome.get("paramType"),
            "reporting_status": outcome.get("reportingStatus"),
            "calculate_pct": outcome.get("calculatePct"),
            "denom_units_selected": outcome.get("denomUnitsSelected"),
        }
        for o, outcome in _outcomes(study)
    ]


def _classes(study: Record) -> Iterator[tuple[int, int, Item]]:
    for o, outcome in _outcomes(study):
        for c, klass in items(get_list(outcome, "classes")):
            yield o, c, klass


def outcome_class_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per class of each outcome measure."""
    return [
        {
            "id": stable_id("outcome_classes", nct_id, o, c),
            "nct_id": nct_id,
            "outcome_ordinal": o,
            "ordinal": c,
            "outcome_id": outcome_id(nct_id, o),
            "classification": klass.get("title"),
        }
        for o, c, klass in _classes(study)
    ]


def outcome_category_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per category of each outcome class (kept even with no measurements)."""
    return [
        {
            "id": stable_id("outcome_categories", nct_id, o, c, k),
            "nct_id": nct_id,
            "outcome_ordinal": o,
            "class_ordinal": c,
            "ordinal": k,
            "outcome_id": outcome_id(nct_id, o),
            "category": category.get("title"),
        }
        for o, c, klass in _classes(study)
        for k, category in items(get_list(klass, "categories"))
    ]


def _denom_owners(outcome: Item) -> list[tuple[int, Item]]:
    """(class position or -1, owner of the denoms): the outcome itself, then its classes."""
    return [(NO_POSITION, outcome), *items(get_list(outcome, "classes"))]


def outcome_count_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of outcome ('Measure') and class ('Class') denominators."""
    rows: list[Row] = []
    for o, outcome in _outcomes(study):
        group = outcome_links(nct_id, o, outcome)
        parent = outcome_id(nct_id, o)
        for c, owner in _denom_owners(outcome):
            shared = {
                "nct_id": nct_id,
                "outcome_ordinal": o,
                "scope": "Measure" if c == NO_POSITION else "Class",
                "class_ordinal": c,
                "outcome_id": parent,
                "classification": None if c == NO_POSITION else owner.get("title"),
            }
            rows += [
                {
                    "id": stable_id("outcome_counts", nct_id, o, c, d, n),
                    **shared,
                    "denom_ordinal": d,
                    "ordinal": n,
                    "result_group_id": group(count.get("groupId")),
                    "ctgov_group_code": count.get("groupId"),
                    "units": denom.get("units"),
                    **count_fields(count.get("value")),
                }
                for d, denom, n, count in denom_counts(get_list(owner, "denoms"))
            ]
    return rows


def outcome_measurement_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group value of each outcome category (AACT `outcome_measurements`)."""
    rows: list[Row] = []
    for o, outcome in _outcomes(study):
        group = outcome_links(nct_id, o, outcome)
        shared = {
            "nct_id": nct_id,
            "outcome_ordinal": o,
            "outcome_id": outcome_id(nct_id, o),
            "title": outcome.get("title"),
            "description": outcome.get("description"),
            "units": outcome.get("unitOfMeasure"),
            "param_type": outcome.get("paramType"),
            "dispersion_type": outcome.get("dispersionType"),
        }
        rows += [
            {
                "id": stable_id("outcome_measurements", nct_id, o, c, k, m),
                **shared,
                "class_ordinal": c,
                "category_ordinal": k,
                "ordinal": m,
                "result_group_id": group(value.get("groupId")),
                "ctgov_group_code": value.get("groupId"),
                "classification": klass.get("title"),
                "category": category.get("title"),
                **measurement_values(value),
            }
            for c, klass, k, category, m, value in measurements(outcome)
        ]
    return rows


def _analyses(study: Record) -> Iterator[tuple[int, Item, int, Item]]:
    for o, outcome in _outcomes(study):
        for a, analysis in items(get_list(outcome, "analyses")):
            yield o, outcome, a, analysis


def analysis_id(nct_id: str, outcome_ordinal: int, analysis_ordinal: int) -> int:
    """outcome_analyses.id (the FK of outcome_analysis_groups)."""
    return stable_id("outcome_analyses", nct_id, outcome_ordinal, analysis_ordinal)


def outcome_analysis_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per statistical analysis (AACT `outcome_analyses`)."""
    return [
        {
            "id": analysis_id(nct_id, o, a),
            "nct_id": nct_id,
            "outcome_ordinal": o,
            "ordinal": a,
            "outcome_id": outcome_id(nct_id, o),
            **analysis_values(analysis),
        }
        for o, _, a, analysis in _analyses(study)
    ]


def _numeric(name: str, raw: Any) -> Row:
    return {name: to_float(raw), f"{name}_raw": raw}


def analysis_values(analysis: Item) -> Row:
    """The columns of one MeasureAnalysis, numbers parsed and raw text kept (AACT's split)."""
    modifier, p_value = p_value_parts(analysis.get("pValue"))
    return {
        "non_inferiority_type": analysis.get("nonInferiorityType"),
        "non_inferiority_description": analysis.get("nonInferiorityComment"),
        "is_tested_non_inferiority": analysis.get("testedNonInferiority"),
        "param_type": analysis.get("paramType"),
        **_numeric("param_value", analysis.get("paramValue")),
        "dispersion_type": analysis.get("dispersionType"),
        **_numeric("dispersion_value", analysis.get("dispersionValue")),
        "p_value_modifier": modifier,
        "p_value": p_value,
        "p_value_raw": analysis.get("pValue"),
        "p_value_description": analysis.get("pValueComment"),
        "ci_n_sides": analysis.get("ciNumSides"),
        **_numeric("ci_percent", analysis.get("ciPctValue")),
        **_numeric("ci_lower_limit", analysis.get("ciLowerLimit")),
        **_numeric("ci_upper_limit", analysis.get("ciUpperLimit")),
        "ci_lower_limit_na_comment": analysis.get("ciLowerLimitComment"),
        "ci_upper_limit_na_comment": analysis.get("ciUpperLimitComment"),
        "method": analysis.get("statisticalMethod"),
        "method_description": analysis.get("statisticalComment"),
        "estimate_description": analysis.get("estimateComment"),
        "groups_description": analysis.get("groupDescription"),
        "other_analysis_description": analysis.get("otherAnalysisDescription"),
    }


def outcome_analysis_group_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group id an analysis compares, linked to its own outcome's group."""
    rows: list[Row] = []
    for o, outcome, a, analysis in _analyses(study):
        group = outcome_links(nct_id, o, outcome)
        rows += [
            {
                "id": stable_id("outcome_analysis_groups", nct_id, o, a, g),
                "nct_id": nct_id,
                "outcome_ordinal": o,
                "analysis_ordinal": a,
                "ordinal": g,
                "outcome_analysis_id": analysis_id(nct_id, o, a),
                "outcome_id": outcome_id(nct_id, o),
                "result_group_id": group(code),
                "ctgov_group_code": code,
            }
            for g, code in enumerate(get_list(analysis, "groupIds"))
        ]
    return rows


BUILDERS = {
    tables.OUTCOMES: outcome_rows,
    tables.OUTCOME_CLASSES: outcome_class_rows,
    tables.OUTCOME_CATEGORIES: outcome_category_rows,
    tables.OUTCOME_COUNTS: outcome_count_rows,
    tables.OUTCOME_MEASUREMENTS: outcome_measurement_rows,
    tables.OUTCOME_ANALYSES: outcome_analysis_rows,
    tables.OUTCOME_ANALYSIS_GROUPS: outcome_analysis_group_rows,
}
