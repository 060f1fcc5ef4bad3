"""Typed change events between two versions of a study (history.change_events rows).

Both versions are first reduced to `canonical_content` (transforms/hashing.py), so refresh noise
(versionHolder, MeSH list order, asFound, ESTIMATED→ACTUAL posted-date types) can never produce an
event. Every remaining difference belongs to exactly one event type:

* typed fields (status, enrollment, dates, sites, eligibility, results, sponsor, titles, arms and
  interventions, outcomes, phases) give their own events, with old and new values;
* anything else gives `other_changed` with its path, so a real change never passes silently.

The version bookkeeping dates (`lastUpdateSubmitDate`, `lastUpdatePostDateStruct`) move with every
version; they are carried on every event (`last_update_post_date`) instead of being events of
their own. Fields that only accompany another change go into that event's details instead:
`whyStopped` and `lastKnownStatus` when the overall status moves, and the `resultsFirst*` dates
when results are posted or updated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.study.paths import OVERALL_STATUS
from transforms._dates import parse_partial_date
from transforms._json import get_path
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
_LOCATIONS = "protocolSection.contactsLocationsModule.locations"
_DATE_STRUCTS = ("startDateStruct", "primaryCompletionDateStruct", "completionDateStruct")
# In the details of the overall-status event (old and new) rather than events of their own when
# the status moves with them: a study stops *with* a reason.
_STATUS_DETAILS = {
    f"{_STATUS}.whyStopped": "why_stopped",
    f"{_STATUS}.lastKnownStatus": "last_known_status",
}
# Set by the registry when results are submitted, QC'd and posted: part of the results event.
_RESULTS_DATES = tuple(
    f"{_STATUS}.{name}"
    for name in ("resultsFirstSubmitDate", "resultsFirstSubmitQcDate", "resultsFirstPostDateStruct")
)


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
    results = list(_results_changes(before, after))
    results_event = any(c.event_type.startswith("results_") for c in results)
    yield from results
    yield from site_events(before, after)
    yield from _date_changes(before, after)
    diffs = [
        (path, old, new)
        for path, old, new in leaf_diffs(before, after)
        if not _is_bookkeeping(path) and not _owned_elsewhere(path, results_event=results_event)
    ]
    status_moved = any(path == OVERALL_STATUS for path, _, _ in diffs)
    for path, old, new in diffs:
        if status_moved and path in _STATUS_DETAILS:
            continue  # folded into the overall-status event's details
        event_type = _typed(path) or "other_changed"
        details = _status_details(before, after) if event_type == "status_changed" else None
        yield Change(event_type, path, old, new, details)


def _under(path: str, prefixes: Iterable[str]) -> bool:
    """Whether `path` is one of `prefixes` or inside one (`locations_nested` is not `locations`)."""
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in prefixes)


def _is_bookkeeping(path: str) -> bool:
    # The post date is an object ({date, type}), so its leaf is `...lastUpdatePostDateStruct.date`.
    return _under(path, BOOKKEEPING)


_OWN_DIFFERS = (
    "resultsSection",
    "hasResults",
    _LOCATIONS,
    *(f"{_STATUS}.{d}" for d in _DATE_STRUCTS),
)


def _owned_elsewhere(path: str, *, results_event: bool) -> bool:
    """Paths whose events come from a dedicated differ (results, sites, the three key dates)."""
    return _under(path, _OWN_DIFFERS) or (results_event and _under(path, _RESULTS_DATES))


def _typed(path: str) -> str | None:
    best: tuple[int, str] | None = None
    for prefix, event_type in _TYPED.items():
        # A prefix 'x.' also owns 'x' itself: a whole object added, removed or of another type.
        hit = (
            path.startswith(prefix) or path == prefix[:-1]
            if prefix.endswith(".")
            else path == prefix
        )
        if hit and (best is None or len(prefix) > best[0]):
            best = (len(prefix), event_type)
    return best[1] if best else None


def leaf_diffs(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, old, new) of every differing scalar or list; lists compare as a whole.

    An object added or removed as a whole is walked like an empty one, so each of its leaves is
    reported under its own path (an added `enrollmentInfo` gives `enrollmentInfo.count` and
    `enrollmentInfo.type`, both typed as enrollment changes).
    """
    old_obj, new_obj = isinstance(before, Mapping), isinstance(after, Mapping)
    if (old_obj or new_obj) and (old_obj or before is None) and (new_obj or after is None):
        old_map: Mapping[str, Any] = before if old_obj else {}
        new_map: Mapping[str, Any] = after if new_obj else {}
        found = False
        for key in sorted(set(old_map) | set(new_map)):
            child = f"{path}.{key}" if path else key
            for diff in leaf_diffs(old_map.get(key), new_map.get(key), child):
                found = True
                yield diff
        if not found and before != after:
            yield path, before, after  # an empty object added or removed
    elif before != after:
        yield path, before, after


def _status_details(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stop reason and last known status that go with a status event.

    The new values, plus the old ones (`old_*`) where they changed.
    """
    details: dict[str, Any] = {}
    for path, name in _STATUS_DETAILS.items():
        old, new = get_path(before, path), get_path(after, path)
        if new is not None:
            details[name] = new
        if old is not None and old != new:
            details[f"old_{name}"] = old
    return details or None


def _date_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    for name in _DATE_STRUCTS:
        old, new = _get_status(before, name), _get_status(after, name)
        if old != new:
            yield Change(
                "dates_changed", f"{_STATUS}.{name}", old, new, _date_details(old, new), key=name
            )


def _get_status(record: Mapping[str, Any], key: str) -> Any:
    return get_path(record, f"{_STATUS}.{key}")


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
    if old == new:
        if before.get("hasResults") != after.get("hasResults"):
            yield Change(
                "other_changed", "hasResults", before.get("hasResults"), after.get("hasResults")
            )
        return
    dates = {
        "results_first_submit": _get_status(after, "resultsFirstSubmitDate"),
        "results_first_post": _get_status(after, "resultsFirstPostDateStruct"),
    }
    if not old:
        yield Change("results_posted", "resultsSection", None, None, dates)
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        modules = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        yield Change("results_updated", "resultsSection", None, None, {"modules": modules, **dates})
    else:  # removed, or no longer an object (type drift)
        what = "removed" if not new else "replaced"
        yield Change("results_updated", "resultsSection", None, None, {"modules": what})


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


def lifecycle_event(
    event_type: str, ctx: EventContext, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """study_added, study_removed or study_merged: events about the study as a whole."""
    return event_row(Change(event_type, None, None, None, details), ctx)


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


_SITE_KEY = ("facility", "city", "country")


def _site_key(site: Mapping[str, Any]) -> tuple[str, str, str]:
    facility, city, country = (str(site.get(k) or "").strip() for k in _SITE_KEY)
    return facility, city, country


def _keyed_sites(record: Mapping[str, Any]) -> dict[tuple[str, str, str, int], Mapping[str, Any]]:
    """Sites keyed by (facility, city, country, n): the n-th site with that name in that place."""
    seen: dict[tuple[str, str, str], int] = {}
    keyed: dict[tuple[str, str, str, int], Mapping[str, Any]] = {}
    sites = get_path(record, _LOCATIONS)
    for site in sites if isinstance(sites, list) else ():
        if isinstance(site, Mapping):
            base = _site_key(site)
            seen[base] = seen.get(base, -1) + 1
            keyed[(*base, seen[base])] = site
    return keyed


def site_events(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    """Site events, keyed by (facility, city, country).

    One event per site added, removed or changing recruitment status; other edits of a site
    (contacts, address, geo point) are `other_changed`, one per site.
    """
    if get_path(before, _LOCATIONS) == get_path(after, _LOCATIONS):
        return  # the common case, checked at C speed (a study can have 1,000+ sites)
    old, new = _keyed_sites(before), _keyed_sites(after)
    found = False
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        for change in _site_changes(key, old.get(key), new.get(key)):
            found = True
            yield change
    if not found:
        # The same sites in another order (or list items that are not site objects, which the
        # drift check reports): still a change of the record, so never silent.
        yield Change("other_changed", _LOCATIONS, None, None, {"change": "order"})


def _site_changes(
    key: tuple[str, str, str, int], was: Mapping[str, Any] | None, now: Mapping[str, Any] | None
) -> Iterator[Change]:
    label = {"facility": key[0], "city": key[1], "country": key[2]}
    text_key = "|".join(map(str, key))
    if was is None or now is None:
        change = "added" if was is None else "removed"
        status = (now or was or {}).get("status")
        details = {"change": change, **label, "status": status}
        yield Change("sites_changed", _LOCATIONS, was, now, details, key=text_key)
        return
    if was.get("status") != now.get("status"):
        details = {"change": "status_changed", **label}
        yield Change(
            "sites_changed",
            f"{_LOCATIONS}[].status",
            was.get("status"),
            now.get("status"),
            details,
            key=text_key,
        )
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
