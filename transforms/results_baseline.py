"""Rows for baseline characteristics: denominators, measures, classes, categories, measurements.

Also the batch pieces the outcome tables share: parent links, denominator counts, group linkage.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.columns import constant, mapped, per_value_across
from transforms.results_common import (
    BASELINE,
    BASELINE_MODULE,
    GroupIndex,
    each_with_parent,
    group_index,
    integers,
    stacked,
    to_float,
)

PARTICIPANTS = "Participants"  # AACT's default for number_analyzed_units


# --- batch pieces shared with results_outcomes --------------------------------------------------


def count_columns(raw: pa.Array) -> dict[str, pa.Array]:
    """`count` (integer) and `count_raw` (text as given) for registry count strings."""
    return {"count": integers(raw), "count_raw": raw}


def denom_counts(owners: Level, path: str) -> tuple[Level, pa.Array, pa.Array]:
    """Each count of each denom at `path` below `owners`, its denom's units, its owner's index."""
    denoms, owner = each_with_parent(owners, path)
    counts, denom = each_with_parent(denoms, "counts")
    return counts, denoms.field("units").take(denom), owner.take(denom)


def scoped_counts(owners: Level) -> dict[str, pa.Array]:
    """Denominator counts of `owners` (class position -1) and of their classes, in row order.

    Each owner's own counts come first, then each of its classes' counts, as listed. Columns:
    study, owner (its row in `owners`), parent (the owner's position), class, denom, ordinal,
    code, units, value and classification (the class title; null for the owner's own counts).
    """
    classes, class_owner = each_with_parent(owners, "classes")
    top, top_units, top_owner = denom_counts(owners, "denoms")
    sub, sub_units, sub_class = denom_counts(classes, "denoms")
    own = {
        "class": constant(NO_POSITION, len(top), pa.int32()),
        "owner": top_owner,
        "classification": pa.nulls(len(top), pa.string()),
    }
    of_classes = {
        "class": sub.ordinals[1],
        "owner": class_owner.take(sub_class),
        "classification": classes.field("title").take(sub_class),
    }
    return stacked(
        [_count_columns(top, top_units, own), _count_columns(sub, sub_units, of_classes)],
        by=("parent",),
    )


def _count_columns(
    counts: Level, units: pa.Array, columns: dict[str, pa.Array]
) -> dict[str, pa.Array]:
    return {
        "study": counts.study,
        "parent": counts.ordinals[0],
        "denom": counts.ordinals[-2],
        "ordinal": counts.ordinal,
        "code": counts.field("groupId"),
        "units": units,
        "value": counts.field("value"),
        **columns,
    }


def measurement_columns(values: Level) -> dict[str, pa.Array]:
    """The value columns of Measurements (baseline and outcome measurements alike)."""
    texts = [values.field(key) for key in ("value", "spread", "lowerLimit", "upperLimit")]
    value, spread, lower, upper = texts
    # Parsed in one go: the four share many texts ("0", "NA") and a call's fixed cost.
    numbers = [n for (n,) in per_value_across(_float_of, texts, (pa.float64(),))]
    return {
        "param_value": value,
        "param_value_num": numbers[0],
        "dispersion_value": spread,
        "dispersion_value_num": numbers[1],
        "dispersion_lower_limit": numbers[2],
        "dispersion_upper_limit": numbers[3],
        "dispersion_lower_limit_raw": lower,
        "dispersion_upper_limit_raw": upper,
        "explanation_of_na": values.field("comment"),
    }


def _float_of(raw: Any) -> tuple[float | None]:
    return (to_float(raw),)


# --- baseline tables ----------------------------------------------------------------------------


def _module(studies: Level) -> Level:
    """Each study's baseline module as its row: lists below it are read without the record's type.

    Picking a field of the whole record costs ~0.2 ms a call (its type has hundreds of fields).
    One level for all the baseline tables, so what they share (lists, groups) is built once.
    """
    return studies.shared(
        ("rows", BASELINE_MODULE),
        lambda: Level(
            studies.field(BASELINE_MODULE), studies.study, studies.ordinals, studies.nct_ids
        ),
    )


def _groups(module: Level) -> GroupIndex:
    """The baseline module's groups (indexed once per batch)."""
    return module.shared("groups", lambda: group_index(module.each("groups"), BASELINE))


def baseline_counts(studies: Level) -> pa.Table:
    """One row per group count of the module's (overall) denominators (AACT `baseline_counts`)."""
    module = _module(studies)
    counts, units, _ = denom_counts(module, "denoms")
    nct_id = counts.nct_id
    denom, ordinal = counts.ordinals
    code = counts.field("groupId")
    return table_of(
        tables.BASELINE_COUNTS,
        len(counts),
        {
            "id": stable_ids("baseline_counts", nct_id, denom, ordinal),
            "nct_id": nct_id,
            "denom_ordinal": denom,
            "ordinal": ordinal,
            "result_group_id": _groups(module).linked(counts.study, code),
            "ctgov_group_code": code,
            "units": units,
            "scope": constant("overall", len(counts), pa.string()),
            **count_columns(counts.field("value")),
        },
    )


# Measure-level columns, repeated on every measurement row (as AACT does).
_MEASURE_FIELDS = {
    "title": "title",
    "description": "description",
    "population_description": "populationDescription",
    "units": "unitOfMeasure",
    "param_type": "paramType",
    "dispersion_type": "dispersionType",
}


def baseline_measures(studies: Level) -> pa.Table:
    """One row per baseline measure, with the measure's own fields as given."""
    measures = _module(studies).each("measures")
    nct_id = measures.nct_id
    return table_of(
        tables.BASELINE_MEASURES,
        len(measures),
        {
            "id": stable_ids("baseline_measures", nct_id, measures.ordinal),
            "nct_id": nct_id,
            "ordinal": measures.ordinal,
            **{column: measures.field(key) for column, key in _MEASURE_FIELDS.items()},
            "calculate_pct": measures.field("calculatePct"),
            "denom_units_selected": measures.field("denomUnitsSelected"),
        },
    )


def baseline_classes(studies: Level) -> pa.Table:
    """One row per class of each baseline measure."""
    classes = _module(studies).each("measures").each("classes")
    nct_id = classes.nct_id
    measure, ordinal = classes.ordinals
    return table_of(
        tables.BASELINE_CLASSES,
        len(classes),
        {
            "id": stable_ids("baseline_classes", nct_id, measure, ordinal),
            "nct_id": nct_id,
            "measure_ordinal": measure,
            "ordinal": ordinal,
            "classification": classes.field("title"),
        },
    )


def baseline_categories(studies: Level) -> pa.Table:
    """One row per category of each baseline measure class (kept even with no measurements)."""
    categories = _module(studies).each("measures").each("classes").each("categories")
    nct_id = categories.nct_id
    measure, klass, ordinal = categories.ordinals
    return table_of(
        tables.BASELINE_CATEGORIES,
        len(categories),
        {
            "id": stable_ids("baseline_categories", nct_id, measure, klass, ordinal),
            "nct_id": nct_id,
            "measure_ordinal": measure,
            "class_ordinal": klass,
            "ordinal": ordinal,
            "category": categories.field("title"),
        },
    )


def baseline_measure_denoms(studies: Level) -> pa.Table:
    """One row per group count of measure- and class-level denominators (not in AACT)."""
    module = _module(studies)
    counts = scoped_counts(module.each("measures"))
    nct_id = studies.nct_ids.take(counts["study"])
    measure, klass, denom, ordinal = (counts[k] for k in ("parent", "class", "denom", "ordinal"))
    return table_of(
        tables.BASELINE_MEASURE_DENOMS,
        len(nct_id),
        {
            "id": stable_ids("baseline_measure_denoms", nct_id, measure, klass, denom, ordinal),
            "nct_id": nct_id,
            "scope": pc.if_else(pc.equal(klass, NO_POSITION), "measure", "class"),
            "measure_ordinal": measure,
            "class_ordinal": klass,
            "denom_ordinal": denom,
            "ordinal": ordinal,
            "result_group_id": _groups(module).linked(counts["study"], counts["code"]),
            "ctgov_group_code": counts["code"],
            "classification": counts["classification"],
            "units": counts["units"],
            **count_columns(counts["value"]),
        },
    )


def denom_units(selected: Any) -> Any:
    """The units number_analyzed counts in: denomUnitsSelected, default 'Participants'."""
    return PARTICIPANTS if selected is None else selected


def calculate_percentage(raw: Any) -> str | None:
    """AACT's 'Yes'/'No' literal for a measure's calculatePct."""
    return ("Yes" if raw else "No") if isinstance(raw, bool) else None


class _Measurements:
    """Baseline measurements, and the row of the class, category and measure above each."""

    def __init__(self, module: Level) -> None:
        self.module = module
        self.measures = module.each("measures")
        self.classes, class_measure = each_with_parent(self.measures, "classes")
        self.categories, category_class = each_with_parent(self.classes, "categories")
        self.values, self.category = each_with_parent(self.categories, "measurements")
        self.klass = category_class.take(self.category)
        self.measure = class_measure.take(self.klass)
        self.class_measure = class_measure


def number_analyzed(rows: _Measurements, units: pa.Array) -> pa.Array:
    """Each measurement's number analyzed (`analyzed_counts` per class, read by group code)."""
    module = rows.module.field("denoms").to_pylist()
    measure = rows.measures.field("denoms").to_pylist()
    measure_units = units.to_pylist()
    by_class = [
        analyzed_counts(_analyzed_denoms(own, measure[m], module[s]), measure_units[m])
        for own, m, s in zip(
            rows.classes.field("denoms").to_pylist(),
            rows.class_measure.to_pylist(),
            rows.classes.study.to_pylist(),
            strict=True,
        )
    ]
    codes = rows.values.field("groupId").to_pylist()
    raw = [by_class[c].get(code) for c, code in zip(rows.klass.to_pylist(), codes, strict=True)]
    return integers(pa.array(raw, pa.string()))


def _analyzed_denoms(*owners: list[Any] | None) -> list[Any]:
    """The first non-empty denoms of a class, its measure and the module (AACT's order)."""
    for denoms in owners:
        if denoms:
            return denoms
    return []


def analyzed_counts(denoms: list[Any], units: str) -> dict[str | None, str | None]:
    """A class's number analyzed by group code, as given, by AACT's rule.

    The group's count in the class's denoms if the class has any, else in the measure's, else in
    the module's (overall) denoms, in units denomUnitsSelected (default 'Participants'). AACT does
    not fall through to the next level when the group or unit is missing from the chosen one.
    The first denom in the units, and its first count of the group, win.
    """
    counts: dict[str | None, str | None] = {}
    for denom in denoms:
        if denom is not None and denom["units"] == units:
            for count in denom["counts"] or ():
                if count is not None:
                    counts.setdefault(count["groupId"], count["value"])
    return counts


def baseline_measurements(studies: Level) -> pa.Table:
    """One row per group value of each measure category (AACT `baseline_measurements`)."""
    module = _module(studies)
    rows = _Measurements(module)
    values, measures = rows.values, rows.measures
    nct_id = values.nct_id
    measure, klass, category, ordinal = values.ordinals
    code = values.field("groupId")
    units = mapped(denom_units, measures.field("denomUnitsSelected"), pa.string())
    percentage = mapped(calculate_percentage, measures.field("calculatePct"), pa.string())
    return table_of(
        tables.BASELINE_MEASUREMENTS,
        len(values),
        {
            "id": stable_ids("baseline_measurements", nct_id, measure, klass, category, ordinal),
            "nct_id": nct_id,
            "measure_ordinal": measure,
            "class_ordinal": klass,
            "category_ordinal": category,
            "ordinal": ordinal,
            "result_group_id": _groups(module).linked(values.study, code),
            "ctgov_group_code": code,
            "classification": rows.classes.field("title").take(rows.klass),
            "category": rows.categories.field("title").take(rows.category),
            **{c: measures.field(k).take(rows.measure) for c, k in _MEASURE_FIELDS.items()},
            **measurement_columns(values),
            "number_analyzed": number_analyzed(rows, units),
            "number_analyzed_units": units.take(rows.measure),
            "calculate_percentage": percentage.take(rows.measure),
        },
    )


TABLE_BUILDERS = {
    tables.BASELINE_COUNTS: baseline_counts,
    tables.BASELINE_MEASURES: baseline_measures,
    tables.BASELINE_CLASSES: baseline_classes,
    tables.BASELINE_CATEGORIES: baseline_categories,
    tables.BASELINE_MEASURE_DENOMS: baseline_measure_denoms,
    tables.BASELINE_MEASUREMENTS: baseline_measurements,
}
