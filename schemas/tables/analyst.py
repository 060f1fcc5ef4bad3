"""Analyst views in schema `pub`: open studies with their sites, latest versions, condition × phase.

They are created in the working database and in every published analyst database (`ALL_VIEWS`),
over schema-qualified tables, so they read the same in both. They only read columns that are
published (the published `history.study_versions` has no `raw_record`).
"""

from __future__ import annotations

from schemas.table import Table
from schemas.view import View

TABLES: tuple[Table, ...] = ()

# Overall statuses of a study that is enrolling or about to: RECRUITING, NOT_YET_RECRUITING and
# ENROLLING_BY_INVITATION (by invitation is still enrolling). Left out: UNKNOWN (a study whose
# last known status was recruiting but that is unverified for over two years), the closed
# statuses, and expanded access (AVAILABLE and friends: treatment access, not enrollment).
OPEN_STATUSES: tuple[str, ...] = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
_OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)

RECRUITING_SITES = View(
    "recruiting_sites",
    f"""
    SELECT s.nct_id, s.brief_title, s.overall_status, s.phase, s.study_type,
           f.id AS facility_id, f.ordinal AS facility_ordinal,
           f.status AS site_status, coalesce(f.status, s.overall_status) AS status,
           f.name AS facility_name, f.city, f.state, f.zip, f.country, f.latitude, f.longitude,
           s.last_update_posted_date
    FROM ctgov.studies s
    JOIN ctgov.facilities f ON f.nct_id = s.nct_id
    WHERE s.overall_status IN ({_OPEN})
      AND (f.status IS NULL OR f.status IN ({_OPEN}))
    """,
    "Sites of studies that are recruiting, not yet recruiting or enrolling by invitation, one row "
    "per site. A site whose own status is closed (ACTIVE_NOT_RECRUITING, COMPLETED, SUSPENDED, "
    "TERMINATED, WITHDRAWN) is left out; a site without a status (the registry gives site "
    "statuses for recruiting studies only) is kept. `status` is the site's status, else the "
    "study's. Contacts: join ctgov.facility_contacts on facility_id.",
    schema="pub",
)

LATEST_VERSIONS = View(
    "latest_versions",
    """
    SELECT nct_id, version_no, valid_from, valid_to, is_removed, content_hash,
           last_update_post_date, overall_status, data_timestamp, source, run_id
    FROM history.study_versions
    QUALIFY row_number() OVER (PARTITION BY nct_id ORDER BY version_no DESC) = 1
    """,
    "Each study's latest version (version_no = how many distinct versions trialsync has seen), "
    "without the raw record.",
    schema="pub",
)

STUDIES_BY_CONDITION_PHASE = View(
    "studies_by_condition_phase",
    f"""
    WITH mesh AS (
        SELECT DISTINCT nct_id, mesh_term AS condition, 'mesh-list' AS condition_source
        FROM ctgov.browse_conditions
        WHERE mesh_type = 'mesh-list' AND mesh_term IS NOT NULL
    ), submitted AS (
        SELECT DISTINCT c.nct_id, c.name AS condition, 'submitted' AS condition_source
        FROM ctgov.conditions c
        WHERE c.name IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM mesh m WHERE m.nct_id = c.nct_id)
    ), study_conditions AS (
        SELECT * FROM mesh UNION ALL SELECT * FROM submitted
    )
    SELECT sc.condition, sc.condition_source, s.phase,
           count(*) AS studies,
           count(*) FILTER (WHERE s.overall_status IN ({_OPEN})) AS open_studies
    FROM study_conditions sc
    JOIN ctgov.studies s ON s.nct_id = sc.nct_id
    GROUP BY sc.condition, sc.condition_source, s.phase
    """,
    "Study counts by condition × phase. A study counts under each MeSH term the registry assigned "
    "it (browse_conditions 'mesh-list'; condition_source 'mesh-list'), or, when it has none, "
    "under each condition as submitted (condition_source 'submitted', text as given). phase is "
    "studies.phase (AACT style, e.g. 'PHASE1/PHASE2'; NULL when the study gives none). "
    "open_studies: recruiting, not yet recruiting or enrolling by invitation.",
    schema="pub",
)

VIEWS: tuple[View, ...] = (RECRUITING_SITES, LATEST_VERSIONS, STUDIES_BY_CONDITION_PHASE)
