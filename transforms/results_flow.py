"""The participant flow: the module row, periods, milestones and drop/withdraw reasons."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from schemas.tables import results as tables
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.results_common import (
    FLOW,
    FLOW_MODULE,
    GroupIndex,
    each_with_parent,
    given_objects,
    integers,
    module_group_index,
)


def participant_flows(studies: Level) -> pa.Table:
    """One row for a study that has a participant flow module."""
    keys = ("recruitmentDetails", "preAssignmentDetails", "typeUnitsAnalyzed")
    flows = given_objects(studies, FLOW_MODULE, keys)
    nct_id = flows.nct_id
    return table_of(
        tables.PARTICIPANT_FLOWS,
        len(flows),
        {
            "id": stable_ids("participant_flows", nct_id),
            "nct_id": nct_id,
            "recruitment_details": flows.field("recruitmentDetails"),
            "pre_assignment_details": flows.field("preAssignmentDetails"),
            "units_analyzed": flows.field("typeUnitsAnalyzed"),
        },
    )


def _periods(studies: Level) -> Level:
    return studies.each(f"{FLOW_MODULE}.periods")


def flow_periods(studies: Level) -> pa.Table:
    """One row per flow period."""
    periods = _periods(studies)
    nct_id = periods.nct_id
    return table_of(
        tables.FLOW_PERIODS,
        len(periods),
        {
            "id": stable_ids("flow_periods", nct_id, periods.ordinal),
            "nct_id": nct_id,
            "ordinal": periods.ordinal,
            "period": periods.field("title"),
        },
    )


def _period_items(table: str, items: Level) -> dict[str, Any]:
    """Keys of a period's milestone or drop/withdraw reason type (`items`)."""
    nct_id = items.nct_id
    period = items.parents(0)
    return {
        "id": stable_ids(table, nct_id, period, items.ordinal),
        "nct_id": nct_id,
        "period_ordinal": period,
        "ordinal": items.ordinal,
    }


def flow_milestones(studies: Level) -> pa.Table:
    """One row per milestone of each period (kept even when it lists no group counts)."""
    milestones = _periods(studies).each("milestones")
    return table_of(
        tables.FLOW_MILESTONES,
        len(milestones),
        {
            **_period_items("flow_milestones", milestones),
            "title": milestones.field("type"),
            "milestone_description": milestones.field("comment"),
        },
    )


def flow_drop_withdraws(studies: Level) -> pa.Table:
    """One row per drop/withdraw reason type of each period."""
    drops = _periods(studies).each("dropWithdraws")
    return table_of(
        tables.FLOW_DROP_WITHDRAWS,
        len(drops),
        {
            **_period_items("flow_drop_withdraws", drops),
            "reason": drops.field("type"),
            "drop_withdraw_comment": drops.field("comment"),
        },
    )


def _group_counts(
    studies: Level, items: str, counts: str
) -> tuple[Level, pa.Array, pa.Array, pa.Array]:
    """Each period item's per-group counts, and each count's period title, item type and comment."""
    periods = _periods(studies)
    parents, period_of = each_with_parent(periods, items)
    stats, parent_of = each_with_parent(parents, counts)
    period_title = periods.field("title").take(period_of).take(parent_of)
    item_type, comment = (parents.field(key).take(parent_of) for key in ("type", "comment"))
    return stats, period_title, item_type, comment


def _flow_stats(table: str, stats: Level, group: GroupIndex) -> dict[str, Any]:
    """Keys and the per-group FlowStats columns shared by milestones and drop_withdrawals."""
    nct_id = stats.nct_id
    period, item, position = stats.ordinals
    code = stats.field("groupId")
    subjects, units = stats.field("numSubjects"), stats.field("numUnits")
    return {
        "id": stable_ids(table, nct_id, period, item, position),
        "nct_id": nct_id,
        "period_ordinal": period,
        "ordinal": position,
        "result_group_id": group.linked(stats.study, code),
        "ctgov_group_code": code,
        "count": integers(subjects),
        "count_raw": subjects,
        "count_units": integers(units),
        "count_units_raw": units,
    }


def milestones(studies: Level) -> pa.Table:
    """One row per group count of each milestone (AACT `milestones`)."""
    stats, period, title, comment = _group_counts(studies, "milestones", "achievements")
    columns = _flow_stats("milestones", stats, module_group_index(studies, FLOW))
    return table_of(
        tables.MILESTONES,
        len(stats),
        {
            **columns,
            "milestone_ordinal": stats.parents(1),
            "title": title,
            "period": period,
            # v2 names the per-group note `comment`; AACT reads `description` and gets NULL.
            "description": stats.field("comment"),
            "milestone_description": comment,
        },
    )


def drop_withdrawals(studies: Level) -> pa.Table:
    """One row per group count of each drop/withdraw reason (AACT `drop_withdrawals`)."""
    stats, period, reason, comment = _group_counts(studies, "dropWithdraws", "reasons")
    columns = _flow_stats("drop_withdrawals", stats, module_group_index(studies, FLOW))
    return table_of(
        tables.DROP_WITHDRAWALS,
        len(stats),
        {
            **columns,
            "drop_withdraw_ordinal": stats.parents(1),
            "period": period,
            "reason": reason,
            "drop_withdraw_comment": comment,
            "reason_comment": stats.field("comment"),
        },
    )


TABLE_BUILDERS = {
    tables.PARTICIPANT_FLOWS: participant_flows,
    tables.FLOW_PERIODS: flow_periods,
    tables.FLOW_MILESTONES: flow_milestones,
    tables.MILESTONES: milestones,
    tables.FLOW_DROP_WITHDRAWS: flow_drop_withdraws,
    tables.DROP_WITHDRAWALS: drop_withdrawals,
}
