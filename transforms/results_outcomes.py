"""Rows for outcome measures: outcomes, classes, categories, counts, measurements and analyses.

Every child row links to the result groups of its own outcome (`_groups`): OG000 of one outcome
is not OG000 of another (AACT issue #1209).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._dates import parse_partial_date
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.columns import mapped, per_value
from transforms.results_baseline import count_columns, measurement_columns, scoped_counts
from transforms.results_common import (
    OUTCOME,
    OUTCOME_MEASURES,
    GroupIndex,
    each_with_parent,
    group_index,
    p_value_parts,
    to_float,
)


def _outcomes(studies: Level) -> Level:
    return studies.each(OUTCOME_MEASURES)


def _groups(outcomes: Level) -> GroupIndex:
    """Each outcome's own groups (each outcome has its own OG000, OG001, ...), indexed once."""
    return outcomes.shared("groups", lambda: _group_index(outcomes))


def _group_index(outcomes: Level) -> GroupIndex:
    groups, outcome = each_with_parent(outcomes, "groups")
    return group_index(groups, OUTCOME, outcomes.ordinal.take(outcome))


def _outcome_ids(outcomes: Level, outcome: pa.Array) -> pa.Array:
    """outcomes.id of the outcome of each row (`outcome`: its row in `outcomes`).

    Hashed once per outcome for every table (`Level.ids`) and taken down.
    """
    return outcomes.ids("outcomes").take(outcome)


def posting_date(raw: Any) -> tuple[dt.date | None, str | None]:
    """(date, precision) of anticipatedPostingDate.

    AACT converts anticipatedPostingDate to the FIRST day of its month (date_first_of_month).
    """
    parsed = parse_partial_date(raw) if isinstance(raw, str) else None
    return (parsed.first, parsed.precision) if parsed else (None, None)


def outcomes(studies: Level) -> pa.Table:
    """One row per outcome measure of the results (AACT `outcomes`)."""
    rows = _outcomes(studies)
    posting = rows.field("anticipatedPostingDate")
    date, precision = per_value(posting_date, posting, (pa.date32(), pa.string()))
    fields = {
        "outcome_type": "type",
        "title": "title",
        "description": "description",
        "time_frame": "timeFrame",
        "population": "populationDescription",
        "units": "unitOfMeasure",
        "units_analyzed": "typeUnitsAnalyzed",
        "dispersion_type": "dispersionType",
        "param_type": "paramType",
        "reporting_status": "reportingStatus",
        "calculate_pct": "calculatePct",
        "denom_units_selected": "denomUnitsSelected",
    }
    return table_of(
        tables.OUTCOMES,
        len(rows),
        {
            "id": rows.ids("outcomes"),
            "nct_id": rows.nct_id,
            "ordinal": rows.ordinal,
            **{column: rows.field(key) for column, key in fields.items()},
            "anticipated_posting_date": date,
            "anticipated_posting_month_year": posting,
            "anticipated_posting_date_precision": precision,
        },
    )


def outcome_classes(studies: Level) -> pa.Table:
    """One row per class of each outcome measure."""
    outcomes = _outcomes(studies)
    classes, outcome = each_with_parent(outcomes, "classes")
    nct_id = classes.nct_id
    outcome_ordinal, ordinal = classes.ordinals
    return table_of(
        tables.OUTCOME_CLASSES,
        len(classes),
        {
            "id": stable_ids("outcome_classes", nct_id, outcome_ordinal, ordinal),
            "nct_id": nct_id,
            "outcome_ordinal": outcome_ordinal,
            "ordinal": ordinal,
            "outcome_id": _outcome_ids(outcomes, outcome),
            "classification": classes.field("title"),
        },
    )


def outcome_categories(studies: Level) -> pa.Table:
    """One row per category of each outcome class (kept even with no measurements)."""
    outcomes = _outcomes(studies)
    classes, class_outcome = each_with_parent(outcomes, "classes")
    categories, klass = each_with_parent(classes, "categories")
    nct_id = categories.nct_id
    outcome_ordinal, class_ordinal, ordinal = categories.ordinals
    return table_of(
        tables.OUTCOME_CATEGORIES,
        len(categories),
        {
            "id": stable_ids("outcome_categories", nct_id, outcome_ordinal, class_ordinal, ordinal),
            "nct_id": nct_id,
            "outcome_ordinal": outcome_ordinal,
            "class_ordinal": class_ordinal,
            "ordinal": ordinal,
            "outcome_id": _outcome_ids(outcomes, class_outcome.take(klass)),
            "category": categories.field("title"),
        },
    )


def outcome_counts(studies: Level) -> pa.Table:
    """One row per group count of outcome ('Measure') and class ('Class') denominators."""
    outcomes = _outcomes(studies)
    counts = scoped_counts(outcomes)
    study, outcome, klass, denom, ordinal = (
        counts[k] for k in ("study", "parent", "class", "denom", "ordinal")
    )
    nct_id = studies.nct_ids.take(study)
    return table_of(
        tables.OUTCOME_COUNTS,
        len(nct_id),
        {
            "id": stable_ids("outcome_counts", nct_id, outcome, klass, denom, ordinal),
            "nct_id": nct_id,
            "outcome_ordinal": outcome,
            "scope": pc.if_else(pc.equal(klass, NO_POSITION), "Measure", "Class"),
            "class_ordinal": klass,
            "denom_ordinal": denom,
            "ordinal": ordinal,
            "outcome_id": _outcome_ids(outcomes, counts["owner"]),
            "result_group_id": _groups(outcomes).linked(study, counts["code"], outcome),
            "ctgov_group_code": counts["code"],
            "classification": counts["classification"],
            "units": counts["units"],
            **count_columns(counts["value"]),
        },
    )


def outcome_measurements(studies: Level) -> pa.Table:
    """One row per group value of each outcome category (AACT `outcome_measurements`)."""
    outcomes = _outcomes(studies)
    classes, class_outcome = each_with_parent(outcomes, "classes")
    categories, category_class = each_with_parent(classes, "categories")
    values, category = each_with_parent(categories, "measurements")
    klass = category_class.take(category)
    outcome = class_outcome.take(klass)
    nct_id = values.nct_id
    outcome_ordinal, class_ordinal, category_ordinal, ordinal = values.ordinals
    code = values.field("groupId")
    copied = {
        "title": "title",
        "description": "description",
        "units": "unitOfMeasure",
        "param_type": "paramType",
        "dispersion_type": "dispersionType",
    }
    return table_of(
        tables.OUTCOME_MEASUREMENTS,
        len(values),
        {
            "id": stable_ids(
                "outcome_measurements",
                nct_id,
                outcome_ordinal,
                class_ordinal,
                category_ordinal,
                ordinal,
            ),
            "nct_id": nct_id,
            "outcome_ordinal": outcome_ordinal,
            "class_ordinal": class_ordinal,
            "category_ordinal": category_ordinal,
            "ordinal": ordinal,
            "outcome_id": _outcome_ids(outcomes, outcome),
            "result_group_id": _groups(outcomes).linked(values.study, code, outcome_ordinal),
            "ctgov_group_code": code,
            "classification": classes.field("title").take(klass),
            "category": categories.field("title").take(category),
            **{column: outcomes.field(key).take(outcome) for column, key in copied.items()},
            **measurement_columns(values),
        },
    )


def outcome_analyses(studies: Level) -> pa.Table:
    """One row per statistical analysis (AACT `outcome_analyses`)."""
    outcomes = _outcomes(studies)
    analyses, outcome = each_with_parent(outcomes, "analyses")
    nct_id = analyses.nct_id
    outcome_ordinal, ordinal = analyses.ordinals
    return table_of(
        tables.OUTCOME_ANALYSES,
        len(analyses),
        {
            "id": analyses.ids("outcome_analyses"),
            "nct_id": nct_id,
            "outcome_ordinal": outcome_ordinal,
            "ordinal": ordinal,
            "outcome_id": _outcome_ids(outcomes, outcome),
            **analysis_columns(analyses),
        },
    )


_ANALYSIS_TEXT = {
    "non_inferiority_type": "nonInferiorityType",
    "non_inferiority_description": "nonInferiorityComment",
    "is_tested_non_inferiority": "testedNonInferiority",
    "param_type": "paramType",
    "dispersion_type": "dispersionType",
    "p_value_raw": "pValue",
    "p_value_description": "pValueComment",
    "ci_n_sides": "ciNumSides",
    "ci_lower_limit_na_comment": "ciLowerLimitComment",
    "ci_upper_limit_na_comment": "ciUpperLimitComment",
    "method": "statisticalMethod",
    "method_description": "statisticalComment",
    "estimate_description": "estimateComment",
    "groups_description": "groupDescription",
    "other_analysis_description": "otherAnalysisDescription",
}
# Numbers parsed from text, each with its raw text in `<name>_raw` (AACT's split).
_ANALYSIS_NUMBERS = {
    "param_value": "paramValue",
    "dispersion_value": "dispersionValue",
    "ci_percent": "ciPctValue",
    "ci_lower_limit": "ciLowerLimit",
    "ci_upper_limit": "ciUpperLimit",
}


def analysis_columns(analyses: Level) -> dict[str, pa.Array]:
    """The columns of MeasureAnalyses, numbers parsed and raw text kept (AACT's split)."""
    columns = {column: analyses.field(key) for column, key in _ANALYSIS_TEXT.items()}
    for name, key in _ANALYSIS_NUMBERS.items():
        raw = analyses.field(key)
        columns[name] = mapped(to_float, raw, pa.float64())
        columns[f"{name}_raw"] = raw
    modifier, p_value = per_value(
        p_value_parts, columns["p_value_raw"], (pa.string(), pa.float64())
    )
    return {**columns, "p_value_modifier": modifier, "p_value": p_value}


def outcome_analysis_groups(studies: Level) -> pa.Table:
    """One row per group id an analysis compares, linked to its own outcome's group."""
    outcomes = _outcomes(studies)
    analyses, outcome = each_with_parent(outcomes, "analyses")
    codes = analyses.each("groupIds", keep_nulls=True)
    analysis = codes.parent_row
    nct_id = codes.nct_id
    outcome_ordinal, analysis_ordinal, ordinal = codes.ordinals
    return table_of(
        tables.OUTCOME_ANALYSIS_GROUPS,
        len(codes),
        {
            "id": stable_ids(
                "outcome_analysis_groups", nct_id, outcome_ordinal, analysis_ordinal, ordinal
            ),
            "nct_id": nct_id,
            "outcome_ordinal": outcome_ordinal,
            "analysis_ordinal": analysis_ordinal,
            "ordinal": ordinal,
            "outcome_analysis_id": analyses.ids("outcome_analyses").take(analysis),
            "outcome_id": _outcome_ids(outcomes, outcome.take(analysis)),
            "result_group_id": _groups(outcomes).linked(codes.study, codes.values, outcome_ordinal),
            "ctgov_group_code": codes.values,
        },
    )


TABLE_BUILDERS = {
    tables.OUTCOMES: outcomes,
    tables.OUTCOME_CLASSES: outcome_classes,
    tables.OUTCOME_CATEGORIES: outcome_categories,
    tables.OUTCOME_COUNTS: outcome_counts,
    tables.OUTCOME_MEASUREMENTS: outcome_measurements,
    tables.OUTCOME_ANALYSES: outcome_analyses,
    tables.OUTCOME_ANALYSIS_GROUPS: outcome_analysis_groups,
}
