"""Arms, interventions, the links between them, and the outcome measures a study plans to report.

AACT tables `design_groups`, `interventions`, `intervention_other_names`,
`design_group_interventions` and `design_outcomes`, plus `design_group_intervention_names`, which
keeps each arm's own list of intervention names (AACT drops it).
"""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Column, Table

_ARMS = "protocolSection.armsInterventionsModule"
_GROUPS = f"{_ARMS}.armGroups[]"
_INTERVENTIONS = f"{_ARMS}.interventions[]"
_OUTCOMES = "protocolSection.outcomesModule"
_OUTCOME_LISTS = ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")


def _outcome_source(key: str) -> str:
    return "|".join(f"{_OUTCOMES}.{name}[].{key}" for name in _OUTCOME_LISTS)


def _parent_ordinal(parent: str, source_list: str) -> Column:
    return Column(
        f"{parent}_ordinal",
        pa.int32(),
        f"0-based position of the parent item in {source_list}.",
        nullable=False,
    )


def _parent_id(name: str, parent_table: str, doc: str = "", *, nullable: bool = False) -> Column:
    return Column(
        name,
        pa.int64(),
        f"{parent_table}.id of the parent row (AACT join key).{doc}",
        nullable=nullable,
    )


DESIGN_GROUPS = Table(
    "design_groups",
    stable_id(),
    nct_id(),
    ordinal("0-based position in armGroups."),
    text(
        "group_type",
        f"{_GROUPS}.type",
        "ArmGroupType code (EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, ...).",
    ),
    text("title", f"{_GROUPS}.label", "Arm or group label, exactly as given."),
    text("description", f"{_GROUPS}.description", "Arm or group description."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per arm (interventional) or group (observational) of the study",
)

DESIGN_GROUP_INTERVENTION_NAMES = Table(
    "design_group_intervention_names",
    stable_id(),
    nct_id(),
    _parent_ordinal("design_group", "armGroups"),
    ordinal("0-based position in the arm's interventionNames."),
    _parent_id("design_group_id", "design_groups"),
    text(
        "name",
        f"{_GROUPS}.interventionNames[]",
        "Intervention name as the arm lists it, type-prefixed (e.g. 'Drug: Thiotepa').",
    ),
    primary_key=("nct_id", "design_group_ordinal", "ordinal"),
    grain="one row per intervention name listed by an arm (not in AACT)",
    doc=(
        "The arm-side view of the arm/intervention link; design_group_interventions holds the "
        "intervention-side view, which AACT uses."
    ),
)

INTERVENTIONS = Table(
    "interventions",
    stable_id(),
    nct_id(),
    ordinal("0-based position in interventions."),
    text(
        "intervention_type",
        f"{_INTERVENTIONS}.type",
        "InterventionType code (DRUG, DEVICE, BEHAVIORAL, PROCEDURE, ...).",
    ),
    text("name", f"{_INTERVENTIONS}.name", "Intervention name, without the type prefix."),
    text("description", f"{_INTERVENTIONS}.description", "Intervention description."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per intervention of the study",
)

INTERVENTION_OTHER_NAMES = Table(
    "intervention_other_names",
    stable_id(),
    nct_id(),
    _parent_ordinal("intervention", "interventions"),
    ordinal("0-based position in the intervention's otherNames."),
    _parent_id("intervention_id", "interventions"),
    text("name", f"{_INTERVENTIONS}.otherNames[]", "Other name (synonym, code, brand name)."),
    primary_key=("nct_id", "intervention_ordinal", "ordinal"),
    grain="one row per other name of an intervention",
)

DESIGN_GROUP_INTERVENTIONS = Table(
    "design_group_interventions",
    stable_id(),
    nct_id(),
    _parent_ordinal("intervention", "interventions"),
    ordinal("0-based position in the intervention's armGroupLabels."),
    _parent_id(
        "design_group_id",
        "design_groups",
        " The first arm group of the study whose title equals arm_group_label exactly (AACT's "
        "rule); NULL when no arm group has that label.",
        nullable=True,
    ),
    _parent_id("intervention_id", "interventions"),
    text(
        "arm_group_label",
        f"{_INTERVENTIONS}.armGroupLabels[]",
        "Arm group label as the intervention lists it (kept even when it matches no arm).",
    ),
    primary_key=("nct_id", "intervention_ordinal", "ordinal"),
    grain="one row per arm group label listed by an intervention",
)

DESIGN_OUTCOMES = Table(
    "design_outcomes",
    stable_id(),
    nct_id(),
    text(
        "outcome_type",
        None,
        "AACT classifier: 'primary', 'secondary' or 'other' (from primaryOutcomes, "
        "secondaryOutcomes, otherOutcomes).",
        nullable=False,
    ),
    ordinal("0-based position in its outcome list."),
    text("measure", _outcome_source("measure"), "Outcome measure title."),
    text("time_frame", _outcome_source("timeFrame"), "When the outcome is measured."),
    text(
        "population",
        None,
        "Always NULL: an AACT column with no source in the registry's planned outcomes (kept so "
        "AACT queries run).",
    ),
    text("description", _outcome_source("description"), "Outcome measure description."),
    primary_key=("nct_id", "outcome_type", "ordinal"),
    grain="one row per planned (registered) outcome measure",
)

TABLES = (
    DESIGN_GROUPS,
    DESIGN_GROUP_INTERVENTION_NAMES,
    INTERVENTIONS,
    INTERVENTION_OTHER_NAMES,
    DESIGN_GROUP_INTERVENTIONS,
    DESIGN_OUTCOMES,
)
