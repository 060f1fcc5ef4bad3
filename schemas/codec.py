"""How a study record is stored inside the warehouse (history.study_versions.raw_record)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import zstandard

# zstd's default level. Measured on the sample (bench, 21.6 KB of JSON per study): level 3 takes
# 0.09 ms per study and keeps 26.6 % of the bytes; level 6 took 0.33 ms (the costliest step of
# a load after normalizing) for 25.4 %. Any level decompresses the same way.
_LEVEL = 3
# A compressor is reused (building one costs ~10 us, a tenth of compressing a record), one
# per thread because python-zstandard's compressors are not safe to share between threads.
_LOCAL = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    compressor = getattr(_LOCAL, "compressor", None)
    if compressor is None:
        compressor = _LOCAL.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor


def encode_record(record: Mapping[str, Any]) -> bytes:
    """The JSON text that is stored compressed, key order kept as received."""
    return orjson.dumps(record)


def compress_record(record: Mapping[str, Any]) -> bytes:
    """zstd-compressed JSON, key order kept as received."""
    return _compressor().compress(encode_record(record))


def compress_encoded(texts: Sequence[bytes]) -> list[bytes]:
    """`compress_record` of each record, given as its `encode_record` text.

    One call compresses them all without holding the GIL, so a load runs it on another thread
    beside the batch's normalizing (which holds it). Compressing per record there would stall:
    each call would wait for the GIL to come back.
    """
    if not texts:
        return []
    frames = _compressor().multi_compress_to_buffer(list(texts), threads=1)
    return [frames[i].tobytes() for i in range(len(frames))]


def decompress_record(blob: bytes) -> dict[str, Any]:
    """The inverse of `compress_record`."""
    record: dict[str, Any] = orjson.loads(zstandard.ZstdDecompressor().decompress(blob))
    return record
