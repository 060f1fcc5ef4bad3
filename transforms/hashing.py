"""Content hashes of a study record: what counts as a new version, and what is only refresh noise.

Two hashes, both insensitive to key order:

* `content_hash`: the record minus every class of refresh noise below. Only when it changes is a new
  version kept and are change events emitted.
* `record_hash`: the record minus `versionHolder`. When it changes, the current tables are
  refreshed. It hashes the content hash's bytes followed by the noise they leave out, so one
  serialization and one pass of blake2b give both (`study_hashes`: 0.08 ms per sample study,
  against 0.18 for two whole-record hashes).

Noise classes, each seen in `ctgov-sample/versions/` between two refreshes of an unedited study:

1. `derivedSection.miscInfoModule.versionHolder`: the date of the data refresh, new every weekday.
2. The order of the derived MeSH lists (`meshes`, `ancestors`, `browseLeaves`, `browseBranches`):
   the registry re-sorts them between refreshes; as sets they are unchanged.
3. `browseLeaves[].asFound`: the matched source text moves between leaves with the same terms.
4. The ACTUAL/ESTIMATED `type` of the four *posted* dates (first posted, results first posted,
   disposition first posted, last update posted): a just-posted record shows ESTIMATED until the
   next refresh flips it to ACTUAL. The posted dates themselves stay in the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

_BROWSE_MODULES = ("conditionBrowseModule", "interventionBrowseModule")
_BROWSE_LISTS = ("meshes", "ancestors", "browseLeaves", "browseBranches")
_POSTED_DATES = (
    "studyFirstPostDateStruct",
    "resultsFirstPostDateStruct",
    "dispFirstPostDateStruct",
    "lastUpdatePostDateStruct",
)


def _digest(obj: Any) -> str:
    return hashlib.blake2b(
        orjson.dumps(obj, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()


def _without(mapping: Any, key: str) -> Any:
    if isinstance(mapping, Mapping) and key in mapping:
        return {k: v for k, v in mapping.items() if k != key}
    return mapping


def _replace(mapping: Any, key: str, value: Any) -> Any:
    if not isinstance(mapping, Mapping):
        return mapping
    return {**mapping, key: value}


def without_version_holder(study: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record without `versionHolder` (a shallow rebuild; the input is never mutated)."""
    derived = study.get("derivedSection")
    misc = derived.get("miscInfoModule") if isinstance(derived, Mapping) else None
    if not isinstance(misc, Mapping) or "versionHolder" not in misc:
        return study
    return {
        **study,
        "derivedSection": _replace(derived, "miscInfoModule", _without(misc, "versionHolder")),
    }


def _sort_key(item: Any) -> bytes:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


def _canonical_browse(module: Any) -> Any:
    if not isinstance(module, Mapping):
        return module
    out = dict(module)
    for key in _BROWSE_LISTS:
        values = out.get(key)
        if isinstance(values, list):
            if key == "browseLeaves":
                values = [_without(v, "asFound") for v in values]
            out[key] = sorted(values, key=_sort_key)
    return out


def _canonical_status(status: Any) -> Any:
    if not isinstance(status, Mapping):
        return status
    out = dict(status)
    for key in _POSTED_DATES:
        out[key] = _without(out.get(key), "type")
        if out[key] is None:
            del out[key]
    return out


def canonical_content(study: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record with every noise class removed: what `content_hash` hashes and diffs compare."""
    out = dict(without_version_holder(study))
    derived = out.get("derivedSection")
    if isinstance(derived, Mapping):
        derived = dict(derived)
        for name in _BROWSE_MODULES:
            if name in derived:
                derived[name] = _canonical_browse(derived[name])
        out["derivedSection"] = derived
    protocol = out.get("protocolSection")
    if isinstance(protocol, Mapping) and "statusModule" in protocol:
        out["protocolSection"] = _replace(
            protocol, "statusModule", _canonical_status(protocol["statusModule"])
        )
    return out


def study_hashes(study: Mapping[str, Any]) -> tuple[str, str]:
    """(`content_hash`, `record_hash`) of the record, serializing and hashing its content once."""
    hasher = hashlib.blake2b(
        orjson.dumps(canonical_content(study), option=orjson.OPT_SORT_KEYS), digest_size=16
    )
    content = hasher.hexdigest()
    # JSON text never holds a raw NUL, so content and noise cannot run into each other.
    hasher.update(b"\x00" + orjson.dumps(_noise(study), option=orjson.OPT_SORT_KEYS))
    return content, hasher.hexdigest()


def _noise(study: Mapping[str, Any]) -> dict[str, Any]:
    """What `canonical_content` leaves out or reorders, except `versionHolder`, as received."""
    derived = study.get("derivedSection")
    protocol = study.get("protocolSection")
    status = protocol.get("statusModule") if isinstance(protocol, Mapping) else None
    return {
        "browse": [derived.get(n) for n in _BROWSE_MODULES] if isinstance(derived, Mapping) else [],
        "posted": [status.get(k) for k in _POSTED_DATES] if isinstance(status, Mapping) else [],
    }


def record_hash(study: Mapping[str, Any]) -> str:
    """Hash of the record minus `versionHolder`; changes whenever any published value changes."""
    return study_hashes(study)[1]


def content_hash(study: Mapping[str, Any]) -> str:
    """Hash of the record minus refresh noise; changes only with a real edit."""
    return _digest(canonical_content(study))
