"""Rows for conditions, keywords and the derived MeSH browse tables."""

from __future__ import annotations

import re
from typing import Any

from schemas.tables import conditions as tables
from transforms._ids import stable_id
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
    match = _MESH_ID.match(raw.strip())
    if match is None:
        return raw
    letter, digits = match.groups()
    return f"{letter}{int(digits):09d}"


def _named_rows(table: str, nct_id: str, values: Any) -> list[Row]:
    return [
        {
            "id": stable_id(table, nct_id, i),
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
        for i, mesh in items(get_list(module, key)):
            term = mesh.get("term")
            rows.append(
                {
                    "id": stable_id(table, nct_id, mesh_type, i),
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


def browse_leaf_rows(study: Record, nct_id: str) -> list[Row]:
    """Browse leaves of both browse modules (2023-era records only)."""
    return [
        {
            "id": stable_id("browse_leaves", nct_id, kind, i),
            "nct_id": nct_id,
            "browse_kind": kind,
            "ordinal": i,
            "leaf_id": leaf.get("id"),
            "name": leaf.get("name"),
            "as_found": leaf.get("asFound"),
            "relevance": leaf.get("relevance"),
        }
        for kind, path in _BROWSE_MODULES
        for i, leaf in items(get_list(study, f"{path}.browseLeaves"))
    ]


def browse_branch_rows(study: Record, nct_id: str) -> list[Row]:
    """Browse branches of both browse modules (2023-era records only)."""
    return [
        {
            "id": stable_id("browse_branches", nct_id, kind, i),
            "nct_id": nct_id,
            "browse_kind": kind,
            "ordinal": i,
            "abbrev": branch.get("abbrev"),
            "name": branch.get("name"),
        }
        for kind, path in _BROWSE_MODULES
        for i, branch in items(get_list(study, f"{path}.browseBranches"))
    ]


BUILDERS = {
    tables.CONDITIONS: condition_rows,
    tables.KEYWORDS: keyword_rows,
    tables.BROWSE_CONDITIONS: browse_condition_rows,
    tables.BROWSE_INTERVENTIONS: browse_intervention_rows,
    tables.BROWSE_LEAVES: browse_leaf_rows,
    tables.BROWSE_BRANCHES: browse_branch_rows,
}
