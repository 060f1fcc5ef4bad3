"""The whole Study record as one nested Arrow type, read from the models like `paths`.

Normalization converts a batch of parsed records into one nested Arrow array of this type, in C++,
and then flattens every table from it with Arrow kernels (`transforms.batch`). Walking the parsed
dicts in Python for ~60 tables cost 8x the JSON parse; one conversion plus column kernels does not.
Keys outside the spec (`locations_nested`, future drift) are not part of the type, so they are
skipped by the conversion; the drift check reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import pyarrow as pa

from schemas.study.models import Study
from schemas.study.paths import (
    LeafKindName,
    Spec,
    container_specs,
    extra_container_specs,
    extra_leaf_specs,
    leaf_specs,
    walk_model,
)

_LEAF_TYPES: Mapping[LeafKindName, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


def leaf_type(kind: LeafKindName) -> pa.DataType:
    """A leaf's Arrow type: dates and enums stay text (they are parsed where a column needs it)."""
    return _LEAF_TYPES.get(kind, pa.string())


# Known non-spec keys that no column reads: `locations_nested` repeats `locations` item for item,
# and reading both would double every site (transforms/sites.py).
UNREAD_EXTRAS = frozenset({"protocolSection.contactsLocationsModule.locations_nested"})


def _read(path: str) -> bool:
    return not any(
        path == root or path.startswith((f"{root}.", f"{root}[]")) for root in UNREAD_EXTRAS
    )


@cache
def study_arrow_type() -> pa.StructType:
    """The Arrow struct type of a whole Study record (spec order), with the known extras read."""
    leaves = leaf_specs() | {p: s for p, s in extra_leaf_specs().items() if _read(p)}
    containers = container_specs() | {p: s for p, s in extra_container_specs().items() if _read(p)}
    extras: list[Spec] = [*extra_container_specs().values(), *extra_leaf_specs().values()]
    children: dict[str, list[str]] = {}
    for spec in [*walk_model(Study), *extras]:  # spec order, then the extras
        if _read(spec.path) and not spec.path.endswith("[]"):
            parent, _, _ = spec.path.rpartition(".")
            children.setdefault(parent, []).append(spec.path)

    def struct(path: str) -> pa.StructType:
        return pa.struct([pa.field(p.rpartition(".")[2], of(p)) for p in children.get(path, ())])

    def of(path: str) -> pa.DataType:
        if path in leaves:
            return leaf_type(leaves[path].kind)
        if containers[path].kind == "object":
            return struct(path)
        item = f"{path}[]"
        return pa.list_(leaf_type(leaves[item].kind) if item in leaves else struct(item))

    return struct("")
