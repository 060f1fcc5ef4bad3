"""Mutated real records through the parser, the transforms and the load path (hypothesis).

A mutation takes a real sample record and breaks it the ways the registry (or what stands between
it and us) can: a node of the wrong type, a huge string, deep nesting, odd unicode, an empty
list, a missing module, an unknown enum, a partial date in every legal and illegal form. Mutated
records travel as a page body (bytes, parsed by the real page parser) next to untouched ones.

What must hold: nothing escapes as an exception; every record ends up either loaded or
quarantined with a reason; the good records of the same batch load; the summary page of any
record that loads is built, with its text escaped.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import duckdb
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.loading import load_records, parse_page
from schemas.tables import ALL_TABLES, schema_fingerprint
from transforms.changes import EventContext, change_events
from transforms.hashing import content_hash
from transforms.normalize import normalize
from transforms.screening import screen
from transforms.summaries import summarize
from transforms.versions import LoadContext
from warehouse.database import connect, ensure_schema

T0 = dt.datetime(2026, 11, 20, 9, 0, 5)
SUBSET_STEP = 7  # ~100 real records of every shape to mutate (results, many sites, minimal)
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_fresh_ids = itertools.count(90_000_001)

# Partial dates as CT.gov writes them (yyyy, yyyy-MM, yyyy-MM-dd) and as it must never be misread.
LEGAL_DATES = ["2024", "2024-03", "2024-03-15", "1999-12-31", "2024-02-29"]
ILLEGAL_DATES = [
    "",
    " ",
    "2024-13",
    "2024-00",
    "2023-02-29",
    "2024-04-31",
    "0000",
    "0000-00-00",
    "24-03",
    "2024-3-5",
    "March 2024",
    "2024/03/15",
    "2024-03-15T10:00:00",
    "2024-03-15\n",
    " 2024-03",
    "-2024",
    "99999-01",
    "２０２４-03",  # full-width digits
    "٢٠٢٤-03-15",  # Arabic-Indic digits
    "2024-03-15-01",
    "NaN",
]
UNICODE = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)),  # JSON bytes can't carry lone surrogates
    max_size=40,
) | st.sampled_from(["\x00", "\u202e\u2066evil", "e\u0301", "𝕳𝖊𝖑𝖑𝖔 🧪", "\ufeff", "a\u0000b"])


def _deep(depth: int) -> Any:
    node: Any = "leaf"
    for level in range(depth):
        node = [node] if level % 2 else {"k": node}
    return node


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # past 64 bits too
    st.floats(allow_nan=False, allow_infinity=False),
    UNICODE,
    st.just("x" * 300_000),  # a huge string
    st.builds(_deep, st.integers(min_value=20, max_value=300)),  # deep nesting
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just("UNKNOWN_ENUM_VALUE_2031"),
    st.sampled_from(LEGAL_DATES + ILLEGAL_DATES),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):  # the first items stand for the rest
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _parent(record: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        record = record[step]
    return record


@st.composite
def mutated(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A deep copy of a real record with one to four of the breakages above."""
    record = copy.deepcopy(draw(st.sampled_from(records)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = list(_paths(record))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(record, path), path[-1]
        value = parent[key]
        how = draw(st.sampled_from(["replace", "delete", "date", "enum", "empty"]))
        if how == "delete":
            del parent[key]
        elif how == "date" and isinstance(value, str):
            parent[key] = draw(st.sampled_from(LEGAL_DATES + ILLEGAL_DATES))
        elif how == "enum" and isinstance(value, str) and value.isupper():
            parent[key] = "UNKNOWN_ENUM_VALUE_2031"
        elif how == "empty" and isinstance(value, list | dict):
            parent[key] = type(value)()
        else:
            parent[key] = draw(JUNK)
    return record


def _ident(record: Any) -> dict[str, Any] | None:
    section = record.get("protocolSection") if isinstance(record, dict) else None
    ident = section.get("identificationModule") if isinstance(section, dict) else None
    return ident if isinstance(ident, dict) else None


def _with_id(record: dict[str, Any], nct_id: str) -> dict[str, Any]:
    """`record` under another NCT id, if it still has a place for one."""
    ident = _ident(record)
    if ident is not None and isinstance(ident.get("nctId"), str):
        ident["nctId"] = nct_id
    return record


def _fresh(record: dict[str, Any]) -> dict[str, Any]:
    return _with_id(record, f"NCT{next(_fresh_ids):08d}")


def _over_the_wire(records: list[Any]) -> list[Any]:
    """The records as a page body, parsed back by the page parser the pipeline uses.

    Encoded with the stdlib, which writes what orjson would refuse to (integers past 64 bits,
    nesting past 255 levels), as any server may.
    """
    body = json.dumps({"studies": records}, ensure_ascii=False, allow_nan=False)
    return parse_page(body.encode())


class Records(list):  # type: ignore[type-arg]
    """Real records to mutate; shown by count in hypothesis' reports, not by 2 MB of JSON."""

    def __repr__(self) -> str:
        return f"<{len(self)} sample records>"


@pytest.fixture(scope="module")
def records(sample_studies) -> Records:
    return Records(sample_studies[k] for k in sorted(sample_studies)[::SUBSET_STEP])


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path_factory.mktemp("fuzz") / "w.duckdb")
    ensure_schema(con, ALL_TABLES, schema_fingerprint())
    yield con
    con.close()


def _ctx(run_id: str) -> LoadContext:
    return LoadContext(run_id=run_id, source="api", data_timestamp=T0, fetched_at=T0)


def _kept(stored: Any, record: Any) -> bool:
    """`stored` is `record`, but for parts too deep to keep, clipped to a note."""
    if isinstance(stored, str) and stored.startswith("<clipped:"):
        return True
    if isinstance(stored, dict) and isinstance(record, dict) and stored.keys() == record.keys():
        return all(_kept(stored[k], record[k]) for k in stored)
    if isinstance(stored, list) and isinstance(record, list) and len(stored) == len(record):
        return all(_kept(a, b) for a, b in zip(stored, record, strict=True))
    return stored == record and type(stored) is type(record)


def _outcome_of(con: duckdb.DuckDBPyConnection, record: Any) -> str:
    """'loaded' or 'quarantined' (with a reason), as the warehouse shows it; else 'lost'.

    The same broken bytes are quarantined once (an earlier example may have sent them too).
    """
    nct = (_ident(record) or {}).get("nctId")
    quarantined = con.execute(
        "SELECT reason, raw_record FROM pipeline.quarantine WHERE nct_id IS NOT DISTINCT FROM ?",
        [nct if isinstance(nct, str) else None],
    ).fetchall()
    for reason, raw in quarantined:
        if _kept(orjson.loads(raw), record):
            return "quarantined" if reason.strip() else "quarantined without a reason"
    state = con.execute(
        "SELECT content_hash FROM history.study_state WHERE nct_id = ?", [nct]
    ).fetchall()
    studies = con.execute("SELECT count(*) FROM ctgov.studies WHERE nct_id = ?", [nct]).fetchall()
    if state and state[0][0] == content_hash(record) and studies[0][0] == 1:
        return "loaded"
    return "lost"


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_a_batch_with_broken_records_quarantines_them_and_loads_the_rest(con, records, data):
    broken = [_fresh(data.draw(mutated(records))) for _ in range(data.draw(st.integers(1, 3)))]
    good = [
        _fresh(copy.deepcopy(r))
        for r in data.draw(st.lists(st.sampled_from(records), min_size=1, max_size=2))
    ]
    batch = _over_the_wire([*broken, *good])
    run_id = f"fuzz-{next(_fresh_ids)}"

    outcome = load_records(con, batch, _ctx(run_id))

    assert outcome.received == len(batch)
    assert outcome.quarantined + sum(outcome.actions.values()) == len(batch)
    assert [_outcome_of(con, r) for r in batch[len(broken) :]] == ["loaded"] * len(good)
    for record in batch[: len(broken)]:
        assert _outcome_of(con, record) in {"loaded", "quarantined"}, outcome


def _nct(record: dict[str, Any]) -> str:
    nct: str = record["protocolSection"]["identificationModule"]["nctId"]
    return nct


def _bumped(record: dict[str, Any]) -> dict[str, Any]:
    """`record` posted later (where it still has a place for the date), so it is compared."""
    section = record.get("protocolSection")
    status = section.get("statusModule") if isinstance(section, dict) else None
    if isinstance(status, dict) and isinstance(status.get("lastUpdatePostDateStruct"), dict):
        status["lastUpdatePostDateStruct"]["date"] = "2026-11-23"
    return record


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_broken_new_versions_are_diffed_or_quarantined_never_crash(con, records, data):
    picked = data.draw(st.lists(st.sampled_from(records), min_size=1, max_size=3))
    originals = _over_the_wire([_fresh(copy.deepcopy(r)) for r in picked])
    load_records(con, originals, _ctx(f"fuzz-{next(_fresh_ids)}"))
    broken = _over_the_wire(
        [_bumped(_with_id(data.draw(mutated([r])), _nct(r))) for r in originals]
    )

    outcome = load_records(con, broken, _ctx(f"fuzz-{next(_fresh_ids)}"))

    assert outcome.quarantined + sum(outcome.actions.values()) == len(broken)
    assert outcome.actions["add"] == 0  # the same studies, never second ones
    new_versions = 0
    for original, record in zip(originals, broken, strict=True):
        if _outcome_of(con, record) == "quarantined":
            continue
        # Decided: a new version (it is current now), or unchanged, a refresh or stale (the
        # original's content stays current). Either way the study's rows are whole.
        nct = _nct(original)
        ((current, version),) = con.execute(
            "SELECT content_hash, version_no FROM history.study_state WHERE nct_id = ?", [nct]
        ).fetchall()
        assert current in {content_hash(record), content_hash(original)}
        assert con.execute(
            "SELECT count(*) FROM ctgov.studies WHERE nct_id = ?", [nct]
        ).fetchall() == [(1,)]
        new_versions += version == 2
    assert new_versions == outcome.actions["new_version"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_screening_normalizing_diffing_and_summarizing_never_raise(records, data):
    # The pure steps alone, many more examples than the load path can afford.
    original = data.draw(st.sampled_from(records))
    (broken,) = _over_the_wire([data.draw(mutated([original]))])
    screening = screen([broken])
    assert len(screening.studies) + len(screening.rejected) == 1
    assert all(r.reason.strip() for r in screening.rejected)
    for study in screening.studies:
        normalize([(study.nct_id, study.record)], strict=frozenset({study.nct_id}))
        context = EventContext(study.nct_id, 1, 2, study.last_update_post_date, T0, "pure")
        change_events(original, study.record, context)
        page = summarize(study.record, generated_on=T0.date())
        assert "<script" not in page.html.lower()


# Two breakages the fuzzing above found, pinned as plain cases.


def test_a_record_nested_past_what_orjson_serializes_is_quarantined_not_fatal(con, records):
    # JSON parsers accept 1,024 levels; orjson serializes (hashes) 255. It failed the batch.
    deep = _fresh(copy.deepcopy(records[0]))
    deep["protocolSection"]["descriptionModule"] = {"detailedDescription": _deep(300)}
    good = _fresh(copy.deepcopy(records[1]))
    batch = _over_the_wire([deep, good])
    outcome = load_records(con, batch, _ctx("deep"))
    assert outcome.quarantined == 1 and outcome.actions == {"add": 1}
    assert [_outcome_of(con, r) for r in batch] == ["quarantined", "loaded"]


def test_a_new_version_whose_status_has_the_wrong_type_loads_and_reports_the_drift(con, records):
    # history.study_versions.overall_status took the value as it came: a boolean failed the batch.
    original = _fresh(copy.deepcopy(records[2]))
    load_records(con, _over_the_wire([original]), _ctx("status-1"))
    edited = copy.deepcopy(original)
    edited["protocolSection"]["statusModule"]["overallStatus"] = False
    edited["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-11-23"
    outcome = load_records(con, _over_the_wire([edited]), _ctx("status-2"))
    assert outcome.actions == {"new_version": 1}
    assert _outcome_of(con, edited) == "loaded"
    assert ("protocolSection.statusModule.overallStatus", "type_mismatch") in outcome.drift


# The last day of each legal form's period (AACT's `*_date`); illegal forms give no date.
LEGAL_PERIOD_ENDS = {
    "2024": dt.date(2024, 12, 31),
    "2024-03": dt.date(2024, 3, 31),
    "2024-03-15": dt.date(2024, 3, 15),
    "1999-12-31": dt.date(1999, 12, 31),
    "2024-02-29": dt.date(2024, 2, 29),
}
_START = "protocolSection.statusModule.startDateStruct.date"


def test_every_partial_date_form_loads_legal_ones_dated_and_illegal_ones_reported(con, records):
    # One batch: each record carries one form as its start date (a partial date), and the same
    # form as its cursor date (lastUpdatePostDate, a full date the sync depends on).
    forms = [*LEGAL_DATES, *ILLEGAL_DATES]
    starts, cursors = [], []
    for form in forms:
        record = _fresh(copy.deepcopy(records[4]))
        record["protocolSection"]["statusModule"]["startDateStruct"] = {"date": form}
        starts.append(record)
        cursor = _fresh(copy.deepcopy(records[4]))
        cursor["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = form
        cursors.append(cursor)
    outcome = load_records(con, _over_the_wire([*starts, *cursors]), _ctx("dates"))

    got = dict(
        con.execute(
            "SELECT start_month_year, start_date FROM ctgov.studies WHERE list_contains(?, nct_id)",
            [[_nct(r) for r in starts]],
        ).fetchall()
    )
    assert got == {form: LEGAL_PERIOD_ENDS.get(form) for form in forms}  # all load, text kept
    illegal_starts = sum(n for (path, kind), n in outcome.drift.items() if path == _START)
    assert illegal_starts == len(ILLEGAL_DATES)
    # The cursor date must be a real day: anything else is quarantined, never guessed.
    loaded = [_outcome_of(con, r) for r in cursors]
    full_days = {"2024-03-15", "1999-12-31", "2024-02-29"}
    assert loaded == ["loaded" if f in full_days else "quarantined" for f in forms]
