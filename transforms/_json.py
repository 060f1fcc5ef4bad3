"""The one way transforms read nested record JSON: missing modules are normal, never a KeyError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Record = Mapping[str, Any]


# Dotted path -> its keys. Paths are code constants, so this stays small; a plain dict lookup is
# cheaper than an lru_cache call, and get_path runs a few hundred times per study.
_KEYS: dict[str, tuple[str, ...]] = {}
_MAX_PATHS = 4096


def _keys(path: str) -> tuple[str, ...]:
    keys = _KEYS.get(path)
    if keys is None:
        keys = tuple(path.split("."))
        if len(_KEYS) < _MAX_PATHS:
            _KEYS[path] = keys
    return keys


def get_path(obj: Any, path: str, default: Any = None) -> Any:
    """Value at a dotted path (`protocolSection.statusModule.overallStatus`), or `default`.

    Stops at the first missing key or non-object on the way, because every module and key of a
    registry record is optional (API reference, section 11.1). Records are parsed JSON, so objects
    are plain dicts: checking `dict` (not the `Mapping` ABC) keeps this hot path cheap.
    """
    keys = _KEYS.get(path) or _keys(path)
    cur = obj
    for key in keys:
        if type(cur) is not dict:
            return default
        cur = cur.get(key)
        if cur is None:
            return default
    return cur
