"""Tables for arms (design groups), interventions, their links, and planned outcome measures."""

from __future__ import annotations

import pyarrow as pa

from schemas.tables import arms as tables
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.conditions import stacked

_ARMS = "protocolSection.armsInterventionsModule"
_ARM_GROUPS = f"{_ARMS}.armGroups"
_INTERVENTIONS = f"{_ARMS}.interventions"
_OUTCOMES = "protocolSection.outcomesModule"
_OUTCOME_LISTS = (
    ("primary", "primaryOutcomes"),
    ("secondary", "secondaryOutcomes"),
    ("other", "otherOutcomes"),
)


def design_groups(studies: Level) -> pa.Table:
    """One row per arm group: AACT's title is the registry's label."""
    groups = studies.each(_ARM_GROUPS)
    nct_id = groups.nct_id
    return table_of(
        tables.DESIGN_GROUPS,
        len(groups),
        {
            "id": groups.ids("design_groups"),
            "nct_id": nct_id,
            "ordinal": groups.ordinal,
            "group_type": groups.field("type"),
            "title": groups.field("label"),
            "description": groups.field("description"),
        },
    )


def design_group_intervention_names(studies: Level) -> pa.Table:
    """One row per name in an arm's interventionNames, kept as given (type-prefixed)."""
    groups = studies.each(_ARM_GROUPS)
    names = groups.each("interventionNames", keep_nulls=True)
    nct_id = names.nct_id
    group_ordinal, ordinal = names.ordinals
    return table_of(
        tables.DESIGN_GROUP_INTERVENTION_NAMES,
        len(names),
        {
            "id": stable_ids("design_group_intervention_names", nct_id, group_ordinal, ordinal),
            "nct_id": nct_id,
            "design_group_ordinal": group_ordinal,
            "ordinal": ordinal,
            "design_group_id": groups.ids("design_groups").take(names.parent_row),
            "name": names.values,
        },
    )


def interventions(studies: Level) -> pa.Table:
    """One row per intervention."""
    found = studies.each(_INTERVENTIONS)
    nct_id = found.nct_id
    return table_of(
        tables.INTERVENTIONS,
        len(found),
        {
            "id": found.ids("interventions"),
            "nct_id": nct_id,
            "ordinal": found.ordinal,
            "intervention_type": found.field("type"),
            "name": found.field("name"),
            "description": found.field("description"),
        },
    )


def intervention_other_names(studies: Level) -> pa.Table:
    """One row per other name of an intervention."""
    found = studies.each(_INTERVENTIONS)
    names = found.each("otherNames", keep_nulls=True)
    nct_id = names.nct_id
    intervention_ordinal, ordinal = names.ordinals
    return table_of(
        tables.INTERVENTION_OTHER_NAMES,
        len(names),
        {
            "id": stable_ids("intervention_other_names", nct_id, intervention_ordinal, ordinal),
            "nct_id": nct_id,
            "intervention_ordinal": intervention_ordinal,
            "ordinal": ordinal,
            "intervention_id": found.ids("interventions").take(names.parent_row),
            "name": names.values,
        },
    )


def _group_ids_by_label(studies: Level) -> dict[tuple[int, str], int]:
    """(study, arm label) → `design_groups.id` of the first arm with that label (AACT's lookup)."""
    groups = studies.each(_ARM_GROUPS)
    found: dict[tuple[int, str], int] = {}
    for study, label, group_id in zip(
        groups.study.to_pylist(),
        groups.field("label").to_pylist(),
        groups.ids("design_groups").to_pylist(),
        strict=True,
    ):
        if label is not None:
            found.setdefault((study, label), group_id)
    return found


def design_group_interventions(studies: Level) -> pa.Table:
    """One row per arm group label an intervention lists, linked to the arm with that exact label.

    A label that matches no arm keeps its row with a NULL design_group_id: dropping it would
    hide a registry inconsistency instead of recording it.
    """
    found = studies.each(_INTERVENTIONS)
    labels = found.each("armGroupLabels", keep_nulls=True)
    by_label = _group_ids_by_label(studies)
    nct_id = labels.nct_id
    intervention_ordinal, ordinal = labels.ordinals
    return table_of(
        tables.DESIGN_GROUP_INTERVENTIONS,
        len(labels),
        {
            "id": stable_ids("design_group_interventions", nct_id, intervention_ordinal, ordinal),
            "nct_id": nct_id,
            "intervention_ordinal": intervention_ordinal,
            "ordinal": ordinal,
            "design_group_id": [
                by_label.get(key)
                for key in zip(labels.study.to_pylist(), labels.values.to_pylist(), strict=True)
            ],
            "intervention_id": found.ids("interventions").take(labels.parent_row),
            "arm_group_label": labels.values,
        },
    )


def design_outcomes(studies: Level) -> pa.Table:
    """Primary, secondary and other planned outcomes, with AACT's lowercase outcome_type."""
    parts = []
    for outcome_type, key in _OUTCOME_LISTS:
        outcomes = studies.each(f"{_OUTCOMES}.{key}")
        parts.append(
            (
                outcomes,
                {
                    "outcome_type": outcome_type,
                    "measure": outcomes.field("measure"),
                    "time_frame": outcomes.field("timeFrame"),
                    "description": outcomes.field("description"),
                },
            )
        )
    columns = stacked(parts)
    nct_id, ordinal = columns["nct_id"], columns["ordinal"]
    columns["id"] = stable_ids("design_outcomes", nct_id, columns["outcome_type"], ordinal)
    columns["population"] = None  # AACT column with no registry source
    return table_of(tables.DESIGN_OUTCOMES, len(nct_id), columns)


TABLE_BUILDERS = {
    tables.DESIGN_GROUPS: design_groups,
    tables.DESIGN_GROUP_INTERVENTION_NAMES: design_group_intervention_names,
    tables.INTERVENTIONS: interventions,
    tables.INTERVENTION_OTHER_NAMES: intervention_other_names,
    tables.DESIGN_GROUP_INTERVENTIONS: design_group_interventions,
    tables.DESIGN_OUTCOMES: design_outcomes,
}
