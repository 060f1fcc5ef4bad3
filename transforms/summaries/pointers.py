"""JSON Pointers (RFC 6901): how every summary value names the record field it came from."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

MISSING = object()


@lru_cache(maxsize=65536)
def pointer(*keys: str | int) -> str:
    """The pointer of a path: `pointer("protocolSection", "conditionsModule", "conditions", 0)`."""
    text = "/".join(map(str, keys))
    if "~" in text or any("/" in k for k in keys if isinstance(k, str)):
        return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys)
    return "/" + text


@lru_cache(maxsize=65536)
def _keys(ptr: str) -> tuple[str, ...]:
    return tuple(raw.replace("~1", "/").replace("~0", "~") for raw in ptr[1:].split("/"))


def resolve(record: Any, ptr: str) -> Any:
    """The value at `ptr` in `record`, or `MISSING` when the path does not exist."""
    if ptr == "":
        return record
    if not ptr.startswith("/"):
        return MISSING
    cur = record
    for key in _keys(ptr):
        if isinstance(cur, dict | Mapping):
            if key not in cur:
                return MISSING
            cur = cur[key]
        elif isinstance(cur, list) and key.isdigit() and int(key) < len(cur):
            cur = cur[int(key)]
        else:
            return MISSING
    return cur
