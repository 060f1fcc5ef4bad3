"""Rows for arms (design groups), interventions, their links, and planned outcome measures."""

from __future__ import annotations

from typing import Any

from schemas.tables import arms as tables
from transforms._ids import stable_id
from transforms._json import Record, get_dict, get_list, items

Row = dict[str, Any]
_ARMS = "protocolSection.armsInterventionsModule"
_OUTCOME_LISTS = (
    ("primary", "primaryOutcomes"),
    ("secondary", "secondaryOutcomes"),
    ("other", "otherOutcomes"),
)


def design_group_id(nct_id: str, group_ordinal: int) -> int:
    """`design_groups.id` of the arm at `group_ordinal` (also the FK recipe of its children)."""
    return stable_id("design_groups", nct_id, group_ordinal)


def intervention_id(nct_id: str, intervention_ordinal: int) -> int:
    """`interventions.id` of the intervention at `intervention_ordinal` (the FK recipe too)."""
    return stable_id("interventions", nct_id, intervention_ordinal)


def design_group_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per arm group: AACT's title is the registry's label."""
    return [
        {
            "id": design_group_id(nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "group_type": group.get("type"),
            "title": group.get("label"),
            "description": group.get("description"),
        }
        for i, group in items(get_list(study, f"{_ARMS}.armGroups"))
    ]


def design_group_intervention_name_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per name in an arm's interventionNames, kept as given (type-prefixed)."""
    return [
        {
            "id": stable_id("design_group_intervention_names", nct_id, g, i),
            "nct_id": nct_id,
            "design_group_ordinal": g,
            "ordinal": i,
            "design_group_id": design_group_id(nct_id, g),
            "name": name,
        }
        for g, group in items(get_list(study, f"{_ARMS}.armGroups"))
        for i, name in enumerate(get_list(group, "interventionNames"))
    ]


def intervention_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per intervention."""
    return [
        {
            "id": intervention_id(nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "intervention_type": intervention.get("type"),
            "name": intervention.get("name"),
            "description": intervention.get("description"),
        }
        for i, intervention in items(get_list(study, f"{_ARMS}.interventions"))
    ]


def intervention_other_name_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per other name of an intervention."""
    return [
        {
            "id": stable_id("intervention_other_names", nct_id, n, i),
            "nct_id": nct_id,
            "intervention_ordinal": n,
            "ordinal": i,
            "intervention_id": intervention_id(nct_id, n),
            "name": name,
        }
        for n, intervention in items(get_list(study, f"{_ARMS}.interventions"))
        for i, name in enumerate(get_list(intervention, "otherNames"))
    ]


def _group_ordinals_by_label(module: Record) -> dict[str, int]:
    """Arm label → position of the first arm with that label (AACT looks up the first match)."""
    found: dict[str, int] = {}
    for i, group in items(get_list(module, "armGroups")):
        label = group.get("label")
        if isinstance(label, str):
            found.setdefault(label, i)
    return found


def design_group_intervention_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per arm group label an intervention lists, linked to the arm with that exact label.

    A label that matches no arm keeps its row with a NULL design_group_id: dropping it would
    hide a registry inconsistency instead of recording it.
    """
    module = get_dict(study, _ARMS)
    by_label = _group_ordinals_by_label(module)
    rows: list[Row] = []
    for n, intervention in items(get_list(module, "interventions")):
        for i, label in enumerate(get_list(intervention, "armGroupLabels")):
            group = by_label.get(label) if isinstance(label, str) else None
            rows.append(
                {
                    "id": stable_id("design_group_interventions", nct_id, n, i),
                    "nct_id": nct_id,
                    "intervention_ordinal": n,
                    "ordinal": i,
                    "design_group_id": None if group is None else design_group_id(nct_id, group),
                    "intervention_id": intervention_id(nct_id, n),
                    "arm_group_label": label,
                }
            )
    return rows


def design_outcome_rows(study: Record, nct_id: str) -> list[Row]:
    """Primary, secondary and other planned outcomes, with AACT's lowercase outcome_type."""
    module = get_dict(study, "protocolSection.outcomesModule")
    return [
        {
            "id": stable_id("design_outcomes", nct_id, outcome_type, i),
            "nct_id": nct_id,
            "outcome_type": outcome_type,
            "ordinal": i,
            "measure": outcome.get("measure"),
            "time_frame": outcome.get("timeFrame"),
            "population": None,
            "description": outcome.get("description"),
        }
        for outcome_type, key in _OUTCOME_LISTS
        for i, outcome in items(get_list(module, key))
    ]


BUILDERS = {
    tables.DESIGN_GROUPS: design_group_rows,
    tables.DESIGN_GROUP_INTERVENTION_NAMES: design_group_intervention_name_rows,
    tables.INTERVENTIONS: intervention_rows,
    tables.INTERVENTION_OTHER_NAMES: intervention_other_name_rows,
    tables.DESIGN_GROUP_INTERVENTIONS: design_group_intervention_rows,
    tables.DESIGN_OUTCOMES: design_outcome_rows,
}
