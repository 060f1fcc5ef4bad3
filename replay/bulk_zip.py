"""The official bulk ZIP layout (API reference, section 9), built from the replay server's studies.

One bare study object per entry, named `NN/NCTxxxxxxxx.json` where NN is the last two digits of the
NCT id. Entry timestamps are fixed so the same studies always give the same bytes (and ETag).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def entry_name(nct_id: str) -> str:
    """The ZIP entry of one study: `35/NCT02252835.json`."""
    return f"{nct_id[-2:]}/{nct_id}.json"


def entry_order(nct_id: str) -> tuple[str, str]:
    """Where a study's entry goes in the archive: by shard (`NN/`), then by id."""
    return nct_id[-2:], nct_id


def build_bulk_zip(studies: Iterable[tuple[str, Mapping[str, Any]]]) -> bytes:
    """ZIP bytes holding every (nct_id, study), in shard then id order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for nct_id, study in sorted(studies, key=lambda item: entry_order(item[0])):
            info = zipfile.ZipInfo(entry_name(nct_id), date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, orjson.dumps(study, option=orjson.OPT_INDENT_2))
    return buffer.getvalue()


def etag(body: bytes) -> str:
    """A strong ETag for the archive bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
