"""Rows for arms (design groups), interventions, their links, and planned outcome measures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.tables import arms as tables
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, items

Row = dict[str, Any]
_ARMS = "protocolSection.armsInterventionsModule"
_ARM_GROUPS = f"{_ARMS}.armGroups"
_INTERVENTIONS = f"{_ARMS}.interventions"
_OUTCOME_LISTS = (
    ("primary", "primaryOutcomes"),
    ("secondary", "secondaryOutcomes"),
    ("other", "otherOutcomes"),
)


def design_group_ids(nct_id: str) -> Callable[[object], int]:
    """`design_groups.id` (also the FK recipe of its children) by arm position, for one study."""
    return id_maker("design_groups", nct_id)


def design_group_id(nct_id: str, group_ordinal: int) -> int:
    """`design_groups.id` of the arm at `group_ordinal`."""
    return design_group_ids(nct_id)(group_ordinal)


def intervention_ids(nct_id: str) -> Callable[[object], int]:
    """`interventions.id` (the FK recipe too) by intervention position, for one study."""
    return id_maker("interventions", nct_id)


def intervention_id(nct_id: str, intervention_ordinal: int) -> int:
    """`interventions.id` of the intervention at `intervention_ordinal`."""
    return intervention_ids(nct_id)(intervention_ordinal)


def design_group_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per arm group: AACT's title is the registry's label."""
    ids = design_group_ids(nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "group_type": group.get("type"),
            "title": group.get("label"),
            "description": group.get("description"),
        }
        for i, group in items(get_list(study, _ARM_GROUPS))
    ]


def design_group_intervention_name_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per name in an arm's interventionNames, kept as given (type-prefixed)."""
    group_ids = design_group_ids(nct_id)
    rows: list[Row] = []
    for g, group in items(get_list(study, _ARM_GROUPS)):
        group_id = group_ids(g)
        rows += [
            {
                "id": stable_id("design_group_intervention_names", nct_id, g, i),
                "nct_id": nct_id,
                "design_group_ordinal": g,
                "ordinal": i,
                "design_group_id": group_id,
                "name": name,
            }
            for i, name in enumerate(get_list(group, "interventionNames"))
        ]
    return rows


def intervention_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per intervention."""
    ids = intervention_ids(nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "intervention_type": intervention.get("type"),
            "name": intervention.get("name"),
            "description": intervention.get("description"),
        }
        for i, intervention in items(get_list(study, _INTERVENTIONS))
    ]


def intervention_other_name_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per other name of an intervention."""
    parent_ids = intervention_ids(nct_id)
    rows: list[Row] = []
    for n, intervention in items(get_list(study, _INTERVENTIONS)):
        names = get_list(intervention, "otherNames")
        if not names:
            continue
        parent = parent_ids(n)
        rows += [
            {
                "id": stable_id("intervention_other_names", nct_id, n, i),
                "nct_id": nct_id,
                "intervention_ordinal": n,
                "ordinal": i,
                "intervention_id": parent,
                "name": name,
            }
            for i, name in enumerate(names)
        ]
    return rows


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
    group_ids = design_group_ids(nct_id)
    by_label = {label: group_ids(g) for label, g in _group_ordinals_by_label(module).items()}
    parent_ids = intervention_ids(nct_id)
    rows: list[Row] = []
    for n, intervention in items(get_list(module, "interventions")):
        parent = parent_ids(n)
        for i, label in enumerate(get_list(intervention, "armGroupLabels")):
            rows.append(
                {
                    "id": stable_id("design_group_interventions", nct_id, n, i),
                    "nct_id": nct_id,
                    "intervention_ordinal": n,
                    "ordinal": i,
                    "design_group_id": by_label.get(label) if isinstance(label, str) else None,
                    "intervention_id": parent,
                    "arm_group_label": label,
                }
            )
    return rows


def design_outcome_rows(study: Record, nct_id: str) -> list[Row]:
    """Primary, secondary and other planned outcomes, with AACT's lowercase outcome_type."""
    module = get_dict(study, "protocolSection.outcomesModule")
    rows: list[Row] = []
    for outcome_type, key in _OUTCOME_LISTS:
        outcomes = items(get_list(module, key))
        if not outcomes:
            continue
        ids = id_maker("design_outcomes", nct_id, outcome_type)
        rows += [
            {
                "id": ids(i),
                "nct_id": nct_id,
                "outcome_type": outcome_type,
                "ordinal": i,
                "measure": outcome.get("measure"),
                "time_frame": outcome.get("timeFrame"),
                "population": None,
                "description": outcome.get("description"),
            }
            for i, outcome in outcomes
        ]
    return rows


BUILDERS = {
    tables.DESIGN_GROUPS: design_group_rows,
    tables.DESIGN_GROUP_INTERVENTION_NAMES: design_group_intervention_name_rows,
    tables.INTERVENTIONS: intervention_rows,
    tables.INTERVENTION_OTHER_NAMES: intervention_other_name_rows,
    tables.DESIGN_GROUP_INTERVENTIONS: design_group_intervention_rows,
    tables.DESIGN_OUTCOMES: design_outcome_rows,
}
