"""Adverse events: module scalars, event terms, per-group counts and per-group totals."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from schemas.tables import results as tables
from transforms.batch import Level, constant, table_of
from transforms.results_common import (
    EVENT,
    EVENTS_MODULE,
    each_with_parent,
    given_objects,
    integers,
    module_group_index,
    row_ids,
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
            "id": row_ids("adverse_events_modules", nct_id),
            "nct_id": nct_id,
            "frequency_threshold": modules.field("frequencyThreshold"),
            "time_frame": modules.field("timeFrame"),
            "description": modules.field("description"),
            "all_cause_mortality_comment": modules.field("allCauseMortalityComment"),
        },
    )


def _term_part(
    event_type: str, events: Level, rows: Level, event_of: pa.Array | None = None
) -> dict[str, Any]:
    """A term's columns on each of `rows`: the terms, or their group counts (of term `event_of`)."""
    fields = {column: events.field(key) for column, key in _TERM_FIELDS}
    return {
        "study": rows.study,
        "event_type": constant(event_type, len(rows), pa.string()),
        **(fields if event_of is None else {c: f.take(event_of) for c, f in fields.items()}),
    }


def adverse_events(studies: Level) -> pa.Table:
    """One row per serious or other adverse event term (kept even when it lists no stats)."""
    parts = []
    for event_type, path in _EVENT_PATHS:
        events = studies.each(path)
        parts.append({**_term_part(event_type, events, events), "ordinal": events.ordinal})
    rows = stacked(parts)
    nct_id = studies.nct_ids.take(rows.pop("study"))
    return table_of(
        tables.ADVERSE_EVENTS,
        len(nct_id),
        {
            "id": row_ids("adverse_events", nct_id, rows["event_type"], rows["ordinal"]),
            "nct_id": nct_id,
            **rows,
        },
    )


def _stats_part(event_type: str, events: Level) -> dict[str, Any]:
    stats, event_of = each_with_parent(events, "stats")
    return {
        **_term_part(event_type, events, stats, event_of),
        "event_ordinal": stats.parents(0),
        "ordinal": stats.ordinal,
        "ctgov_group_code": stats.field("groupId"),
        "subjects_affected": stats.field("numAffected"),
        "subjects_at_risk": stats.field("numAtRisk"),
        "event_count": stats.field("numEvents"),
    }


def reported_events(studies: Level) -> pa.Table:
    """One row per group count of each term (AACT `reported_events`)."""
    rows = stacked(
        [_stats_part(event_type, studies.each(path)) for event_type, path in _EVENT_PATHS]
    )
    study = rows.pop("study")
    nct_id = studies.nct_ids.take(study)
    group = module_group_index(studies, EVENT)

    def module(key: str) -> pa.Array:
        return studies.field(f"{EVENTS_MODULE}.{key}")

    ids = row_ids(
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
            "id": row_ids("reported_event_totals", nct_id, rows["ordinal"], rows["event_type"]),
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
