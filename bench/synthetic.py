"""A synthetic registry for the benchmarks: the sample records again and again, under new ids.

Study `i` is sample record `i % len(sample)` with `identificationModule.nctId` = `NCT9` + `i` in 7
digits. Only that one value is rewritten, in the raw bytes, so every copy hashes and normalizes
exactly like its original. Batches are made on demand (1,000 studies each, as a load commits
them), so a 600,000-study registry never sits in memory at once.

`registry_edit` changes a record the way the registry does: one real field edit (status,
enrollment, completion date or a site's status, in turn) and new version dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from bench.common import sample_bytes

BATCH = 1000
_NCT_ID = re.compile(rb'"nctId"\s*:\s*"NCT\d{8}"')
_sample: list[bytes] = []


def synthetic_id(i: int) -> str:
    """The NCT id of synthetic study `i` (NCT9xxxxxxx: never a real id)."""
    if not 0 <= i < 10_000_000:
        raise ValueError(f"synthetic study {i} is out of range")
    return f"NCT9{i:07d}"


def _samples() -> list[bytes]:
    if not _sample:
        _sample.extend(sample_bytes())
    return _sample


def synthetic_blob(i: int) -> bytes:
    """The raw JSON of synthetic study `i`."""
    blobs = _samples()
    # identificationModule comes first in every record, so the first nctId key is the study's own
    new_id = b'"nctId": "%s"' % synthetic_id(i).encode()
    blob, found = _NCT_ID.subn(new_id, blobs[i % len(blobs)], count=1)
    if not found:
        raise ValueError(f"sample record {i % len(blobs)} has no nctId")
    return blob


def synthetic_batches(count: int, *, start: int = 0, batch: int = BATCH) -> Iterator[list[bytes]]:
    """Studies `start` .. `start + count - 1` as raw JSON, `batch` at a time."""
    for first in range(start, start + count, batch):
        yield [synthetic_blob(i) for i in range(first, min(first + batch, start + count))]


def parse(blobs: Sequence[bytes]) -> list[dict[str, Any]]:
    """Parsed records (what a load receives from a page)."""
    return [orjson.loads(blob) for blob in blobs]


_STATUSES = ("ACTIVE_NOT_RECRUITING", "COMPLETED", "SUSPENDED")


def registry_edit(record: dict[str, Any], kind: int, day: str) -> dict[str, Any]:
    """`record` (edited in place and returned) as the registry edits a study, posted on `day`.

    `kind` picks the edit (status, enrollment, completion date, a site's status); the new value
    depends on `day`, so edits on consecutive days are real changes of each other too.
    """
    protocol = record["protocolSection"]
    status = protocol["statusModule"]
    n = dt.date.fromisoformat(day).toordinal()
    if kind % 4 == 0:
        status["overallStatus"] = _STATUSES[n % len(_STATUSES)]
    elif kind % 4 == 1:
        enrollment = protocol.setdefault("designModule", {}).setdefault("enrollmentInfo", {})
        enrollment["count"] = int(enrollment.get("count") or 0) + n % 97 + 1
    elif kind % 4 == 2:
        status["completionDateStruct"] = {"date": day, "type": "ESTIMATED"}
    else:
        sites = protocol.get("contactsLocationsModule", {}).get("locations") or []
        if sites:
            sites[0]["status"] = ("COMPLETED", "RECRUITING")[n % 2]
        else:
            protocol["identificationModule"]["acronym"] = f"EDIT-{day}"
    status["lastUpdateSubmitDate"] = day
    status["lastUpdatePostDateStruct"] = {"date": day, "type": "ACTUAL"}
    return record
