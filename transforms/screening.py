"""Screening a batch of parsed records: usable or quarantined, hashed, drift noted, newest kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from schemas.ids import normalize_nct_id
from schemas.study.envelope import envelope_problem
from schemas.study.paths import OVERALL_STATUS
from transforms._dates import parse_date
from transforms._json import get_path
from transforms.drift import Drift, drift_observations
from transforms.hashing import study_hashes
from transforms.normalize import gc_paused


@dataclass(frozen=True)
class ScreenedStudy:
    """A usable record with what the load step decides on.

    A study pickles without its record: a worker process that screened it hands the writer its
    compressed record instead (`flows.shard_work`), so the records are not serialized twice, and
    anything on the writer's side that reads `record` without asking for it fails loudly.
    """

    nct_id: str
    record: Mapping[str, Any]
    content_hash: str
    record_hash: str
    last_update_post_date: dt.date | None
    overall_status: str | None
    position: int
    has_type_drift: bool = False

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "record"}


TYPE_DRIFT = frozenset({"type_mismatch", "bad_date", "bad_format"})


@dataclass(frozen=True)
class Rejected:
    """A record that cannot be used at all, kept whole with the reason."""

    nct_id: str | None
    reason: str
    raw: bytes
    record_key: str


@dataclass
class Screening:
    """The outcome of screening one batch."""

    studies: list[ScreenedStudy] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)


def screen(records: Sequence[Any]) -> Screening:
    """Validate, hash and drift-check each record; records that fail the envelope are rejected.

    Runs with the cyclic GC paused, as `normalize` does: the batch's records are alive, and the
    hashing and drift objects made meanwhile would have the GC rescan them again and again.
    """
    with gc_paused():
        return _screened(records)


def _screened(records: Sequence[Any]) -> Screening:
    out = Screening()
    for position, record in enumerate(records):
        problem = _unparsable(record) or envelope_problem(record)
        hashes = problem or _hashes(record)
        if isinstance(hashes, str):
            out.rejected.append(_rejected(record, hashes))
            continue
        nct_id = normalize_nct_id(record["protocolSection"]["identificationModule"]["nctId"])
        drift = drift_observations(record, nct_id)
        out.drift.extend(drift)
        out.studies.append(
            ScreenedStudy(
                nct_id=nct_id,
                record=record,
                content_hash=hashes[0],
                record_hash=hashes[1],
                last_update_post_date=parse_date(
                    get_path(record, "protocolSection.statusModule.lastUpdatePostDateStruct.date")
                ),
                overall_status=_text(get_path(record, OVERALL_STATUS)),
                position=position,
                has_type_drift=any(d.kind in TYPE_DRIFT for d in drift),
            )
        )
    return out


def _text(value: Any) -> str | None:
    # A status of another type is already reported as type drift; it must not fail the batch's
    # history write (the record itself is kept whole in the version's raw_record).
    return value if isinstance(value, str) else None


def _hashes(record: Any) -> tuple[str, str] | str:
    """(content hash, record hash), or why the record cannot be hashed.

    Hashed before anything walks the record: JSON parsers accept nesting up to 1,024 levels, but
    orjson serializes (and so hashes) at most 255, and the walkers recurse. API records nest about
    ten levels deep; one nested past 255 is not a record, and must not fail its whole batch.
    """
    try:
        return study_hashes(record)
    except TypeError as err:  # orjson.JSONEncodeError: "Recursion limit reached"
        return f"record cannot be serialized to hash it: {err}"


UNPARSABLE_KEY = "_unparsable_entry"
# How deep a quarantined record is kept: orjson serializes at most 255 levels.
CLIP_DEPTH = 200


def _unparsable(record: Any) -> str | None:
    """The reason for a placeholder standing in for bytes that were not JSON at all."""
    if isinstance(record, Mapping) and UNPARSABLE_KEY in record:
        return f"{record[UNPARSABLE_KEY]} is not valid JSON: {record.get('error')}"
    return None


def _clipped(node: Any, depth: int = 1) -> Any:
    """`node` with whatever lies deeper than `CLIP_DEPTH` levels replaced by a note."""
    if not isinstance(node, Mapping | list):
        return node
    if depth > CLIP_DEPTH:
        return f"<clipped: nested deeper than {CLIP_DEPTH} levels>"
    if isinstance(node, Mapping):
        return {k: _clipped(v, depth + 1) for k, v in node.items()}
    return [_clipped(v, depth + 1) for v in node]


def _rejected(record: Any, reason: str) -> Rejected:
    try:
        raw = orjson.dumps(record, default=repr)
    except TypeError:  # nested past the 255 levels orjson serializes: keep it, clipped
        raw = orjson.dumps(_clipped(record), default=repr)
    nct = get_path(record, "protocolSection.identificationModule.nctId")
    return Rejected(
        nct_id=nct if isinstance(nct, str) else None,
        reason=reason,
        raw=raw,
        record_key=hashlib.sha256(raw).hexdigest(),
    )


def newest_per_study(studies: Sequence[ScreenedStudy]) -> list[ScreenedStudy]:
    """One record per study: the newest lastUpdatePostDate, and the later one on a tie.

    DuckDB keeps the first row when a key repeats inside one upsert, silently (engineering
    reference, section 2.2), so duplicates must be resolved before the merge.
    """
    best: dict[str, ScreenedStudy] = {}
    for study in studies:
        current = best.get(study.nct_id)
        if current is None or _newness(study) >= _newness(current):
            best[study.nct_id] = study
    return sorted(best.values(), key=lambda s: s.position)


def _newness(study: ScreenedStudy) -> tuple[dt.date, int]:
    return (study.last_update_post_date or dt.date.min, study.position)
