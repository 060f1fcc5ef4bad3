"""How a study record is stored inside the warehouse (history.study_versions.raw_record)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import zstandard

_LEVEL = 6


def compress_record(record: Mapping[str, Any]) -> bytes:
    """zstd-compressed JSON, key order kept as received."""
    return zstandard.ZstdCompressor(level=_LEVEL).compress(orjson.dumps(record))


def decompress_record(blob: bytes) -> dict[str, Any]:
    """The inverse of `compress_record`."""
    record: dict[str, Any] = orjson.loads(zstandard.ZstdDecompressor().decompress(blob))
    return record
