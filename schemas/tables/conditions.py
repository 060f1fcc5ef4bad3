"""Conditions, keywords and the registry's derived MeSH terms (browse modules)."""

from __future__ import annotations

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Table

_COND = "protocolSection.conditionsModule"
_CBROWSE = "derivedSection.conditionBrowseModule"
_IBROWSE = "derivedSection.interventionBrowseModule"

CONDITIONS = Table(
    "conditions",
    stable_id(),
    nct_id(),
    ordinal(),
    text("name", f"{_COND}.conditions[]", "Condition as submitted; not MeSH-mapped."),
    text("downcase_name", None, "Lower-cased name (AACT helper for case-insensitive matching)."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per condition listed by the study",
)

KEYWORDS = Table(
    "keywords",
    stable_id(),
    nct_id(),
    ordinal(),
    text("name", f"{_COND}.keywords[]", "Keyword as submitted."),
    text("downcase_name", None, "Lower-cased name (AACT helper)."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per keyword listed by the study",
)


def _browse_mesh(name: str, module: str, what: str) -> Table:
    return Table(
        name,
        stable_id(),
        nct_id(),
        text(
            "mesh_type",
            None,
            "'mesh-list' (assigned term) or 'mesh-ancestor' (its ancestor).",
            nullable=False,
        ),
        ordinal("0-based position in the registry's meshes or ancestors list."),
        text("mesh_term", f"{module}.meshes[].term|{module}.ancestors[].term", "MeSH heading."),
        text("downcase_mesh_term", None, "Lower-cased mesh_term (AACT helper)."),
        text(
            "mesh_id",
            None,
            "MeSH unique id in one canonical form, zero-padded to 9 digits (D000010190), so that "
            "2023 records (padded) and 2025 records (unpadded D010190) join.",
        ),
        text("mesh_id_raw", f"{module}.meshes[].id|{module}.ancestors[].id", "MeSH id as given."),
        primary_key=("nct_id", "mesh_type", "ordinal"),
        grain=f"one row per MeSH term (or ancestor) the registry derived for the study's {what}",
    )


BROWSE_CONDITIONS = _browse_mesh("browse_conditions", _CBROWSE, "conditions")
BROWSE_INTERVENTIONS = _browse_mesh("browse_interventions", _IBROWSE, "interventions")

BROWSE_LEAVES = Table(
    "browse_leaves",
    stable_id(),
    nct_id(),
    text(
        "browse_kind", None, "'condition' or 'intervention': which browse module.", nullable=False
    ),
    ordinal(),
    text(
        "leaf_id",
        f"{_CBROWSE}.browseLeaves[].id|{_IBROWSE}.browseLeaves[].id",
        "Browse leaf id (e.g. M4897).",
    ),
    text("name", f"{_CBROWSE}.browseLeaves[].name|{_IBROWSE}.browseLeaves[].name", "Leaf name."),
    text(
        "as_found",
        f"{_CBROWSE}.browseLeaves[].asFound|{_IBROWSE}.browseLeaves[].asFound",
        "Text of the record the leaf was matched from.",
    ),
    text(
        "relevance",
        f"{_CBROWSE}.browseLeaves[].relevance|{_IBROWSE}.browseLeaves[].relevance",
        "LOW or HIGH.",
    ),
    primary_key=("nct_id", "browse_kind", "ordinal"),
    grain="one row per browse leaf (present in 2023-era records, gone from current data)",
)

BROWSE_BRANCHES = Table(
    "browse_branches",
    stable_id(),
    nct_id(),
    text(
        "browse_kind", None, "'condition' or 'intervention': which browse module.", nullable=False
    ),
    ordinal(),
    text(
        "abbrev",
        f"{_CBROWSE}.browseBranches[].abbrev|{_IBROWSE}.browseBranches[].abbrev",
        "Branch abbreviation (e.g. BXM).",
    ),
    text(
        "name", f"{_CBROWSE}.browseBranches[].name|{_IBROWSE}.browseBranches[].name", "Branch name."
    ),
    primary_key=("nct_id", "browse_kind", "ordinal"),
    grain="one row per browse branch (present in 2023-era records, gone from current data)",
)

TABLES = (
    CONDITIONS,
    KEYWORDS,
    BROWSE_CONDITIONS,
    BROWSE_INTERVENTIONS,
    BROWSE_LEAVES,
    BROWSE_BRANCHES,
)
