"""Rows for the participant flow: the module row, periods, milestones and drop/withdraw reasons."""

from __future__ import annotations

from collections.abc import Iterator

from schemas.tables import results as tables
from transforms._ids import stable_id
from transforms._json import Record, get_dict, get_list, items
from transforms.results_common import (
    FLOW,
    FLOW_MODULE,
    GroupLinks,
    Item,
    Row,
    count_fields,
    group_links,
    to_int,
)


def participant_flow_rows(study: Record, nct_id: str) -> list[Row]:
    """One row for a study that has a participant flow module."""
    module = get_dict(study, FLOW_MODULE)
    if not module:
        return []
    return [
        {
            "id": stable_id("participant_flows", nct_id),
            "nct_id": nct_id,
            "recruitment_details": module.get("recruitmentDetails"),
            "pre_assignment_details": module.get("preAssignmentDetails"),
            "units_analyzed": module.get("typeUnitsAnalyzed"),
        }
    ]


def _periods(study: Record) -> list[tuple[int, Item]]:
    return items(get_list(study, f"{FLOW_MODULE}.periods"))


def flow_period_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per flow period."""
    return [
        {
            "id": stable_id("flow_periods", nct_id, p),
            "nct_id": nct_id,
            "ordinal": p,
            "period": period.get("title"),
        }
        for p, period in _periods(study)
    ]


def _period_items(study: Record, key: str) -> Iterator[tuple[int, Item, int, Item]]:
    for p, period in _periods(study):
        for i, item in items(get_list(period, key)):
            yield p, period, i, item


def flow_milestone_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per milestone of each period (kept even when it lists no group counts)."""
    return [
        {
            "id": stable_id("flow_milestones", nct_id, p, m),
            "nct_id": nct_id,
            "period_ordinal": p,
            "ordinal": m,
            "title": milestone.get("type"),
            "milestone_description": milestone.get("comment"),
        }
        for p, _, m, milestone in _period_items(study, "milestones")
    ]


def flow_drop_withdraw_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per drop/withdraw reason type of each period."""
    return [
        {
            "id": stable_id("flow_drop_withdraws", nct_id, p, d),
            "nct_id": nct_id,
            "period_ordinal": p,
            "ordinal": d,
            "reason": drop.get("type"),
            "drop_withdraw_comment": drop.get("comment"),
        }
        for p, _, d, drop in _period_items(study, "dropWithdraws")
    ]


def _flow_stats(stats: Item, group: GroupLinks) -> Row:
    """The per-group FlowStats columns shared by milestones and drop_withdrawals."""
    code = stats.get("groupId")
    return {
        "result_group_id": group(code),
        "ctgov_group_code": code,
        **count_fields(stats.get("numSubjects")),
        "count_units": to_int(stats.get("numUnits")),
        "count_units_raw": stats.get("numUnits"),
    }


def milestone_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of each milestone (AACT `milestones`)."""
    group = group_links(study, nct_id, FLOW)
    return [
        {
            "id": stable_id("milestones", nct_id, p, m, a),
            "nct_id": nct_id,
            "period_ordinal": p,
            "milestone_ordinal": m,
            "ordinal": a,
            **_flow_stats(achievement, group),
            "title": milestone.get("type"),
            "period": period.get("title"),
            # v2 names the per-group note `comment`; AACT reads `description` and gets NULL.
            "description": achievement.get("comment"),
            "milestone_description": milestone.get("comment"),
        }
        for p, period, m, milestone in _period_items(study, "milestones")
        for a, achievement in items(get_list(milestone, "achievements"))
    ]


def drop_withdrawal_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of each drop/withdraw reason (AACT `drop_withdrawals`)."""
    group = group_links(study, nct_id, FLOW)
    return [
        {
            "id": stable_id("drop_withdrawals", nct_id, p, d, r),
            "nct_id": nct_id,
            "period_ordinal": p,
            "drop_withdraw_ordinal": d,
            "ordinal": r,
            **_flow_stats(reason, group),
            "period": period.get("title"),
            "reason": drop.get("type"),
            "drop_withdraw_comment": drop.get("comment"),
            "reason_comment": reason.get("comment"),
        }
        for p, period, d, drop in _period_items(study, "dropWithdraws")
        for r, reason in items(get_list(drop, "reasons"))
    ]


BUILDERS = {
    tables.PARTICIPANT_FLOWS: participant_flow_rows,
    tables.FLOW_PERIODS: flow_period_rows,
    tables.FLOW_MILESTONES: flow_milestone_rows,
    tables.MILESTONES: milestone_rows,
    tables.FLOW_DROP_WITHDRAWS: flow_drop_withdraw_rows,
    tables.DROP_WITHDRAWALS: drop_withdrawal_rows,
}
