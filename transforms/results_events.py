"""Rows for adverse events: module scalars, event terms, per-group counts and per-group totals."""

from __future__ import annotations

from collections.abc import Iterator

from schemas.tables import results as tables
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, items
from transforms.results_common import EVENT, EVENTS_MODULE, Item, Row, group_links, to_int

# AACT's event_type literal for each list of terms.
EVENT_LISTS = (("serious", "seriousEvents"), ("other", "otherEvents"))
_EVENT_PATHS = tuple((event_type, f"{EVENTS_MODULE}.{key}") for event_type, key in EVENT_LISTS)

# reported_event_totals: (event_type, classification, key prefix in EventGroup), AACT's literals.
TOTALS = (
    ("deaths", "Total, all-cause mortality", "deaths"),
    ("serious", "Total, serious adverse events", "serious"),
    ("other", "Total, other adverse events", "other"),
)


def adverse_events_module_rows(study: Record, nct_id: str) -> list[Row]:
    """One row of the module's own scalars for a study with an adverse events module."""
    module = get_dict(study, EVENTS_MODULE)
    if not module:
        return []
    return [
        {
            "id": stable_id("adverse_events_modules", nct_id),
            "nct_id": nct_id,
            "frequency_threshold": module.get("frequencyThreshold"),
            "time_frame": module.get("timeFrame"),
            "description": module.get("description"),
            "all_cause_mortality_comment": module.get("allCauseMortalityComment"),
        }
    ]


def _events(study: Record) -> Iterator[tuple[str, int, Item]]:
    for event_type, path in _EVENT_PATHS:
        for e, event in items(get_list(study, path)):
            yield event_type, e, event


def _term_fields(event: Item) -> Row:
    return {
        "adverse_event_term": event.get("term"),
        "organ_system": event.get("organSystem"),
        "vocab": event.get("sourceVocabulary"),
        "assessment": event.get("assessmentType"),
        "notes": event.get("notes"),
    }


def adverse_event_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per serious or other adverse event term (kept even when it lists no stats)."""
    rows: list[Row] = []
    for event_type, path in _EVENT_PATHS:
        events = items(get_list(study, path))
        if not events:
            continue
        ids = id_maker("adverse_events", nct_id, event_type)
        rows += [
            {
                "id": ids(e),
                "nct_id": nct_id,
                "event_type": event_type,
                "ordinal": e,
                **_term_fields(event),
            }
            for e, event in events
        ]
    return rows


def reported_event_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per group count of each term (AACT `reported_events`)."""
    module = get_dict(study, EVENTS_MODULE)
    group = group_links(study, nct_id, EVENT)
    shared = {
        "time_frame": module.get("timeFrame"),
        "description": module.get("description"),
        "frequency_threshold": to_int(module.get("frequencyThreshold")),
        "default_vocab": None,
        "default_assessment": None,
    }
    rows: list[Row] = []
    for event_type, e, event in _events(study):
        stats = items(get_list(event, "stats"))
        if not stats:
            continue
        # Columns shared by every group count of the term, built once per term.
        term = {"nct_id": nct_id, "event_type": event_type, "event_ordinal": e}
        term |= shared
        term |= _term_fields(event)
        ids = id_maker("reported_events", nct_id, event_type, e)
        rows += [
            {
                "id": ids(s),
                **term,
                "ordinal": s,
                "result_group_id": group(count.get("groupId")),
                "ctgov_group_code": count.get("groupId"),
                "subjects_affected": count.get("numAffected"),
                "subjects_at_risk": count.get("numAtRisk"),
                "event_count": count.get("numEvents"),
            }
            for s, count in stats
        ]
    return rows


def reported_event_total_rows(study: Record, nct_id: str) -> list[Row]:
    """Three rows per event group: deaths, serious and other totals (AACT's literals)."""
    group = group_links(study, nct_id, EVENT)
    return [
        {
            "id": stable_id("reported_event_totals", nct_id, g, event_type),
            "nct_id": nct_id,
            "ordinal": g,
            "event_type": event_type,
            "result_group_id": group(event_group.get("id")),
            "ctgov_group_code": event_group.get("id"),
            "classification": classification,
            "subjects_affected": event_group.get(f"{prefix}NumAffected"),
            "subjects_at_risk": event_group.get(f"{prefix}NumAtRisk"),
        }
        for g, event_group in items(get_list(study, f"{EVENTS_MODULE}.eventGroups"))
        for event_type, classification, prefix in TOTALS
    ]


BUILDERS = {
    tables.ADVERSE_EVENTS_MODULES: adverse_events_module_rows,
    tables.ADVERSE_EVENTS: adverse_event_rows,
    tables.REPORTED_EVENTS: reported_event_rows,
    tables.REPORTED_EVENT_TOTALS: reported_event_total_rows,
}
