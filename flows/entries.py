"""A batch of bulk ZIP entries as records, and the digest the pages manifest keeps of it.

Apart from `flows.ingest` so that a shard worker (`flows.shard_work`) can parse its entries without
importing the load path and DuckDB, which it never uses (~0.2 s of each worker's start-up).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

from transforms.normalize import gc_paused
from transforms.screening import UNPARSABLE_KEY


def entries_digest(batch: Sequence[tuple[str, bytes]]) -> str:
    """sha256 of a batch's entry bytes, in order: what the pages manifest records of a batch."""
    return hashlib.sha256(b"".join(data for _, data in batch)).hexdigest()


def parse_entries(batch: Sequence[tuple[str, bytes]]) -> list[Any]:
    """The records of a batch of bulk entries (`_parse_entry`), parsed with the cyclic GC paused.

    Parsing 1,000 records creates about a million objects, and the GC would rescan them as they
    come: 2-6x the parse time (engineering reference, section 5).
    """
    with gc_paused():
        return [_parse_entry(nct, data) for nct, data in batch]


def _parse_entry(nct_id: str, data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        # Not JSON at all: still a record to quarantine (with its text), never a silent skip.
        return {
            UNPARSABLE_KEY: f"bulk entry {nct_id}",
            "error": str(err),
            "text": data[:100_000].decode("utf-8", "replace"),
        }
