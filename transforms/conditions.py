"""Tables for conditions, keywords and the derived MeSH browse tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.table import Table
from schemas.tables import conditions as tables
from transforms._ids import stable_ids
from transforms.batch import Level, study_order, table_of
from transforms.columns import constant, mapped, taken

_MESH_ID = re.compile(r"^([A-Z])(\d+)$")
_CONDITIONS = "protocolSection.conditionsModule"
_BROWSE_MODULES = (
    ("condition", "derivedSection.conditionBrowseModule"),
    ("intervention", "derivedSection.interventionBrowseModule"),
)
_MESH_LISTS = (("mesh-list", "meshes"), ("mesh-ancestor", "ancestors"))


def mesh_id(raw: Any) -> str | None:
    """MeSH id in one canonical form: the letter plus 9 zero-padded digits.

    2023 records pad ids (`D000001930`), 2025 records don't (`D001930`); newer MeSH ids are 9 digits
    either way (`D000071257`). Padding everything to 9 digits maps both eras to one value without
    guessing where MeSH's 6-digit numbering ended.
    """
    if not isinstance(raw, str):
        return None
    return _canonical_mesh_id(raw)


@lru_cache(maxsize=65536)
def _canonical_mesh_id(raw: str) -> str:
    # MeSH is a fixed vocabulary and browse lists repeat the common ancestors in most studies.
    match = _MESH_ID.match(raw.strip())
    if match is None:
        return raw
    letter, digits = match.groups()
    return f"{letter}{int(digits):09d}"


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def lowered(texts: pa.Array) -> pa.Array:
    """Python's `str.lower` of each text (AACT's downcase columns); null stays null.

    ASCII texts (nearly all) go through the Arrow kernel; the rest through `str.lower`, whose
    Unicode rules (final sigma, one letter to two) Arrow's `utf8_lower` does not follow.
    """
    lower = pc.ascii_lower(texts)
    other = pc.invert(pc.string_is_ascii(texts)).fill_null(False)
    if not pc.any(other).as_py():
        return lower
    return pc.replace_with_mask(lower, other, mapped(_lower, texts.filter(other), pa.string()))


def stacked(parts: Sequence[tuple[Level, Mapping[str, Any]]]) -> dict[str, pa.Array]:
    """Columns of several lists' rows, study by study, each study's lists in the order given.

    Each part is a level and its columns (an array per row, or one constant for all its rows);
    every part names the same columns. `nct_id` and `ordinal` are added.
    """
    names = ("nct_id", "ordinal", *parts[0][1])
    columns: dict[str, list[pa.Array]] = {name: [] for name in names}
    for level, values in parts:
        given = {"nct_id": level.nct_id, "ordinal": level.ordinal, **values}
        for name in names:
            value = given[name]
            columns[name].append(
                value if isinstance(value, pa.Array) else constant(value, len(level))
            )
    order = study_order([level for level, _ in parts])
    return {name: taken(arrays, order) for name, arrays in columns.items()}


def _named(table: Table, studies: Level, path: str) -> pa.Table:
    # Every item keeps a row, null or not (as submitted, position for position).
    found = studies.each(path, keep_nulls=True)
    nct_id = found.nct_id
    return table_of(
        table,
        len(found),
        {
            "id": stable_ids(table.name, nct_id, found.ordinal),
            "nct_id": nct_id,
            "ordinal": found.ordinal,
            "name": found.values,
            "downcase_name": lowered(found.values),
        },
    )


def conditions(studies: Level) -> pa.Table:
    """One row per submitted condition."""
    return _named(tables.CONDITIONS, studies, f"{_CONDITIONS}.conditions")


def keywords(studies: Level) -> pa.Table:
    """One row per submitted keyword."""
    return _named(tables.KEYWORDS, studies, f"{_CONDITIONS}.keywords")


def _mesh(table: Table, studies: Level, module: str) -> pa.Table:
    parts = []
    for mesh_type, key in _MESH_LISTS:
        meshes = studies.each(f"{module}.{key}")
        parts.append(
            (
                meshes,
                {
                    "mesh_type": mesh_type,
                    "mesh_term": meshes.field("term"),
                    "mesh_id_raw": meshes.field("id"),
                },
            )
        )
    columns = stacked(parts)
    # Derived once for both lists: one fixed call cost, and a text in both is read once.
    columns["downcase_mesh_term"] = lowered(columns["mesh_term"])
    columns["mesh_id"] = mapped(mesh_id, columns["mesh_id_raw"], pa.string())
    nct_id, ordinal = columns["nct_id"], columns["ordinal"]
    columns["id"] = stable_ids(table.name, nct_id, columns["mesh_type"], ordinal)
    return table_of(table, len(nct_id), columns)


def browse_conditions(studies: Level) -> pa.Table:
    """MeSH terms and ancestors the registry derived from the conditions."""
    return _mesh(tables.BROWSE_CONDITIONS, studies, _BROWSE_MODULES[0][1])


def browse_interventions(studies: Level) -> pa.Table:
    """MeSH terms and ancestors the registry derived from the interventions."""
    return _mesh(tables.BROWSE_INTERVENTIONS, studies, _BROWSE_MODULES[1][1])


def _browse(table: Table, studies: Level, key: str, fields: Mapping[str, str]) -> pa.Table:
    """`key` items of both browse modules, condition module's first in each study."""
    parts = []
    for kind, module in _BROWSE_MODULES:
        found = studies.each(f"{module}.{key}")
        values = {column: found.field(field) for column, field in fields.items()}
        parts.append((found, {"browse_kind": kind, **values}))
    columns = stacked(parts)
    nct_id, ordinal = columns["nct_id"], columns["ordinal"]
    columns["id"] = stable_ids(table.name, nct_id, columns["browse_kind"], ordinal)
    return table_of(table, len(nct_id), columns)


def browse_leaves(studies: Level) -> pa.Table:
    """Browse leaves of both browse modules (2023-era records only)."""
    fields = {"leaf_id": "id", "name": "name", "as_found": "asFound", "relevance": "relevance"}
    return _browse(tables.BROWSE_LEAVES, studies, "browseLeaves", fields)


def browse_branches(studies: Level) -> pa.Table:
    """Browse branches of both browse modules (2023-era records only)."""
    fields = {"abbrev": "abbrev", "name": "name"}
    return _browse(tables.BROWSE_BRANCHES, studies, "browseBranches", fields)


TABLE_BUILDERS = {
    tables.CONDITIONS: conditions,
    tables.KEYWORDS: keywords,
    tables.BROWSE_CONDITIONS: browse_conditions,
    tables.BROWSE_INTERVENTIONS: browse_interventions,
    tables.BROWSE_LEAVES: browse_leaves,
    tables.BROWSE_BRANCHES: browse_branches,
}
