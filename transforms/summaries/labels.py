"""Fixed words that are not sentences: section headings, table labels, slot fragments, months.

Part of the template set: a change here needs a new TEMPLATE_SET_VERSION (templates.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

HEADINGS: Mapping[str, str] = MappingProxyType(
    {
        "facts": "Quick facts",
        "studies": "What this trial studies",
        "who": "Who should consider this trial",
        "why": "Why it matters",
        "eligibility": "Eligibility criteria",
        "where": "Where this trial is running",
        "contacts": "Study contacts",
        "how": "How to take part",
        "conditions": "Conditions",
    }
)

# Table labels, part titles and link text: fixed words that are not sentences.
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "phase": "Phase",
        "study_type": "Study type",
        "status": "Status",
        "enrollment": "Number of people",
        "ages": "Ages",
        "sex": "Sex",
        "healthy": "Healthy people can join",
        "sponsor": "Led by",
        "places": "Places",
        "nct_id": "Trial ID",
        "facts_meaning": "What these facts mean",
        "design": "How the study works",
        "summary": "The study team's description",
        "fit": "Good fit",
        "not_fit": "Not a fit",
        "inclusion": "Who can join",
        "exclusion": "Who cannot join",
        "criteria": "All criteria",
        "outcomes": "Main results to be measured",
        "time_frame": "Time frame",
        "official_title": "Official title",
        "steps": "Steps",
        "view": "View on ClinicalTrials.gov",
        "words": "Words to know",
    }
)

# Fragments that fill joined slots: list glue, masked roles, units, age groups, months.
PHRASES: Mapping[str, str] = MappingProxyType(
    {
        "and": "and",
        "or": "or",
        "other_conditions": "other conditions",
        "other_treatments": "other treatments",
        "also_called": "also called",
        "mask.PARTICIPANT": "people in the study",
        "mask.CARE_PROVIDER": "their care team",
        "mask.INVESTIGATOR": "the researchers",
        "mask.OUTCOMES_ASSESSOR": "the people who check results",
        "age.CHILD": "children",
        "age.ADULT": "adults",
        "age.OLDER_ADULT": "older adults",
        "phase.EARLY_PHASE1": "Early Phase 1",
        "phase.PHASE1": "Phase 1",
        "phase.PHASE2": "Phase 2",
        "phase.PHASE3": "Phase 3",
        "phase.PHASE4": "Phase 4",
        "ext": "ext.",
    }
)

MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
