"""Typed change events, triggered by real registry edits applied to real sample records.

The edits come from `ctgov-sample/history-patches/`: JSON-Patch operations between two real
versions of 97 studies, with the old and the new value. Those studies are not in the sample, so
each case writes the patch's old value into a real sample record (version 1) and its new value
(version 2), bumps the version dates the way the registry does, and checks the events: exactly the
expected ones, each with the right type, path, old and new value.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms._json import get_path
from transforms.changes import EventContext, batch_events, change_events
from transforms.hashing import content_hash
from transforms.screening import screen
from transforms.versions import Action, Decision, LoadContext

CALIBRATION = "history-patches/calibration/CALIBRATION_REVIEW_PACKAGE_v0.2.jsonl"
EVENT_RECORDS = "history-patches/event_class_records_v0.1.3"
MISSING = object()  # a key absent from one version
AT = object()  # expected value: whatever the version holds at the event's path
OLD, NEW = object(), object()  # expected value: the (first) edit's old or new value
BASE = "NCT04547049"  # recruiting, phase 3, 8 sites with statuses, a PI as responsible party
CTX = EventContext(BASE, 1, 2, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 9), "run-2")
STATUS = "protocolSection.statusModule"
# integers as orjson parses them (it reads anything beyond 64 bits as a float)
INTS = st.integers(-(2**63), 2**64 - 1)
SITES = "protocolSection.contactsLocationsModule.locations"


@dataclass(frozen=True)
class Edit:
    """One field of the base record: `pointer` (JSON Pointer; `-` appends to a list) gets the old
    value in version 1 and the new value in version 2, read from a real patch (or given)."""

    pointer: str
    source: tuple[str, str] | None = None  # (calibration review_record_id, patch path)
    old: Any = MISSING
    new: Any = MISSING


@dataclass(frozen=True)
class Case:
    edits: tuple[Edit, ...]
    expected: tuple[tuple[str, str, Any, Any], ...]  # (event_type, field_path, old, new)
    details: dict[str, Any] = field(default_factory=dict)  # expected subset of the first event
    base: str = BASE


def real(record_id: str, path: str, at: str | None = None) -> Edit:
    """The old → new values of a real patch at `path`, written at `at` (default: `path`)."""
    return Edit(at or path, (record_id, path))


def case(
    edits: list[Edit],
    expected: list[tuple],
    details: dict | None = None,
    base: str = BASE,
    *,
    id: str,
) -> Any:
    return pytest.param(Case(tuple(edits), tuple(expected), details or {}, base), id=id)


S = "/protocolSection/statusModule"
E = "/protocolSection/eligibilityModule"
P_S, P_E = STATUS, "protocolSection.eligibilityModule"
P_ENROLL = "protocolSection.designModule.enrollmentInfo"
P_ID = "protocolSection.identificationModule"
L = "/protocolSection/contactsLocationsModule/locations"
PI_NAME = "/protocolSection/sponsorCollaboratorsModule/responsibleParty/investigatorFullName"
WHY = "Anheart acquired by Nuvation Bio; leadership not moving forward"

CASES = [
    # The status moves with a stop reason (NOT_YET_RECRUITING → SUSPENDED): one event, with the
    # reason in its details (not a second status event).
    case(
        [real("rec_027", f"{S}/overallStatus"), real("rec_027", f"{S}/whyStopped")],
        [("status_changed", f"{P_S}.overallStatus", "NOT_YET_RECRUITING", "SUSPENDED")],
        {"why_stopped": WHY},
        id="status_changed-why_stopped",
    ),
    # A study computed UNKNOWN gets a lastKnownStatus: folded into the status event as well.
    case(
        [real("rec_078", f"{S}/overallStatus"), real("rec_078", f"{S}/lastKnownStatus")],
        [("status_changed", f"{P_S}.overallStatus", "RECRUITING", "UNKNOWN")],
        {"last_known_status": "RECRUITING"},
        id="status_changed-unknown",
    ),
    # A stop reason reworded while the status stays (hand-made: no such patch in the sample).
    case(
        [Edit(f"{S}/whyStopped", old="Sponsor decision", new="Sponsor decision, no risk")],
        [("status_changed", f"{P_S}.whyStopped", "Sponsor decision", "Sponsor decision, no risk")],
        id="status_changed-why_stopped-only",
    ),
    case(
        [real("rec_006", "/protocolSection/designModule/enrollmentInfo/count")],
        [("enrollment_changed", f"{P_ENROLL}.count", 204, 324)],
        id="enrollment_changed-count",
    ),
    case(
        [real("rec_006", "/protocolSection/designModule/enrollmentInfo/type")],
        [("enrollment_changed", f"{P_ENROLL}.type", "ACTUAL", "ESTIMATED")],
        id="enrollment_changed-type",
    ),
    # The whole enrollmentInfo object added at once (a bug once made this `other_changed`).
    case(
        [real("rec_070", "/protocolSection/designModule/enrollmentInfo")],
        [
            ("enrollment_changed", f"{P_ENROLL}.count", None, 27),
            ("enrollment_changed", f"{P_ENROLL}.type", None, "ACTUAL"),
        ],
        id="enrollment_changed-added",
    ),
    case(
        [real("rec_001", f"{S}/startDateStruct/date")],
        [
            (
                "dates_changed",
                f"{P_S}.startDateStruct",
                {"date": "2016-10-26", "type": "ACTUAL"},
                {"date": "2016-12-07", "type": "ACTUAL"},
            )
        ],
        {"shift_days": 42, "estimated_to_actual": False},
        id="dates_changed-start",
    ),
    case(
        [real("rec_002", f"{S}/primaryCompletionDateStruct/date")],
        [
            (
                "dates_changed",
                f"{P_S}.primaryCompletionDateStruct",
                {"date": "2022-02-01", "type": "ESTIMATED"},
                {"date": "2022-05-01", "type": "ESTIMATED"},
            )
        ],
        {"shift_days": 89},
        id="dates_changed-primary_completion",
    ),
    case(
        [real("rec_002", f"{S}/completionDateStruct/date")],
        [
            (
                "dates_changed",
                f"{P_S}.completionDateStruct",
                {"date": "2032-02-01", "type": "ESTIMATED"},
                {"date": "2032-05-01", "type": "ESTIMATED"},
            )
        ],
        {"shift_days": 90},
        id="dates_changed-completion",
    ),
    # The anticipated completion date becomes the actual one (same day, new type).
    case(
        [real("rec_003", f"{S}/completionDateStruct/type")],
        [
            (
                "dates_changed",
                f"{P_S}.completionDateStruct",
                {"date": "2025-12-31", "type": "ESTIMATED"},
                {"date": "2025-12-31", "type": "ACTUAL"},
            )
        ],
        {"shift_days": 0, "estimated_to_actual": True},
        id="dates_changed-estimated_to_actual",
    ),
    case(
        [real("rec_002", f"{L}/51", at=f"{L}/-")],
        [("sites_changed", SITES, None, NEW)],
        {"change": "added", "facility": "Isala Klinieken", "city": "Zwolle"},
        id="sites_changed-added",
    ),
    case(
        [real("rec_020", f"{L}/78", at=f"{L}/-")],
        [("sites_changed", SITES, OLD, None)],
        {"change": "removed", "city": "Barcelona", "country": "Spain"},
        id="sites_changed-removed",
    ),
    case(
        [real("rec_013", f"{L}/0/status", at=f"{L}/2/status")],
        [("sites_changed", f"{SITES}[].status", "NOT_YET_RECRUITING", "RECRUITING")],
        {"change": "status_changed", "city": "Hangzhou", "country": "China"},
        id="sites_changed-status",
    ),
    case(
        [real("rec_018", f"{E}/eligibilityCriteria")],
        [("eligibility_changed", f"{P_E}.eligibilityCriteria", AT, AT)],
        id="eligibility_changed-criteria",
    ),
    case(
        [real("rec_022", f"{E}/maximumAge")],
        [("eligibility_changed", f"{P_E}.maximumAge", None, "90 Years")],
        id="eligibility_changed-maximum_age",
    ),
    # From an event record (new value only: an `add`, so the old version had no minimumAge).
    case(
        [real("evt:NCT00099437", f"{E}/minimumAge")],
        [("eligibility_changed", f"{P_E}.minimumAge", None, "45 Years")],
        id="eligibility_changed-minimum_age",
    ),
    # No real edit of sex or healthyVolunteers is in history-patches: hand-made, on the real record.
    case(
        [Edit(f"{E}/sex", old="ALL", new="FEMALE")],
        [("eligibility_changed", f"{P_E}.sex", "ALL", "FEMALE")],
        id="eligibility_changed-sex",
    ),
    case(
        [Edit(f"{E}/healthyVolunteers", old=False, new=True)],
        [("eligibility_changed", f"{P_E}.healthyVolunteers", False, True)],
        id="eligibility_changed-healthy_volunteers",
    ),
    # Results posted: the section, hasResults and the submit date arrive together, one event.
    case(
        [
            real("rec_031", "/resultsSection"),
            real("rec_031", "/hasResults"),
            real("rec_031", f"{S}/resultsFirstSubmitDate"),
        ],
        [("results_posted", "resultsSection", None, None)],
        {"results_first_submit": "2024-09-26"},
        id="results_posted",
    ),
    case(
        [real("rec_043", "/resultsSection/adverseEventsModule/description")],
        [("results_updated", "resultsSection", None, None)],
        {"modules": ["adverseEventsModule"]},
        base="NCT00356603",
        id="results_updated",
    ),
    case(
        [real("rec_039", PI_NAME)],
        [
            (
                "sponsor_changed",
                PI_NAME[1:].replace("/", "."),
                "Steven Isakoff, MD, PhD",
                "Steven J Isakoff, MD, PhD",
            )
        ],
        id="sponsor_changed",
    ),
    case(
        [real("rec_009", "/protocolSection/identificationModule/briefTitle")],
        [("title_changed", f"{P_ID}.briefTitle", AT, AT)],
        id="title_changed-brief",
    ),
    case(
        [real("rec_009", "/protocolSection/identificationModule/officialTitle")],
        [("title_changed", f"{P_ID}.officialTitle", AT, AT)],
        id="title_changed-official",
    ),
    case(
        [real("rec_022", "/protocolSection/armsInterventionsModule/interventions/0/name")],
        [
            (
                "arms_or_interventions_changed",
                "protocolSection.armsInterventionsModule.interventions",
                AT,
                AT,
            )
        ],
        id="arms_or_interventions_changed",
    ),
    case(
        [real("rec_009", "/protocolSection/outcomesModule/primaryOutcomes/0/measure")],
        [("outcomes_changed", "protocolSection.outcomesModule.primaryOutcomes", AT, AT)],
        id="outcomes_changed",
    ),
    case(
        [real("rec_022", "/protocolSection/designModule/phases/0")],
        [("phase_changed", "protocolSection.designModule.phases", ["NA"], ["PHASE1"])],
        id="phase_changed",
    ),
    case(
        [real("rec_008", "/protocolSection/ipdSharingStatementModule/ipdSharing")],
        [
            (
                "other_changed",
                "protocolSection.ipdSharingStatementModule.ipdSharing",
                "UNDECIDED",
                "NO",
            )
        ],
        id="other_changed",
    ),
]


@pytest.fixture(scope="module")
def patches(sample_dir: Path) -> dict[str, dict[str, tuple[Any, Any]]]:
    """(old, new) by patch path, by calibration record id (and `evt:<nct>` for event records)."""
    out: dict[str, dict[str, tuple[Any, Any]]] = {}
    for line in (sample_dir / CALIBRATION).read_bytes().splitlines():
        record = orjson.loads(line)
        ops = out.setdefault(record["review_record_id"], {})
        for op in record["patch_operations"]:
            # a path can repeat (sites removed one by one at the same index): the first counts
            ops.setdefault(op["path"], (_value(op.get("old_value")), _value(op.get("new_value"))))
    for path in sorted((sample_dir / EVENT_RECORDS).glob("*.json")):
        record = orjson.loads(path.read_bytes())
        ops = out.setdefault(f"evt:{record['trial']['nct_id']}", {})
        for op in record["patch"]:
            # event records carry the new value only; for an `add` the old one was absent
            if op["op"] == "add":
                ops.setdefault(op["path"], (MISSING, op["value"]))
    return out


def _value(value: Any) -> Any:
    return MISSING if value == {"__missing__": True} else value


def _apply(record: dict[str, Any], pointer: str, value: Any) -> None:
    """Set (or, for MISSING, remove) the value at a JSON Pointer; `-` appends to a list."""
    *parents, last = pointer.lstrip("/").split("/")
    node: Any = record
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        if last == "-":
            if value is not MISSING:
                node.append(copy.deepcopy(value))
        elif value is MISSING:
            del node[int(last)]
        else:
            node[int(last)] = copy.deepcopy(value)
    elif value is MISSING:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def _versions(case: Case, base: dict[str, Any], patches: dict) -> tuple[dict, dict, list]:
    older, newer = copy.deepcopy(base), copy.deepcopy(base)
    values = []
    for edit in case.edits:
        old, new = patches[edit.source[0]][edit.source[1]] if edit.source else (edit.old, edit.new)
        _apply(older, edit.pointer, old)
        _apply(newer, edit.pointer, new)
        values.append((old, new))
    # every real version moves these; they are bookkeeping, never events
    newer["protocolSection"]["statusModule"]["lastUpdateSubmitDate"] = "2026-11-21"
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {
        "date": "2026-11-23",
        "type": "ACTUAL",
    }
    return older, newer, values


def _expected(value: Any, record: dict[str, Any], path: str, edit: tuple[Any, Any]) -> Any:
    if value is OLD or value is NEW:
        return edit[0] if value is OLD else edit[1]
    return get_path(record, path) if value is AT else value


@pytest.mark.parametrize("case", CASES)
def test_a_real_edit_gives_exactly_its_typed_event(case: Case, patches, sample_studies):
    older, newer, values = _versions(case, sample_studies[case.base], patches)
    events = change_events(older, newer, CTX)
    got = [
        (
            e["event_type"],
            e["field_path"],
            orjson.loads(e["old_value"] or "null"),
            orjson.loads(e["new_value"] or "null"),
        )
        for e in events
    ]
    want = [
        (kind, path, _expected(old, older, path, values[0]), _expected(new, newer, path, values[0]))
        for kind, path, old, new in case.expected
    ]
    assert sorted(got, key=repr) == sorted(want, key=repr)
    details = orjson.loads(events[0]["details"] or "{}")
    assert details | case.details == details  # the expected details are all there
    # the patch's own values are what the events carry (inside a list or struct where typed so,
    # leaf by leaf where an object was split, in the details where folded into another event)
    # (results events carry no values: the sections are kept whole in history.study_versions)
    shown = " ".join(e[k] or "" for e in events for k in ("old_value", "new_value", "details"))
    for old, new in [] if case.expected[0][0].startswith("results_") else values:
        for value in (old, new):
            assert all(fragment in shown for fragment in _fragments(value)), value


def _fragments(value: Any) -> list[str]:
    if value is MISSING:
        return []
    if isinstance(value, dict):
        return [f for v in value.values() for f in _fragments(v)]
    return [orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()]


def test_every_event_type_is_covered_by_a_real_edit():
    covered = {c.values[0].expected[0][0] for c in CASES}
    assert covered == {
        "status_changed",
        "enrollment_changed",
        "dates_changed",
        "sites_changed",
        "eligibility_changed",
        "results_posted",
        "results_updated",
        "sponsor_changed",
        "title_changed",
        "arms_or_interventions_changed",
        "outcomes_changed",
        "phase_changed",
        "other_changed",
    }


def test_the_noise_pairs_give_no_event(version_pairs):
    assert len(version_pairs) == 9
    assert {nct: change_events(a, b, CTX) for nct, (a, b) in version_pairs.items()} == {
        nct: [] for nct in version_pairs
    }


def test_one_event_per_site_keyed_by_facility_city_and_country(patches, sample_studies):
    # rec_013 shows the registry re-ordering sites and editing them in place; keyed by place, a
    # re-ordered list alone gives nothing, and each site gives at most one status event.
    base = copy.deepcopy(sample_studies[BASE])
    sites = base["protocolSection"]["contactsLocationsModule"]["locations"]
    moved = copy.deepcopy(base)
    moved_sites = moved["protocolSection"]["contactsLocationsModule"]["locations"]
    moved_sites.reverse()
    assert change_events(base, moved, CTX)[0]["details"] == '{"change":"order"}'
    assert len(change_events(base, moved, CTX)) == 1
    for site in moved_sites[:3]:
        site["status"] = "COMPLETED"
    events = change_events(base, moved, CTX)
    assert sorted(e["event_type"] for e in events) == ["sites_changed"] * 3
    assert len({e["event_id"] for e in events}) == 3
    assert {orjson.loads(e["details"])["facility"] for e in events} == {
        s["facility"] for s in sites[-3:]
    }


def test_two_sites_of_the_same_name_in_the_same_place_stay_apart(sample_studies):
    base = copy.deepcopy(sample_studies[BASE])
    sites = base["protocolSection"]["contactsLocationsModule"]["locations"]
    twin = copy.deepcopy(sites[0])
    twin["status"] = "NOT_YET_RECRUITING"
    newer = copy.deepcopy(base)
    newer["protocolSection"]["contactsLocationsModule"]["locations"].append(twin)
    [event] = change_events(base, newer, CTX)
    assert (event["event_type"], orjson.loads(event["details"])["change"]) == (
        "sites_changed",
        "added",
    )
    assert orjson.loads(event["new_value"])["status"] == "NOT_YET_RECRUITING"


def test_event_ids_are_stable_and_unique(patches, sample_studies):
    case = CASES[0].values[0]
    older, newer, _ = _versions(case, sample_studies[BASE], patches)
    newer["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 999
    first = change_events(older, newer, CTX)
    again = change_events(copy.deepcopy(older), copy.deepcopy(newer), CTX)
    assert [e["event_id"] for e in first] == [e["event_id"] for e in again]
    assert len({e["event_id"] for e in first}) == len(first) == 2


def _decision(record: dict, action: Action, version: int, was_removed: bool = False) -> Decision:
    [study] = screen([record]).studies
    return Decision(study, action, version, version - 1 or None, None, was_removed)


def test_batch_events_baseline_added_and_restored(sample_studies):
    record = sample_studies[BASE]
    ctx = LoadContext("run-1", "api", dt.datetime(2026, 11, 20, 9), dt.datetime(2026, 11, 20, 9, 5))
    added = [_decision(record, Action.ADD, 1)]
    assert batch_events(added, {}, ctx, emit_added=False) == []  # the first load is the baseline
    [event] = batch_events(added, {}, ctx, emit_added=True)
    assert (event["event_type"], event["to_version"], event["detected_at"]) == (
        "study_added",
        1,
        dt.datetime(2026, 11, 20, 9),
    )
    edited = copy.deepcopy(record)
    edited["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    back = [_decision(edited, Action.NEW_VERSION, 3, was_removed=True)]
    events = batch_events(back, {BASE: record}, ctx, emit_added=True)
    assert [(e["event_type"], e["details"]) for e in events] == [
        ("study_added", '{"restored":true}'),
        ("status_changed", None),
    ]
    unchanged = [_decision(record, Action.UNCHANGED, 1), _decision(record, Action.REFRESH, 1)]
    assert batch_events(unchanged, {BASE: record}, ctx, emit_added=True) == []


class _Records(dict):
    """The sample records, with a short repr (hypothesis prints the arguments of a failure)."""

    def __repr__(self) -> str:
        return f"<{len(self)} sample studies>"


@pytest.fixture(scope="module")
def records(sample_studies) -> _Records:
    return _Records(sample_studies)


def _leaves(obj: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(obj, dict):
        return [leaf for k, v in obj.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(obj, list):
        return [leaf for i, v in enumerate(obj) for leaf in _leaves(v, (*path, i))]
    return [path]


def _set(record: dict, path: tuple, value: Any) -> None:
    node = record
    for part in path[:-1]:
        node = node[part]
    if value is MISSING:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_real_change_is_never_silent(data, records):
    # Any edit that makes a new version (content hash differs) gives at least one event, and an
    # edit that does not gives none. Version bookkeeping dates are the documented exception.
    record = records[data.draw(st.sampled_from(sorted(records)))]
    leaves = [
        p
        for p in _leaves(record)
        if p
        and p[-1] not in {"lastUpdateSubmitDate", "date"}
        or (p[-1] == "date" and "lastUpdatePostDateStruct" not in p)
    ]
    path = data.draw(st.sampled_from(leaves))
    edited = copy.deepcopy(record)
    _set(edited, path, data.draw(st.one_of(st.text(max_size=5), INTS, st.none(), st.just(MISSING))))
    events = change_events(record, edited, CTX)
    assert bool(events) == (content_hash(record) != content_hash(edited)), path


JUNK = st.one_of(st.none(), INTS, st.text(max_size=3), st.lists(INTS, max_size=2))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_junk_in_place_of_modules_never_raises(data, records):
    record = records[data.draw(st.sampled_from(["NCT00356603", BASE]))]
    broken = copy.deepcopy(record)
    for _ in range(data.draw(st.integers(1, 4))):
        section = data.draw(st.sampled_from(sorted(broken)))
        if isinstance(broken[section], dict) and broken[section] and data.draw(st.booleans()):
            module = data.draw(st.sampled_from(sorted(broken[section])))
            broken[section][module] = data.draw(JUNK)
        else:
            broken[section] = data.draw(JUNK)
    for older, newer in ((record, broken), (broken, record)):
        assert isinstance(change_events(older, newer, CTX), list)
