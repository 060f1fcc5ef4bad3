"""Rows for the results family; `BUILDERS` maps every results table to its row function.

Result groups, denominators and the more-info tables are built here; flow, baseline, outcome and
adverse-event rows in the `results_flow`, `results_baseline`, `results_outcomes` and
`results_events` modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from schemas.table import Table
from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, items
from transforms.results_common import (
    BASELINE,
    BASELINE_MODULE,
    EVENT,
    EVENTS_MODULE,
    FLOW,
    FLOW_MODULE,
    MORE_INFO,
    OUTCOME,
    OUTCOME_MEASURES,
    Item,
    Row,
    group_ids,
    outcome_id,
    unkeyed_group_ids,
)

_MODULE_GROUPS = (
    (FLOW, f"{FLOW_MODULE}.groups"),
    (BASELINE, f"{BASELINE_MODULE}.groups"),
    (EVENT, f"{EVENTS_MODULE}.eventGroups"),
)


def _group_rows(
    nct_id: str, result_type: str, groups: Sequence[Any], outcome_ordinal: int = NO_POSITION
) -> list[Row]:
    """One row per group of a context.

    The first group with each code gets the code-keyed id (what child rows link to); the others
    get a positional one.
    """
    if not groups:  # most studies have no results: skip deriving the id prefixes
        return []
    keyed = group_ids(nct_id, result_type, outcome_ordinal)
    unkeyed = unkeyed_group_ids(nct_id, result_type, outcome_ordinal)
    seen: set[str] = set()
    parent = None if outcome_ordinal == NO_POSITION else outcome_id(nct_id, outcome_ordinal)
    rows: list[Row] = []
    for g, group in items(groups):
        code = group.get("id")
        if isinstance(code, str) and code not in seen:
            seen.add(code)
            row_id = keyed(code)
        else:
            row_id = unkeyed(g)
        rows.append(
            {
                "id": row_id,
                "nct_id": nct_id,
                "result_type": result_type,
                "outcome_ordinal": outcome_ordinal,
                "ordinal": g,
                "ctgov_group_code": code,
                "title": group.get("title"),
                "description": group.get("description"),
                "outcome_id": parent,
            }
        )
    return rows


def result_group_rows(study: Record, nct_id: str) -> list[Row]:
    """Flow, baseline and event groups once each; outcome groups once per outcome (with outcome_id).

    The id is keyed by (result_type, outcome position, code), the same recipe every child row uses
    for result_group_id, so a child can only link to a group of its own context.
    """
    rows: list[Row] = []
    for result_type, path in _MODULE_GROUPS:
        rows += _group_rows(nct_id, result_type, get_list(study, path))
    for o, outcome in items(get_list(study, OUTCOME_MEASURES)):
        rows += _group_rows(nct_id, OUTCOME, get_list(outcome, "groups"), o)
    return rows


# (result_type, scope, outcome position, measure position, class position, owner of the denoms)
_DenomOwner = tuple[str, str, int, int, int, Item]


def _denom_owners(study: Record) -> Iterator[_DenomOwner]:
    yield (
        BASELINE,
        "overall",
        NO_POSITION,
        NO_POSITION,
        NO_POSITION,
        get_dict(study, BASELINE_MODULE),
    )
    for i, measure in items(get_list(study, f"{BASELINE_MODULE}.measures")):
        yield BASELINE, "measure", NO_POSITION, i, NO_POSITION, measure
        for c, klass in items(get_list(measure, "classes")):
            yield BASELINE, "class", NO_POSITION, i, c, klass
    for o, outcome in items(get_list(study, OUTCOME_MEASURES)):
        yield OUTCOME, "Measure", o, NO_POSITION, NO_POSITION, outcome
        for c, klass in items(get_list(outcome, "classes")):
            yield OUTCOME, "Class", o, NO_POSITION, c, klass


def result_denom_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per denominator of the baseline and outcome results, at every level."""
    rows: list[Row] = []
    for result_type, scope, o, i, c, owner in _denom_owners(study):
        denoms = items(get_list(owner, "denoms"))
        if not denoms:
            continue
        ids = id_maker("result_denoms", nct_id, result_type, o, i, c)
        parent = None if o == NO_POSITION else outcome_id(nct_id, o)
        rows += [
            {
                "id": ids(d),
                "nct_id": nct_id,
                "result_type": result_type,
                "scope": scope,
                "outcome_ordinal": o,
                "measure_ordinal": i,
                "class_ordinal": c,
                "ordinal": d,
                "outcome_id": parent,
                "units": denom.get("units"),
            }
            for d, denom in denoms
        ]
    return rows


def result_agreement_rows(study: Record, nct_id: str) -> list[Row]:
    """The results-disclosure agreement, when given (AACT's `agreement` has no v2 source)."""
    agreement = get_dict(study, f"{MORE_INFO}.certainAgreement")
    if not agreement:
        return []
    return [
        {
            "id": stable_id("result_agreements", nct_id),
            "nct_id": nct_id,
            "pi_employee": agreement.get("piSponsorEmployee"),
            "agreement": None,
            "restriction_type": agreement.get("restrictionType"),
            "other_details": agreement.get("otherDetails"),
            "restrictive_agreement": agreement.get("restrictiveAgreement"),
        }
    ]


def result_contact_rows(study: Record, nct_id: str) -> list[Row]:
    """The results point of contact, when given; AACT's `name` holds its `title`."""
    contact = get_dict(study, f"{MORE_INFO}.pointOfContact")
    if not contact:
        return []
    return [
        {
            "id": stable_id("result_contacts", nct_id),
            "nct_id": nct_id,
            "organization": contact.get("organization"),
            "name": contact.get("title"),
            "phone": contact.get("phone"),
            "email": contact.get("email"),
            "extension": contact.get("phoneExt"),
        }
    ]


# The other results tables are built in results_flow, results_baseline, results_outcomes and
# results_events.
BUILDERS: dict[Table, Callable[[Record, str], list[dict[str, Any]]]] = {
    tables.RESULT_GROUPS: result_group_rows,
    tables.RESULT_DENOMS: result_denom_rows,
    tables.RESULT_AGREEMENTS: result_agreement_rows,
    tables.RESULT_CONTACTS: result_contact_rows,
}
