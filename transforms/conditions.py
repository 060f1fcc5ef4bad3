"""Rows for conditions, keywords and the derived MeSH browse tables."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from schemas.tables import conditions as tables
from transforms._ids import id_maker
from transforms._json import Record, get_dict, get_list, items

Row = dict[str, Any]
_MESH_ID = re.compile(r"^([A-Z])(\d+)$")


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


def _named_rows(table: str, nct_id: str, values: Any) -> list[Row]:
    ids = id_maker(table, nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "name": v,
            "downcase_name": v.lower() if isinstance(v, str) else None,
        }
        for i, v in enumerate(values)
    ]


def condition_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per submitted condition."""
    conditions = get_list(study, "protocolSection.conditionsModule.conditions")
    return _named_rows("conditions", nct_id, conditions)


def keyword_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per submitted keyword."""
    return _named_rows(
        "keywords", nct_id, get_list(study, "protocolSection.conditionsModule.keywords")
    )


def _mesh_rows(table: str, module: Record, nct_id: str) -> list[Row]:
    rows: list[Row] = []
    for mesh_type, key in (("mesh-list", "meshes"), ("mesh-ancestor", "ancestors")):
        meshes = items(get_list(module, key))
        if not meshes:
            continue
        ids = id_maker(table, nct_id, mesh_type)
        for i, mesh in meshes:
            term = mesh.get("term")
            rows.append(
                {
                    "id": ids(i),
                    "nct_id": nct_id,
                    "mesh_type": mesh_type,
                    "ordinal": i,
                    "mesh_term": term,
                    "downcase_mesh_term": term.lower() if isinstance(term, str) else None,
                    "mesh_id": mesh_id(mesh.get("id")),
                    "mesh_id_raw": mesh.get("id"),
                }
            )
    return rows


def browse_condition_rows(study: Record, nct_id: str) -> list[Row]:
    """MeSH terms and ancestors the registry derived from the conditions."""
    return _mesh_rows(
        "browse_conditions", get_dict(study, "derivedSection.conditionBrowseModule"), nct_id
    )


def browse_intervention_rows(study: Record, nct_id: str) -> list[Row]:
    """MeSH terms and ancestors the registry derived from the interventions."""
    return _mesh_rows(
        "browse_interventions", get_dict(study, "derivedSection.interventionBrowseModule"), nct_id
    )


_BROWSE_MODULES = (
    ("condition", "derivedSection.conditionBrowseModule"),
    ("intervention", "derivedSection.interventionBrowseModule"),
)
_BROWSE_LEAVES = tuple((kind, f"{path}.browseLeaves") for kind, path in _BROWSE_MODULES)
_BROWSE_BRANCHES = tuple((kind, f"{path}.browseBranches") for kind, path in _BROWSE_MODULES)


def browse_leaf_rows(study: Record, nct_id: str) -> list[Row]:
    """Browse leaves of both browse modules (2023-era records only)."""
    rows: list[Row] = []
    for kind, path in _BROWSE_LEAVES:
        found = items(get_list(study, path))
        if not found:
            continue
        ids = id_maker("browse_leaves", nct_id, kind)
        rows += [
            {
                "id": ids(i),
                "nct_id": nct_id,
                "browse_kind": kind,
                "ordinal": i,
                "leaf_id": leaf.get("id"),
                "name": leaf.get("name"),
                "as_found": leaf.get("asFound"),
                "relevance": leaf.get("relevance"),
            }
            for i, leaf in found
        ]
    return rows


def browse_branch_rows(study: Record, nct_id: str) -> list[Row]:
    """Browse branches of both browse modules (2023-era records only)."""
    rows: list[Row] = []
    for kind, path in _BROWSE_BRANCHES:
        found = items(get_list(study, path))
        if not found:
            continue
        ids = id_maker("browse_branches", nct_id, kind)
        rows += [
            {
                "id": ids(i),
                "nct_id": nct_id,
                "browse_kind": kind,
                "ordinal": i,
                "abbrev": branch.get("abbrev"),
                "name": branch.get("name"),
            }
            for i, branch in found
        ]
    return rows


BUILDERS = {
    tables.CONDITIONS: condition_rows,
    tables.KEYWORDS: keyword_rows,
    tables.BROWSE_CONDITIONS: browse_condition_rows,
    tables.BROWSE_INTERVENTIONS: browse_intervention_rows,
    tables.BROWSE_LEAVES: browse_leaf_rows,
    tables.BROWSE_BRANCHES: browse_branch_rows,
}
