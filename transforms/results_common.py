"""Shared pieces of the results family: result-group linkage, number parsing, list walking.

Linkage is the point (AACT issue #1209): a row's `result_group_id` is computed from its own
`ctgov_group_code` and context with the same recipe as `result_groups.id`, so it can only name the
group of the same module and, for outcome rows, of the same outcome.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from schemas.tables.results import NO_POSITION
from transforms._ids import id_maker
from transforms._json import get_list, items

Row = dict[str, Any]
Item = Mapping[str, Any]

FLOW: Final = "Participant Flow"
BASELINE: Final = "Baseline"
OUTCOME: Final = "Outcome"
EVENT: Final = "Reported Event"

RESULTS = "resultsSection"
FLOW_MODULE = f"{RESULTS}.participantFlowModule"
BASELINE_MODULE = f"{RESULTS}.baselineCharacteristicsModule"
OUTCOME_MEASURES = f"{RESULTS}.outcomeMeasuresModule.outcomeMeasures"
EVENTS_MODULE = f"{RESULTS}.adverseEventsModule"
MORE_INFO = f"{RESULTS}.moreInfoModule"

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL = re.compile(rf"^\s*{_NUMBER}\s*$")
# An optional 'p', a comparison sign, then a plain number: '<0.001', '< .05', '≤0.05', 'p=0.2'.
_P_VALUE = re.compile(rf"^\s*(?:[pP]\s*)?(<=|>=|=<|=>|≤|≥|<|>|=)?\s*({_NUMBER})\s*$")


def to_int(raw: Any) -> int | None:
    """An integer from registry text such as '12' (counts are strings in v2); else None.

    Text like '1,234' or 'NA' is not guessed at: the raw column keeps it.
    """
    if isinstance(raw, str) and _INTEGER.match(raw):
        return int(raw)
    return None


def to_float(raw: Any) -> float | None:
    """A finite float from registry text such as '-5.22' or '1e-4'; else None.

    Stricter than Python's float(): 'NA', 'nan', 'inf', '26,300' and ranges give None, as AACT's
    Float() conversion does for everything but plain numbers.
    """
    if not isinstance(raw, str) or not _DECIMAL.match(raw):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def p_value_parts(raw: Any) -> tuple[str | None, float | None]:
    """(modifier, p-value) from the registry's pValue text, e.g. '<0.001' → ('<', 0.001).

    AACT splits the same way (modifier = the sign, p_value = the number). Text that is not an
    optional sign plus a plain number ('NA', '0.05*', 'see text') gives (None, None); the raw text
    is kept in p_value_raw.
    """
    if not isinstance(raw, str):
        return None, None
    match = _P_VALUE.match(raw)
    if match is None:
        return None, None
    value = float(match.group(2))
    return match.group(1), value if math.isfinite(value) else None


def outcome_ids(nct_id: str) -> Callable[[object], int]:
    """outcomes.id (the FK every outcome child row carries) by outcome position, for one study."""
    return id_maker("outcomes", nct_id)


def outcome_id(nct_id: str, outcome_ordinal: int) -> int:
    """outcomes.id of the outcome at `outcome_ordinal`."""
    return outcome_ids(nct_id)(outcome_ordinal)


def group_ids(nct_id: str, result_type: str, outcome_ordinal: int) -> Callable[[object], int]:
    """result_groups.id by group code in one context (the one recipe for id and FK)."""
    return id_maker("result_groups", nct_id, result_type, outcome_ordinal)


def group_id(nct_id: str, result_type: str, outcome_ordinal: int, code: str) -> int:
    """result_groups.id of the group with `code` in a context."""
    return group_ids(nct_id, result_type, outcome_ordinal)(code)


def unkeyed_group_ids(
    nct_id: str, result_type: str, outcome_ordinal: int
) -> Callable[[object], int]:
    """result_groups.id by position for groups with no code, or a code already used in the context.

    One part more than `group_ids`'s recipe, so it never equals a code-keyed id.
    """
    return id_maker("result_groups", nct_id, result_type, outcome_ordinal, None)


def unkeyed_group_id(nct_id: str, result_type: str, outcome_ordinal: int, position: int) -> int:
    """result_groups.id of the group at `position` when its code can't key it."""
    return unkeyed_group_ids(nct_id, result_type, outcome_ordinal)(position)


class GroupLinks:
    """The result groups of one context (a module, or one outcome): code → result_groups.id."""

    def __init__(
        self,
        nct_id: str,
        result_type: str,
        groups: Sequence[Any],
        outcome_ordinal: int = NO_POSITION,
    ) -> None:
        self.ids: dict[str, int] = {}
        if not groups:
            return
        ids = group_ids(nct_id, result_type, outcome_ordinal)
        for _, group in items(groups):
            code = group.get("id")
            if isinstance(code, str) and code not in self.ids:
                self.ids[code] = ids(code)

    def __call__(self, code: Any) -> int | None:
        """The linked group's id, or None when the context has no group with this code."""
        return self.ids.get(code) if isinstance(code, str) else None


def group_links(study: Mapping[str, Any], nct_id: str, result_type: str) -> GroupLinks:
    """Links to a module's groups (flow, baseline or event groups)."""
    return GroupLinks(nct_id, result_type, get_list(study, _GROUPS[result_type]))


_GROUPS = {
    FLOW: f"{FLOW_MODULE}.groups",
    BASELINE: f"{BASELINE_MODULE}.groups",
    EVENT: f"{EVENTS_MODULE}.eventGroups",
}


def outcome_links(nct_id: str, outcome_ordinal: int, outcome: Item) -> GroupLinks:
    """Links to one outcome's own groups (each outcome has its own OG000, OG001, ...)."""
    return GroupLinks(nct_id, OUTCOME, get_list(outcome, "groups"), outcome_ordinal)


def measurements(measure: Item) -> Iterator[tuple[int, Item, int, Item, int, Item]]:
    """(class position, class, category position, category, position, measurement) of a measure."""
    for c, klass in items(get_list(measure, "classes")):
        for k, category in items(get_list(klass, "categories")):
            for m, measurement in items(get_list(category, "measurements")):
                yield c, klass, k, category, m, measurement


def denom_counts(denoms: Sequence[Any]) -> Iterator[tuple[int, Item, int, Item]]:
    """(denom position, denom, count position, count) of a denoms list."""
    for d, denom in items(denoms):
        for n, count in items(get_list(denom, "counts")):
            yield d, denom, n, count


def count_fields(raw: Any) -> Row:
    """`count` (integer) and `count_raw` (text as given) for a registry count string."""
    return {"count": to_int(raw), "count_raw": raw}


def measurement_values(value: Item) -> Row:
    """The value columns of a Measurement (baseline and outcome measurements alike)."""
    return {
        "param_value": value.get("value"),
        "param_value_num": to_float(value.get("value")),
        "dispersion_value": value.get("spread"),
        "dispersion_value_num": to_float(value.get("spread")),
        "dispersion_lower_limit": to_float(value.get("lowerLimit")),
        "dispersion_upper_limit": to_float(value.get("upperLimit")),
        "dispersion_lower_limit_raw": value.get("lowerLimit"),
        "dispersion_upper_limit_raw": value.get("upperLimit"),
        "explanation_of_na": value.get("comment"),
    }
