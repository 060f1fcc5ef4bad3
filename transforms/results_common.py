"""Shared pieces of the results family: result-group linkage, number parsing, list walking.

Linkage is the point (AACT issue #1209): a row's `result_group_id` is computed from its own
`ctgov_group_code` and context with the same recipe as `result_groups.id`, so it can only name the
group of the same module and, for outcome rows, of the same outcome.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables.results import NO_POSITION
from transforms._ids import stable_ids
from transforms.batch import Level
from transforms.columns import mapped, taken

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


_GROUPS = {
    FLOW: f"{FLOW_MODULE}.groups",
    BASELINE: f"{BASELINE_MODULE}.groups",
    EVENT: f"{EVENTS_MODULE}.eventGroups",
}


# --- batch (Arrow) pieces: see transforms.batch ---------------------------------------------------

_INT64 = (-(2**63), 2**63 - 1)


def _to_int64(raw: Any) -> int | None:
    value = to_int(raw)
    return value if value is not None and _INT64[0] <= value <= _INT64[1] else None


def integers(raw: pa.Array) -> pa.Array:
    """`to_int` of each registry count string, as int64 (null when not an integer).

    Counts are declared int32: `table_of` nulls and reports a value beyond that range. Text beyond
    int64 cannot reach it and becomes null here (the raw record keeps it).
    """
    return mapped(_to_int64, raw, pa.int64())


def nonempty(objects: pa.StructArray) -> pa.Array:
    """Whether each object is given with some key set: what `if get_dict(...)` tested on dicts.

    The Arrow record keeps only the spec's keys, so an object whose keys are all null or unknown
    counts as empty here.
    """
    # `flatten` gives each field with the object's own nulls applied.
    fields = [pc.is_valid(field) for field in objects.flatten()]
    return functools.reduce(pc.or_, fields) if fields else pc.is_valid(objects)


def given_objects(studies: Level, path: str, keys: Sequence[str]) -> Level:
    """One row per study whose object at `path` is `nonempty`, holding only the object's `keys`.

    Filtering only the wanted keys avoids copying the object's nested lists (a module's events).
    """
    objects = studies.field(path)
    fields = dict(zip(objects.type.names, objects.flatten(), strict=True))
    kept = pa.StructArray.from_arrays([fields[k] for k in keys], list(keys))
    mask = nonempty(objects)
    return Level(kept.filter(mask), studies.study.filter(mask), (), studies.nct_ids)


def each_with_parent(level: Level, path: str) -> tuple[Level, pa.Array]:
    """`level.each(path)`, and for each of its rows the index of the row of `level` it is under.

    The index takes any of the parent's columns down to the children (`title.take(parent)`).
    """
    children = level.each(path)
    return children, children.parent_row


def stacked(parts: Sequence[Mapping[str, pa.Array]], by: Sequence[str] = ()) -> dict[str, pa.Array]:
    """Row sets with the same columns (one being `study`) as one set of columns in study order.

    Within a study, rows are ordered by the `by` columns, then part by part, each part keeping
    its own order: every part is already in study order (as `Level.each` gives rows) and Arrow's
    sort is stable, so rows with equal keys keep the order they are concatenated in.
    """
    keys = {name: pa.concat_arrays([part[name] for part in parts]) for name in ("study", *by)}
    if by:
        order = pc.sort_indices(pa.table(keys), [(name, "ascending") for name in keys])
    else:
        order = pc.sort_indices(keys["study"])
    return {name: taken([part[name] for part in parts], order) for name in parts[0]}


def ids_where(mask: pa.Array, *parts: Any) -> pa.Array:
    """`stable_ids(*parts)` on the rows where `mask` is true, null on the others.

    Each part is a constant or a column of every row; only the chosen rows are hashed.
    """
    chosen = [p.filter(mask) if isinstance(p, pa.Array) else p for p in parts]
    return pc.replace_with_mask(pa.nulls(len(mask), pa.int64()), mask, stable_ids(*chosen))


def outcome_ids_of(nct_id: pa.Array, outcome: pa.Array) -> pa.Array:
    """outcomes.id of each row's outcome; null where the row is not inside one (NO_POSITION)."""
    return ids_where(pc.not_equal(outcome, NO_POSITION), "outcomes", nct_id, outcome)


def _context_keys(study: pa.Array, code: pa.Array, outcome: pa.Array | None) -> pa.Array:
    """One text per row for (study, [outcome position,] group code); null where code is null."""
    parts = [study.cast(pa.string())]
    if outcome is not None:
        parts.append(outcome.cast(pa.string()))
    return pc.binary_join_element_wise(*parts, code, "\x1f")


@dataclass(frozen=True)
class GroupIndex:
    """A batch's result groups of one result type: context and code -> code-keyed group id."""

    keys: pa.Array
    ids: pa.Array

    def linked(self, study: pa.Array, code: pa.Array, outcome: pa.Array | None = None) -> pa.Array:
        """`result_group_id` of rows with `code` in their own context; null where none matches.

        Args:
            study: Each row's study index (`Level.study`).
            code: Each row's group code.
            outcome: Each row's outcome position, for outcome rows (their context is the outcome).
        """
        found = pc.index_in(_context_keys(study, code, outcome), value_set=self.keys)
        return self.ids.take(found)


def group_index(groups: Level, result_type: str, outcome: pa.Array | None = None) -> GroupIndex:
    """Index of `groups`, the rows of every context's group list in a batch.

    Args:
        groups: The groups (a module's `groups`, or every outcome's).
        result_type: Their result type.
        outcome: For outcome groups, each group's outcome position.
    """
    code = groups.field("id")
    coded = pc.is_valid(code)
    if code.null_count:
        groups, code = groups.where(coded), code.filter(coded)
        outcome = None if outcome is None else outcome.filter(coded)
    context = NO_POSITION if outcome is None else outcome
    ids = stable_ids("result_groups", groups.nct_id, result_type, context, code)
    return GroupIndex(_context_keys(groups.study, code, outcome), ids)


def module_group_index(studies: Level, result_type: str) -> GroupIndex:
    """Index of a module's groups (flow, baseline or event groups) over the batch's studies.

    Built once per batch: every table of the module links to it.
    """
    return studies.shared(
        ("group_index", result_type),
        lambda: group_index(studies.each(_GROUPS[result_type]), result_type),
    )
