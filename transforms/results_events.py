"""Adverse events: module scalars, event terms, per-group counts and per-group totals."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import results as tables
from transforms._ids import stable_ids
from transforms.batch import Level, table_of
from transforms.columns import constant, taken
from transforms.results_common import (
    EVENT,
    EVENTS_MODULE,
    given_objects,
    integers,
    module_group_index,
    stacked,
)

# AACT's event_type literal for each list of terms.
EVENT_LISTS = (("serious", "seriousEvents"), ("other", "otherEvents"))
_EVENT_PATHS = tuple((event_type, f"{EVENTS_MODULE}.{key}") for event_type, key in EVENT_LISTS)

# reported_event_totals: (event_type, classification, key prefix in EventGroup), AACT's literals.
TOTALS = (
    ("deaths", "Total, all-cause mortality", "deaths"),
    ("serious", "Total, serious adverse events", "serious"),
    ("other", "Total, other adverse events", "other"),
)
# An adverse event term's columns, from its fields.
_TERM_FIELDS = (
    ("adverse_event_term", "term"),
    ("organ_system", "organSystem"),
    ("vocab", "sourceVocabulary"),
    ("assessment", "assessmentType"),
    ("notes", "notes"),
)


def adverse_events_modules(studies: Level) -> pa.Table:
    """One row of the module's own scalars for a study with an adverse events module."""
    keys = ("frequencyThreshold", "timeFrame", "description", "allCauseMortalityComment")
    modules = given_objects(studies, EVENTS_MODULE, keys)
    nct_id = modules.nct_id
    return table_of(
        tables.ADVERSE_EVENTS_MODULES,
        len(modules),
        {
            "id": stable_ids("adverse_events_modules", nct_id),
            "nct_id": nct_id,
            "frequency_threshold": modules.field("frequencyThreshold"),
            "time_frame": modules.field("timeFrame"),
            "description": modules.field("description"),
            "all_cause_mortality_comment": modules.field("allCauseMortalityComment"),
        },
    )


def _term_columns(events: Level) -> dict[str, pa.Array]:
    """A term's own columns, one row per term."""
    return {column: events.field(key) for column, key in _TERM_FIELDS}


def _term_part(event_type: str, events: Level) -> dict[str, Any]:
    """The terms' columns, with their study and AACT's event type."""
    return {
        "study": events.study,
        "event_type": constant(event_type, len(events), pa.string()),
        **_term_columns(events),
    }


def adverse_events(studies: Level) -> pa.Table:
    """One row per serious or other adverse event term (kept even when it lists no stats)."""
    parts = []
    for event_type, path in _EVENT_PATHS:
        events = studies.each(path)
        parts.append({**_term_part(event_type, events), "ordinal": events.ordinal})
    rows = stacked(parts)
    nct_id = studies.nct_ids.take(rows.pop("study"))
    return table_of(
        tables.ADVERSE_EVENTS,
        len(nct_id),
        {
            "id": stable_ids("adverse_events", nct_id, rows["event_type"], rows["ordinal"]),
            "nct_id": nct_id,
            **rows,
        },
    )


def _stats_part(event_type: str, events: Level, first_term: int) -> dict[str, Any]:
    """A list's group counts; `term` is each one's term, counted across both lists."""
    stats = events.each("stats")
    return {
        "study": stats.study,
        "event_type": constant(event_type, len(stats), pa.string()),
        "term": pc.add(stats.parent_row, first_term),
        "event_ordinal": stats.parents(0),
        "ordinal": stats.ordinal,
        "ctgov_group_code": stats.field("groupId"),
        "subjects_affected": stats.field("numAffected"),
        "subjects_at_risk": stats.field("numAtRisk"),
        "event_count": stats.field("numEvents"),
    }


def reported_events(studies: Level) -> pa.Table:
    """One row per group count of each term (AACT `reported_events`)."""
    parts, terms, first_term = [], [], 0
    for event_type, path in _EVENT_PATHS:
        events = studies.each(path)
        parts.append(_stats_part(event_type, events, first_term))
        terms.append(_term_columns(events))
        first_term += len(events)
    rows = stacked(parts)
    study = rows.pop("study")
    # The terms' texts are copied to the rows once, after the rows are in order.
    term = rows.pop("term")
    for column in terms[0]:
        rows[column] = taken([part[column] for part in terms], term)
    nct_id = studies.nct_ids.take(study)
    group = module_group_index(studies, EVENT)

    def module(key: str) -> pa.Array:
        return studies.field(f"{EVENTS_MODULE}.{key}")

    ids = stable_ids(
        "reported_events", nct_id, rows["event_type"], rows["event_ordinal"], rows["ordinal"]
    )
    return table_of(
        tables.REPORTED_EVENTS,
        len(nct_id),
        {
            "id": ids,
            "nct_id": nct_id,
            **rows,
            "result_group_id": group.linked(study, rows["ctgov_group_code"]),
            # The module's fields, parsed once per study.
            "time_frame": module("timeFrame").take(study),
            "description": module("description").take(study),
            "frequency_threshold": integers(module("frequencyThreshold")).take(study),
            "default_vocab": None,
            "default_assessment": None,
        },
    )


def reported_event_totals(studies: Level) -> pa.Table:
    """Three rows per event group: deaths, serious and other totals (AACT's literals)."""
    groups = studies.each(f"{EVENTS_MODULE}.eventGroups")
    parts = [
        {
            "study": groups.study,
            "ordinal": groups.ordinal,
            "event_type": constant(event_type, len(groups), pa.string()),
            "ctgov_group_code": groups.field("id"),
            "classification": constant(classification, len(groups), pa.string()),
            "subjects_affected": groups.field(f"{prefix}NumAffected"),
            "subjects_at_risk": groups.field(f"{prefix}NumAtRisk"),
        }
        for event_type, classification, prefix in TOTALS
    ]
    rows = stacked(parts, by=("ordinal",))
    study = rows.pop("study")
    nct_id = studies.nct_ids.take(study)
    group = module_group_index(studies, EVENT)
    return table_of(
        tables.REPORTED_EVENT_TOTALS,
        len(nct_id),
        {
            "id": stable_ids("reported_event_totals", nct_id, rows["ordinal"], rows["event_type"]),
            "nct_id": nct_id,
            **rows,
            "result_group_id": group.linked(study, rows["ctgov_group_code"]),
        },
    )


TABLE_BUILDERS = {
    tables.ADVERSE_EVENTS_MODULES: adverse_events_modules,
    tables.ADVERSE_EVENTS: adverse_events,
    tables.REPORTED_EVENTS: reported_events,
    tables.REPORTED_EVENT_TOTALS: reported_event_totals,
}
