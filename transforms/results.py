"""Result groups, denominators and the more-info tables of the results family.

Flow, baseline, outcome and adverse-event tables are built in the `results_flow`,
`results_baseline`, `results_outcomes` and `results_events` modules.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import results as tables
from schemas.tables.results import NO_POSITION
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.columns import constant
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
    given_objects,
    ids_where,
    outcome_ids_of,
    stacked,
)

_MODULE_GROUPS = (
    (FLOW, f"{FLOW_MODULE}.groups"),
    (BASELINE, f"{BASELINE_MODULE}.groups"),
    (EVENT, f"{EVENTS_MODULE}.eventGroups"),
)


def _group_part(groups: Level, result_type: str, outcome: pa.Array) -> dict[str, pa.Array]:
    return {
        "study": groups.study,
        "result_type": constant(result_type, len(groups), pa.string()),
        "outcome_ordinal": outcome,
        "ordinal": groups.ordinal,
        "ctgov_group_code": groups.field("id"),
        "title": groups.field("title"),
        "description": groups.field("description"),
    }


def _first_of_code(rows: dict[str, pa.Array]) -> pa.Array:
    """Whether each group is the first with its code in its context (false without a code)."""
    code = rows["ctgov_group_code"]
    context = [rows[c].cast(pa.string()) for c in ("study", "result_type", "outcome_ordinal")]
    key = pc.binary_join_element_wise(*context, code, "\x1f")
    # index_in gives the position of a key's first occurrence in the value set.
    first = pc.equal(pc.index_in(key, value_set=key), pa.array(range(len(key)), pa.int32()))
    return pc.and_(pc.is_valid(code), pc.fill_null(first, False))


def result_groups(studies: Level) -> pa.Table:
    """Flow, baseline and event groups once each; outcome groups once per outcome (with outcome_id).

    The first group with each code in its context gets the code-keyed id, keyed by (result_type,
    outcome position, code): the same recipe every child row uses for result_group_id, so a child
    can only link to a group of its own context. The other groups get a positional id (one part
    more, so it never equals a code-keyed one).
    """
    parts = []
    for result_type, path in _MODULE_GROUPS:
        groups = studies.each(path)
        no_outcome = constant(NO_POSITION, len(groups), pa.int32())
        parts.append(_group_part(groups, result_type, no_outcome))
    groups = studies.each(OUTCOME_MEASURES).each("groups")
    parts.append(_group_part(groups, OUTCOME, groups.parents(0)))
    rows = stacked(parts)
    keyed = _first_of_code(rows)
    nct_id = studies.nct_ids.take(rows.pop("study"))
    context = ("result_groups", nct_id, rows["result_type"], rows["outcome_ordinal"])
    keyed_ids = ids_where(keyed, *context, rows["ctgov_group_code"])
    positional_ids = ids_where(pc.invert(keyed), *context, None, rows["ordinal"])
    return table_of(
        tables.RESULT_GROUPS,
        len(nct_id),
        {
            "id": pc.coalesce(keyed_ids, positional_ids),
            "nct_id": nct_id,
            **rows,
            "outcome_id": outcome_ids_of(nct_id, rows["outcome_ordinal"]),
        },
    )


_KEY_COLUMNS = ("outcome_ordinal", "measure_ordinal", "class_ordinal")


def _denom_part(
    denoms: Level, result_type: str, scope: str, depths: tuple[int, int, int]
) -> dict[str, pa.Array]:
    """Denominators of one kind of owner.

    `depths`: which of a denominator's list positions are its outcome, measure and class
    position (-1: not inside one, NO_POSITION in the key column).
    """
    n = len(denoms)
    keys = {
        column: constant(NO_POSITION, n, pa.int32()) if depth < 0 else denoms.parents(depth)
        for column, depth in zip(_KEY_COLUMNS, depths, strict=True)
    }
    return {
        "study": denoms.study,
        "result_type": constant(result_type, n, pa.string()),
        "scope": constant(scope, n, pa.string()),
        **keys,
        "ordinal": denoms.ordinal,
        "units": denoms.field("units"),
    }


def result_denoms(studies: Level) -> pa.Table:
    """One row per denominator of the baseline and outcome results, at every level.

    Per study, as listed: the baseline's own denominators, then each measure's followed by its
    classes', then each outcome's followed by its classes'.
    """
    measures = studies.each(f"{BASELINE_MODULE}.measures")
    outcomes = studies.each(OUTCOME_MEASURES)
    parts = [
        _denom_part(studies.each(f"{BASELINE_MODULE}.denoms"), BASELINE, "overall", (-1, -1, -1)),
        _denom_part(measures.each("denoms"), BASELINE, "measure", (-1, 0, -1)),
        _denom_part(measures.each("classes").each("denoms"), BASELINE, "class", (-1, 0, 1)),
        _denom_part(outcomes.each("denoms"), OUTCOME, "Measure", (0, -1, -1)),
        _denom_part(outcomes.each("classes").each("denoms"), OUTCOME, "Class", (0, -1, 1)),
    ]
    # Sorting by the key positions (-1 first) interleaves measures with their classes.
    rows = stacked(parts, by=_KEY_COLUMNS)
    nct_id = studies.nct_ids.take(rows.pop("study"))
    outcome, measure, klass = (rows[c] for c in _KEY_COLUMNS)
    ids = stable_ids(
        "result_denoms", nct_id, rows["result_type"], outcome, measure, klass, rows["ordinal"]
    )
    return table_of(
        tables.RESULT_DENOMS,
        len(nct_id),
        {"id": ids, "nct_id": nct_id, **rows, "outcome_id": outcome_ids_of(nct_id, outcome)},
    )


def result_agreements(studies: Level) -> pa.Table:
    """The results-disclosure agreement, when given (AACT's `agreement` has no v2 source)."""
    keys = ("piSponsorEmployee", "restrictionType", "otherDetails", "restrictiveAgreement")
    agreements = given_objects(studies, f"{MORE_INFO}.certainAgreement", keys)
    nct_id = agreements.nct_id
    return table_of(
        tables.RESULT_AGREEMENTS,
        len(agreements),
        {
            "id": stable_ids("result_agreements", nct_id),
            "nct_id": nct_id,
            "pi_employee": agreements.field("piSponsorEmployee"),
            "agreement": None,
            "restriction_type": agreements.field("restrictionType"),
            "other_details": agreements.field("otherDetails"),
            "restrictive_agreement": agreements.field("restrictiveAgreement"),
        },
    )


def result_contacts(studies: Level) -> pa.Table:
    """The results point of contact, when given; AACT's `name` holds its `title`."""
    keys = ("organization", "title", "phone", "email", "phoneExt")
    contacts = given_objects(studies, f"{MORE_INFO}.pointOfContact", keys)
    nct_id = contacts.nct_id
    return table_of(
        tables.RESULT_CONTACTS,
        len(contacts),
        {
            "id": stable_ids("result_contacts", nct_id),
            "nct_id": nct_id,
            "organization": contacts.field("organization"),
            "name": contacts.field("title"),
            "phone": contacts.field("phone"),
            "email": contacts.field("email"),
            "extension": contacts.field("phoneExt"),
        },
    )


# The other results tables are built in results_flow, results_baseline, results_outcomes and
# results_events.
TABLE_BUILDERS = {
    tables.RESULT_GROUPS: result_groups,
    tables.RESULT_DENOMS: result_denoms,
    tables.RESULT_AGREEMENTS: result_agreements,
    tables.RESULT_CONTACTS: result_contacts,
}
