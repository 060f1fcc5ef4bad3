"""AACT's `all_*` views: one row per study with a '|'-joined list, exactly as AACT defines them.

AACT (`db/ctgov_v2.sql`) defines each as `array_to_string(array_agg([DISTINCT] col), '|')` over one
table, grouped by `nct_id`, in a column called `names`; the same columns, filters and DISTINCT-ness
are kept here. One deliberate difference: AACT's `array_agg` has no ORDER BY, so its order is
whatever Postgres read first. Here the order is fixed: DISTINCT lists are sorted (the only order a
DISTINCT aggregate can have), the others keep the registry's list order (the table's key).
As in AACT, a study with rows whose values are all NULL still gets a row (`names` NULL here, ''
in AACT), and a study without rows gets none.

Every other AACT table exists under its own name already: the registry families declare them
(`CTGOV_TABLES`), and `brief_summaries`, `detailed_descriptions`, `designs` and `eligibilities`
are views in `schemas/tables/studies.py`.

Left out on purpose (none of them is registry data):
    * `search_results`, `study_searches`, the `categories` view over them, and `covid_19_studies`
      (which filters on them): AACT's own tagging of studies by saved searches that it runs
      against ClinicalTrials.gov, not fields of the record.
    * `mesh_terms`, `mesh_headings`: a copy of the MeSH thesaurus, not of the registry.
    * `study_records`: AACT's raw JSON store; trialsync keeps every raw version in
      `history.study_versions` (working database) and the landed pages in `raw/`.
"""

from __future__ import annotations

from schemas.table import Table
from schemas.tables import arms, conditions, parties, sites
from schemas.view import View

TABLES: tuple[Table, ...] = ()


def _all_view(
    name: str, table: Table, column: str, *, distinct: bool, where: str = "", order: str = ""
) -> View:
    """AACT's `all_<name>`: `table.column` of each study joined with '|'.

    Without DISTINCT the values keep `order` (default: the table's key after `nct_id`, i.e. the
    registry's list order).
    """
    if distinct:
        aggregate = f"string_agg(DISTINCT {column}, '|' ORDER BY {column})"
        how = "distinct values, sorted"
    else:
        order = order or ", ".join(k for k in table.primary_key if k != "nct_id")
        aggregate = f"string_agg({column}, '|' ORDER BY {order})"
        how = "every value (repeats kept, as in AACT), in registry list order"
    filter_sql = f" WHERE {where}" if where else ""
    sql = (
        f"SELECT nct_id, {aggregate} AS names FROM {table.qualified_name}{filter_sql} "
        "GROUP BY nct_id"
    )
    scope = f" where {where}" if where else ""
    doc = f"AACT's {name}: {table.name}.{column}{scope} of each study joined with '|' ({how})."
    return View(name, sql, doc)


VIEWS: tuple[View, ...] = (
    _all_view("all_browse_conditions", conditions.BROWSE_CONDITIONS, "mesh_term", distinct=True),
    # AACT loads the assigned terms, then their ancestors: 'mesh-list' sorts after 'mesh-ancestor'.
    _all_view(
        "all_browse_interventions",
        conditions.BROWSE_INTERVENTIONS,
        "mesh_term",
        distinct=False,
        order="mesh_type DESC, ordinal",
    ),
    _all_view("all_cities", sites.FACILITIES, "city", distinct=True),
    _all_view("all_conditions", conditions.CONDITIONS, "name", distinct=True),
    _all_view("all_countries", sites.COUNTRIES, "name", distinct=True, where="removed IS NOT TRUE"),
    _all_view("all_design_outcomes", arms.DESIGN_OUTCOMES, "measure", distinct=True),
    _all_view("all_facilities", sites.FACILITIES, "name", distinct=False),
    _all_view("all_group_types", arms.DESIGN_GROUPS, "group_type", distinct=True),
    _all_view("all_id_information", parties.ID_INFORMATION, "id_value", distinct=True),
    _all_view("all_intervention_types", arms.INTERVENTIONS, "intervention_type", distinct=False),
    _all_view("all_interventions", arms.INTERVENTIONS, "name", distinct=False),
    _all_view("all_keywords", conditions.KEYWORDS, "name", distinct=True),
    _all_view(
        "all_overall_official_affiliations",
        parties.OVERALL_OFFICIALS,
        "affiliation",
        distinct=False,
    ),
    _all_view("all_overall_officials", parties.OVERALL_OFFICIALS, "name", distinct=False),
    _all_view(
        "all_primary_outcome_measures",
        arms.DESIGN_OUTCOMES,
        "measure",
        distinct=True,
        where="outcome_type = 'primary'",
    ),
    _all_view(
        "all_secondary_outcome_measures",
        arms.DESIGN_OUTCOMES,
        "measure",
        distinct=True,
        where="outcome_type = 'secondary'",
    ),
    _all_view("all_sponsors", parties.SPONSORS, "name", distinct=True),
    _all_view("all_states", sites.FACILITIES, "state", distinct=True),
)
