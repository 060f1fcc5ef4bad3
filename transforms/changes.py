"""Typed change events between two versions of a study (history.change_events rows).

Both versions are first reduced to `canonical_content` (transforms/hashing.py), so refresh noise
(versionHolder, MeSH list order, asFound, ESTIMATED→ACTUAL posted-date types) can never produce an
event. Every remaining difference belongs to exactly one event type:

* typed fields (status, enrollment, dates, sites, eligibility, results, sponsor, titles, arms and
  interventions, outcomes, phases) give their own events, with old and new values;
* anything else gives `other_changed` with its path, so a real change never passes silently.

The version bookkeeping dates (`lastUpdateSubmitDate`, `lastUpdatePostDateStruct`) move with every
version; they are carried on every event (`last_update_post_date`) instead of being events themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from transforms._dates import parse_partial_date
from transforms.hashing import canonical_content
from transforms.versions import Action, Decision, LoadContext

_STATUS = "protocolSection.statusModule"
_DESIGN = "protocolSection.designModule"
_ELIG = "protocolSection.eligibilityModule"

BOOKKEEPING = frozenset({f"{_STATUS}.lastUpdateSubmitDate", f"{_STATUS}.lastUpdatePostDateStruct"})

# Paths (or path prefixes ending in '.') owned by a typed event; the longest match wins.
_TYPED: dict[str, str] = {
    f"{_STATUS}.overallStatus": "status_changed",
    f"{_STATUS}.whyStopped": "status_changed",
    f"{_STATUS}.lastKnownStatus": "status_changed",
    f"{_DESIGN}.enrollmentInfo.": "enrollment_changed",
    f"{_ELIG}.": "eligibility_changed",
    "protocolSection.sponsorCollaboratorsModule.": "sponsor_changed",
    "protocolSection.identificationModule.briefTitle": "title_changed",
    "protocolSection.identificationModule.officialTitle": "title_changed",
    "protocolSection.identificationModule.acronym": "title_changed",
    "protocolSection.armsInterventionsModule.": "arms_or_interventions_changed",
    "protocolSection.outcomesModule.": "outcomes_changed",
    f"{_DESIGN}.phases": "phase_changed",
}
_DATE_STRUCTS = ("startDateStruct", "primaryCompletionDateStruct", "completionDateStruct")


@dataclass(frozen=True)
class EventContext:
    """Identity of the version pair and where the detection happened (data time, for rebuilds)."""

    nct_id: str
    from_version: int | None
    to_version: int
    last_update_post_date: dt.date | None
    detected_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class Change:
    """One typed change before it becomes a row."""

    event_type: str
    field_path: str | None
    old: Any = None
    new: Any = None
    details: Mapping[str, Any] | None = None
    key: str = ""


def change_events(
    old: Mapping[str, Any], new: Mapping[str, Any], ctx: EventContext
) -> list[dict[str, Any]]:
    """All events between two versions of one study, as history.change_events rows."""
    before, after = canonical_content(old), canonical_content(new)
    return [event_row(change, ctx) for change in _changes(before, after)]


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    yield from _results_changes(before, after)
    yield from site_events(before, after)
    yield from _date_changes(before, after)
    for path, old, new in leaf_diffs(before, after):
        if path in BOOKKEEPING or _owned_elsewhere(path):
            continue
        event_type = _typed(path) or "other_changed"
        details = _status_details(after) if event_type == "status_changed" else None
        yield Change(event_type, path, old, new, details)


def _owned_elsewhere(path: str) -> bool:
    """Paths whose events come from a dedicated differ (results, sites, the three key dates)."""
    if path.startswith(("resultsSection", "hasResults")):
        return True
    if path.startswith("protocolSection.contactsLocationsModule.locations"):
        return True
    return any(path.startswith(f"{_STATUS}.{name}") for name in _DATE_STRUCTS)


def _typed(path: str) -> str | None:
    best: tuple[int, str] | None = None
    for prefix, event_type in _TYPED.items():
        hit = path.startswith(prefix) if prefix.endswith(".") else path == prefix
        if hit and (best is None or len(prefix) > best[0]):
            best = (len(prefix), event_type)
    return best[1] if best else None


def leaf_diffs(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, old, new) of every differing scalar or list; lists compare as a whole."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            child = f"{path}.{key}" if path else key
            yield from leaf_diffs(before.get(key), after.get(key), child)
    elif before != after:
        yield path, before, after


def _status_details(after: Mapping[str, Any]) -> dict[str, Any] | None:
    status = after.get("protocolSection", {}).get("statusModule", {})
    why = status.get("whyStopped") if isinstance(status, Mapping) else None
    return {"why_stopped": why} if why else None


def _date_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    for name in _DATE_STRUCTS:
        old, new = _get_status(before, name), _get_status(after, name)
        if old != new:
            yield Change(
                "dates_changed", f"{_STATUS}.{name}", old, new, _date_details(old, new), key=name
            )


def _get_status(record: Mapping[str, Any], key: str) -> Any:
    status = record.get("protocolSection", {}).get("statusModule", {})
    return status.get(key) if isinstance(status, Mapping) else None


def _date_details(old: Any, new: Any) -> dict[str, Any]:
    old_d, new_d = _first_day(old), _first_day(new)
    old_t = old.get("type") if isinstance(old, Mapping) else None
    new_t = new.get("type") if isinstance(new, Mapping) else None
    return {
        "shift_days": (new_d - old_d).days if old_d and new_d else None,
        "estimated_to_actual": old_t == "ESTIMATED" and new_t == "ACTUAL",
        "old_type": old_t,
        "new_type": new_t,
    }


def _first_day(struct: Any) -> dt.date | None:
    raw = struct.get("date") if isinstance(struct, Mapping) else None
    return parse_partial_date(raw).first if isinstance(raw, str) else None


def _results_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    old, new = before.get("resultsSection"), after.get("resultsSection")
    if old == new and before.get("hasResults") == after.get("hasResults"):
        return
    posted = _get_status(after, "resultsFirstPostDateStruct")
    if not old and new:
        yield Change("results_posted", "resultsSection", None, None, {"results_first_post": posted})
    elif old and new:
        modules = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        yield Change("results_updated", "resultsSection", None, None, {"modules": modules})
    elif old and not new:
        yield Change("results_updated", "resultsSection", None, None, {"modules": "removed"})
    else:
        yield Change("other_changed", "hasResults", before.get("hasResults"), after.get("hasResults"))


def event_row(change: Change, ctx: EventContext) -> dict[str, Any]:
    """One history.change_events row; its id is stable, so a replay inserts nothing new."""
    identity = f"{ctx.nct_id}|{ctx.to_version}|{change.event_type}|{change.field_path}|{change.key}"
    return {
        "event_id": hashlib.sha256(identity.encode()).hexdigest()[:32],
        "nct_id": ctx.nct_id,
        "event_type": change.event_type,
        "field_path": change.field_path,
        "old_value": _json(change.old),
        "new_value": _json(change.new),
        "from_version": ctx.from_version,
        "to_version": ctx.to_version,
        "last_update_post_date": ctx.last_update_post_date,
        "detected_at": ctx.detected_at,
        "detected_date": ctx.detected_at.date(),
        "run_id": ctx.run_id,
        "details": _json(change.details),
    }


def lifecycle_event(event_type: str, ctx: EventContext, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """study_added, study_removed or study_merged: events about the study as a whole."""
    return event_row(Change(event_type, None, None, None, details), ctx)


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


_LOCATIONS = "protocolSection.contactsLocationsModule.locations"


def _site_key(site: Mapping[str, Any]) -> tuple[str, str, str]:
    return tuple(str(site.get(k) or "").strip() for k in ("facility", "city", "country"))  # type: ignore[return-value]


def _keyed_sites(record: Mapping[str, Any]) -> dict[tuple[str, str, str, int], Mapping[str, Any]]:
    """Sites keyed by (facility, city, country, n): the n-th site with that name in that place."""
    module = record.get("protocolSection", {}).get("contactsLocationsModule", {})
    sites = module.get("locations") if isinstance(module, Mapping) else None
    seen: dict[tuple[str, str, str], int] = {}
    keyed: dict[tuple[str, str, str, int], Mapping[str, Any]] = {}
    for site in sites if isinstance(sites, list) else ():
        if isinstance(site, Mapping):
            base = _site_key(site)
            seen[base] = seen.get(base, -1) + 1
            keyed[(*base, seen[base])] = site
    return keyed


def site_events(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    """One event per site added, removed or changing recruitment status; other edits of a site
    (contacts, address, geo point) are `other_changed`, one per site."""
    old, new = _keyed_sites(before), _keyed_sites(after)
    for key in sorted(set(old) | set(new)):
        label = {"facility": key[0], "city": key[1], "country": key[2]}
        text_key = "|".join(map(str, key))
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            change = "added" if was is None else "removed"
            status = (now or was or {}).get("status")
            yield Change("sites_changed", _LOCATIONS, was, now, {"change": change, **label,
                         "status": status}, key=text_key)
            continue
        if was.get("status") != now.get("status"):
            yield Change("sites_changed", f"{_LOCATIONS}[].status", was.get("status"),
                         now.get("status"), {"change": "status_changed", **label}, key=text_key)
        rest_old = {k: v for k, v in was.items() if k != "status"}
        rest_new = {k: v for k, v in now.items() if k != "status"}
        if rest_old != rest_new:
            yield Change("other_changed", f"{_LOCATIONS}[]", rest_old, rest_new, label, key=text_key)


def batch_events(
    decisions: Sequence[Decision],
    previous: Mapping[str, Mapping[str, Any]],
    ctx: LoadContext,
    *,
    emit_added: bool,
) -> list[dict[str, Any]]:
    """Events for one loaded batch.

    `previous` holds the stored record of each study's version before this batch. `emit_added` is
    False for the very first load into an empty warehouse: that load is the baseline, and 600,000
    `study_added` events would tell downstream sites nothing.
    """
    rows: list[dict[str, Any]] = []
    for d in decisions:
        ectx = EventContext(
            d.study.nct_id,
            d.previous_version_no if d.action is Action.NEW_VERSION else None,
            d.version_no,
            d.study.last_update_post_date,
            ctx.observed_at,
            ctx.run_id,
        )
        if d.action is Action.ADD and emit_added:
            rows.append(lifecycle_event("study_added", ectx))
        elif d.action is Action.NEW_VERSION and d.study.nct_id in previous:
            if d.was_removed:
                rows.append(lifecycle_event("study_added", ectx, {"restored": True}))
            rows.extend(change_events(previous[d.study.nct_id], d.study.record, ectx))
    return rows
