"""Drift between the API's own field list (`GET /studies/metadata`) and the paths trialsync knows.

The per-record drift walker (`transforms.drift`) only sees keys that records carry. This compares
the registry's declared data model with ours, so a renamed or new field is caught the day the API
announces it, before records carry it, and a field we map that the API stops listing is caught
before its column silently empties (AACT issue #925: a renamed key left
`studies.limitations_and_caveats` NULL for years, without an error).

Kinds:
    new_metadata_path: the metadata lists a leaf that is neither a spec leaf
        (`schemas.study.paths.leaf_specs`), nor a column source (`schemas.coverage.mapped_paths`),
        nor explained (`UNMAPPED`, `KNOWN_EXTRA_PATHS`).
    vanished_metadata_path: a spec leaf or column source that the metadata no longer lists.

Paths use our dotted notation with `[]` for list items: a FieldNode whose `type` ends in `[]` is a
list, so `locations` (type `Location[]`) gives `locations[].facility`, `conditions` (`text[]`)
gives `conditions[]`.

What is not drift (checked against the real capture `spec/studies-metadata_2024-10.json`):
    * Granularity: the metadata may describe a structure as one leaf where the spec has its parts
      (`locations[].geoPoint`, type `GeoPoint`, computed by a FUNC, vs our `geoPoint.lat`/`.lon`),
      or the other way round. A leaf inside an object we know as a leaf, or an object leaf with
      known leaves inside, matches (`ancestors`); a leaf that became a list of it does not.
    * Indexed-only and historic-only nodes (`indexedOnly`/`historicOnly`: search-index fields that
      records never carry). `/studies/metadata` omits them unless asked; they are skipped anyway.
    * `METADATA_UNLISTED`: spec leaves the metadata never listed, each with the reason.
    * Keys real records carry outside the spec (`KNOWN_EXTRA_PATHS`): the metadata never had them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from schemas.coverage import UNMAPPED, mapped_paths
from schemas.study.paths import KNOWN_EXTRA_PATHS, leaf_specs
from schemas.tables import CTGOV_TABLES

MetadataDriftKind = Literal["new_metadata_path", "vanished_metadata_path"]

# Spec leaves that the metadata does not list, and why that is not drift.
METADATA_UNLISTED: dict[str, str] = {
    "resultsSection.participantFlowModule.periods[].dropWithdraws[].reasons[].numUnits": (
        "The OAS reuses one schema (FlowStats) for milestone achievements and drop-out reasons, so "
        "the spec gives reasons a numUnits; the registry's data model (metadata 2024-10) has units "
        "for achievements only, and no sample record carries it."
    ),
}


class MetadataDrift(NamedTuple):
    """One difference between the API's field list and our known paths."""

    path: str
    kind: MetadataDriftKind
    example: str  # new: the metadata's piece name and type; vanished: the columns holding it


@dataclass(frozen=True)
class KnownPaths:
    """What trialsync knows about the record's leaves.

    Attributes:
        leaves: Every leaf path a new metadata leaf may match (spec, mapped, explained).
        expected: The leaves the metadata must keep listing, each with the columns holding it
            ("" when none does).
    """

    leaves: frozenset[str]
    expected: Mapping[str, str]


@cache
def known_paths() -> KnownPaths:
    """The model's paths: spec leaves, column sources, and the explained exceptions."""
    mapped = mapped_paths(CTGOV_TABLES)
    spec = leaf_specs()
    leaves = (
        frozenset(spec) | frozenset(mapped) | frozenset(UNMAPPED) | frozenset(KNOWN_EXTRA_PATHS)
    )
    expected = {
        path: ", ".join(mapped.get(path, ()))
        for path in sorted(set(spec) | set(mapped))
        if path not in KNOWN_EXTRA_PATHS and path not in METADATA_UNLISTED
    }
    return KnownPaths(leaves, MappingProxyType(expected))


def metadata_leaves(nodes: Sequence[Any]) -> dict[str, str]:
    """Every leaf path of a `/studies/metadata` FieldNode tree → `piece (type)`.

    Nodes that are not objects with a text `name` and `type` are skipped, as are indexed-only and
    historic-only nodes (never in a record).
    """
    return dict(_walk(nodes, ""))


def _walk(nodes: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if not isinstance(nodes, list):
        return
    for node in nodes:
        if not isinstance(node, Mapping) or node.get("indexedOnly") or node.get("historicOnly"):
            continue
        name, kind = node.get("name"), node.get("type")
        if not isinstance(name, str) or not name or not isinstance(kind, str):
            continue
        path = f"{prefix}.{name}" if prefix else name
        if kind.endswith("[]"):
            path += "[]"
        children = node.get("children")
        if isinstance(children, list) and children:
            yield from _walk(children, path)
        else:
            yield path, f"{node.get('piece')} ({kind})"


def ancestors(path: str) -> list[str]:
    """The objects `path` is inside: `a.b[].c` → `a`, `a.b[]` (a list itself is not one).

    Granularity is matched across these only, so a leaf that turns into a list of that leaf (or
    back) is drift: `conditions[]` and `conditions` are different shapes.
    """
    return [path[:i] for i, char in enumerate(path) if char == "."]


def _all_ancestors(paths: Iterable[str]) -> set[str]:
    return {a for p in paths for a in ancestors(p)}


def _matches(path: str, paths: frozenset[str] | set[str], their_ancestors: set[str]) -> bool:
    """`path` is in `paths`, or is an ancestor or a descendant of one."""
    return path in paths or path in their_ancestors or any(a in paths for a in ancestors(path))


def metadata_drift(nodes: Sequence[Any], known: KnownPaths | None = None) -> list[MetadataDrift]:
    """Leaves the metadata lists that we don't know, and known leaves it no longer lists.

    Sorted by kind, then path.

    Raises:
        ValueError: if `nodes` has no usable leaf at all (a broken response, not drift: reporting
            every known path as vanished would only bury the cause).
    """
    known = known or known_paths()
    listed = metadata_leaves(nodes)
    if not listed:
        raise ValueError("the /studies/metadata response lists no fields")
    listed_set = set(listed)
    listed_ancestors = _all_ancestors(listed_set)
    known_ancestors = _all_ancestors(known.leaves)
    new = [
        MetadataDrift(path, "new_metadata_path", piece)
        for path, piece in listed.items()
        if not _matches(path, known.leaves, known_ancestors)
    ]
    vanished = [
        MetadataDrift(path, "vanished_metadata_path", columns)
        for path, columns in known.expected.items()
        if not _matches(path, listed_set, listed_ancestors)
    ]
    return sorted(new + vanished, key=lambda d: (d.kind, d.path))
