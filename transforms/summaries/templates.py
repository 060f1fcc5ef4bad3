"""Every fixed string of a summary page, versioned: templates (`{slot}` holes), headings, labels.

Wording rules (tested per string): at most 15 words per sentence, at most one word of three or more
syllables unless the glossary defines it, no rare words, no claims that a treatment works.
Bump TEMPLATE_SET_VERSION whenever a string changes, GENERATOR_VERSION whenever output can change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from transforms.summaries.labels import HEADINGS, LABELS, MONTHS, PHRASES

TEMPLATE_SET_VERSION = "2026-11-24.1"
GENERATOR_VERSION = f"summaries-1.0.0+{TEMPLATE_SET_VERSION}"

_PURPOSE_LEDES = {
    "TREATMENT": "This study is testing if {interventions} can help treat {conditions}.",
    "PREVENTION": "This study is testing if {interventions} can help prevent {conditions}.",
    "SUPPORTIVE_CARE": "This study is testing if {interventions} can help people with {conditions} "
    "feel better.",
    "DIAGNOSTIC": "This study is testing if {interventions} can help doctors find {conditions}.",
    "SCREENING": "This study is testing if {interventions} can help find {conditions} early.",
}

_PURPOSES = {
    "TREATMENT": "The main goal is to test a way to treat a health problem.",
    "PREVENTION": "The main goal is to test a way to prevent a health problem.",
    "SUPPORTIVE_CARE": "The main goal is to ease symptoms or side effects and help people cope.",
    "DIAGNOSTIC": "The main goal is to test a way to find a health problem.",
    "SCREENING": "The main goal is to test a way to check for a health problem early.",
    "HEALTH_SERVICES_RESEARCH": "The main goal is to study how health care is given or used.",
    "BASIC_SCIENCE": "The main goal is to learn how the body or a treatment works.",
    "DEVICE_FEASIBILITY": "The main goal is to see if a new device can be used as planned.",
    "ECT": "The main goal is to test a way to teach, counsel or train people.",
}

_PHASES = {
    "EARLY_PHASE1": (
        "Early Phase 1 studies test a drug in a very small group of people.",
        "They use very low doses.",
    ),
    "PHASE1": (
        "Phase 1 studies test a new treatment in a small group for the first time.",
        "They look at safety and the right dose.",
    ),
    "PHASE2": (
        "Phase 2 studies give a treatment to more people.",
        "They check if it works and watch for side effects.",
    ),
    "PHASE3": (
        "Phase 3 studies give a treatment to large groups of people.",
        "They compare it with other treatments and watch for side effects.",
    ),
    "PHASE4": (
        "Phase 4 studies look at a treatment after it is approved for use.",
        "They learn more about its benefits and risks over time.",
    ),
}

_STATUS_SENTENCES = {
    "RECRUITING": "The study is looking for people to join now.",
    "NOT_YET_RECRUITING": "The study is not looking for people yet.",
    "ENROLLING_BY_INVITATION": "Only people invited by the study team can join.",
    "ACTIVE_NOT_RECRUITING": "The study is still going on, but it is not taking new people.",
    "COMPLETED": "The study has ended. It is not taking new people.",
    "TERMINATED": "The study stopped early. It is not taking new people.",
    "WITHDRAWN": "The study stopped before anyone joined.",
    "SUSPENDED": "The study is on hold for now. It is not taking new people.",
    "UNKNOWN": "The status of this study is not known. It has not been checked in 2 years.",
    "AVAILABLE": "This treatment can be asked for now, outside a study.",
    "NO_LONGER_AVAILABLE": "This treatment can no longer be asked for this way.",
    "TEMPORARILY_NOT_AVAILABLE": "This treatment cannot be asked for right now.",
    "APPROVED_FOR_MARKETING": "This treatment is now approved for sale.",
}

_STATUS_FACTS = {
    "RECRUITING": "Looking for people now",
    "NOT_YET_RECRUITING": "Not looking for people yet",
    "ENROLLING_BY_INVITATION": "By invitation only",
    "ACTIVE_NOT_RECRUITING": "Going on, not taking new people",
    "COMPLETED": "Ended",
    "TERMINATED": "Stopped early",
    "WITHDRAWN": "Stopped before anyone joined",
    "SUSPENDED": "On hold",
    "UNKNOWN": "Not known",
    "AVAILABLE": "Can be asked for",
    "NO_LONGER_AVAILABLE": "No longer offered",
    "TEMPORARILY_NOT_AVAILABLE": "Not offered right now",
    "APPROVED_FOR_MARKETING": "Approved for sale",
}

_SPONSOR_CLASSES = {
    "INDUSTRY": "{sponsor} (a company)",
    "NIH": "{sponsor} (part of the U.S. National Institutes of Health)",
    "FED": "{sponsor} (part of the U.S. government)",
    "OTHER_GOV": "{sponsor} (part of a government)",
    "NETWORK": "{sponsor} (a research network)",
    "INDIV": "{sponsor} (a single researcher)",
    "OTHER": "{sponsor} (a hospital, college or other group)",
}

# First group of a study reads "One group ...", the next ones "Another group ...".
_ARM_TYPES = {
    "EXPERIMENTAL": "group gets {interventions}.",
    "ACTIVE_COMPARATOR": "group gets {interventions} so the results can be compared.",
    "PLACEBO_COMPARATOR": "group gets a placebo.",
    "SHAM_COMPARATOR": "group gets a sham treatment.",
    "NO_INTERVENTION": "group gets no study treatment.",
    "OTHER": "group gets {interventions}.",
}

_OFFICIAL_ROLES = {
    "PRINCIPAL_INVESTIGATOR": "Lead researcher: {official}",
    "STUDY_DIRECTOR": "Study director: {official}",
    "STUDY_CHAIR": "Study chair: {official}",
    "SUB_INVESTIGATOR": "Researcher: {official}",
}


def _arm_templates() -> dict[str, str]:
    # Observational groups have no type: they are named by their label. When names would make a
    # sentence too long, the ".short" form says what kind of group it is without them.
    out = {
        "studies.arm.short.first.EXPERIMENTAL": "One group gets the treatment being tested.",
        "studies.arm.short.next.EXPERIMENTAL": "Another group gets the treatment being tested.",
        "studies.arm.short.first.ACTIVE_COMPARATOR": "One group gets a standard treatment to "
        "compare.",
        "studies.arm.short.next.ACTIVE_COMPARATOR": "Another group gets a standard treatment to "
        "compare.",
        "studies.cohort.first": "One group is called “{label}”.",
        "studies.cohort.next": "Another group is called “{label}”.",
    }
    for code, rest in _ARM_TYPES.items():
        out[f"studies.arm.first.{code}"] = "One " + rest
        out[f"studies.arm.next.{code}"] = "Another " + rest
    return out


_SENTENCES: dict[str, str] = {
    "headline.for": "{interventions} for {conditions}",
    "headline.title": "{title}",
    "lede.about": "This study is about {conditions}.",
    "lede.about_interventions": "This study is about {interventions}.",
    "lede.EXPANDED_ACCESS": "This record is about expanded access to {interventions}.",
    # Quick facts: table cells.
    "fact.phases": "{phases}",
    "fact.phase.NA": "Does not apply",
    "fact.study_type.INTERVENTIONAL": "Interventional",
    "fact.study_type.OBSERVATIONAL": "Observational",
    "fact.study_type.EXPANDED_ACCESS": "Expanded access",
    "fact.enrollment.ESTIMATED": "{count} (planned)",
    "fact.enrollment.ACTUAL": "{count} (actual)",
    "fact.enrollment": "{count}",
    "fact.ages.range": "{min} to {max}",
    "fact.ages.min": "{min} and older",
    "fact.ages.max": "Up to {max}",
    "fact.ages.std": "{groups}",
    "fact.sex.ALL": "All",
    "fact.sex.FEMALE": "Female",
    "fact.sex.MALE": "Male",
    "fact.healthy.TRUE": "Yes",
    "fact.healthy.FALSE": "No",
    "fact.sponsor": "{sponsor}",
    "fact.places.one": "1 site ({place})",
    "fact.places.one_bare": "1 site",
    "fact.places.many": "{count} sites",
    "fact.places.countries": "{count} sites in {countries} countries",
    "fact.nct_id": "{nct_id} on ClinicalTrials.gov",
    # Quick facts: what the facts mean.
    "facts.type.INTERVENTIONAL": "In this study, people get a treatment or other care chosen "
    "by the researchers.",
    "facts.type.OBSERVATIONAL": "In this study, researchers watch and measure what happens "
    "to people.",
    "facts.type.OBSERVATIONAL.2": "They do not choose a treatment for anyone.",
    "facts.type.EXPANDED_ACCESS": "Expanded access lets some patients get a treatment that "
    "is not yet approved.",
    "facts.enrollment.ESTIMATED": "The study plans to include about {count} people.",
    "facts.enrollment.ESTIMATED.one": "The study plans to include {count} person.",
    "facts.enrollment.ACTUAL": "The study included {count} people.",
    "facts.enrollment.ACTUAL.one": "The study included {count} person.",
    "facts.enrollment": "The study is for about {count} people.",
    # What this trial studies.
    "studies.tests.one": "The treatment being tested is {interventions}.",
    "studies.tests.many": "The treatments being tested are {interventions}.",
    "studies.tests.listed": "The study lists {count} treatments or kinds of care.",
    "studies.groups.one": "There is {count} group in this study.",
    "studies.groups.many": "There are {count} groups in this study.",
    "studies.groups.more": "The other groups are listed on ClinicalTrials.gov.",
    "studies.allocation.RANDOMIZED": "People are put into groups by chance, like flipping a coin.",
    "studies.allocation.RANDOMIZED.why": "This helps make the groups alike.",
    "studies.allocation.NON_RANDOMIZED": "People are not put into groups by chance.",
    "studies.masking.NONE": "Everyone knows which treatment each person gets.",
    "studies.masking.who": "{who} do not know who gets which treatment.",
    "studies.masking.some": "Some people in the study do not know who gets which treatment.",
    "studies.masking.why": "This helps keep the results fair.",
    "studies.model.PARALLEL": "Each group gets a different treatment at the same time.",
    "studies.model.SINGLE_GROUP": "Everyone in the study gets the same treatment.",
    "studies.model.CROSSOVER": "Each person gets each treatment, one after the other.",
    "studies.model.FACTORIAL": "People get different mixes of two or more treatments.",
    "studies.model.SEQUENTIAL": "Groups of people start the study one after another.",
    "studies.summary.note": "Here is how the study team describes the study.",
    # Who should consider it.
    "who.fit.age.range": "You are {min} to {max} old.",
    "who.fit.age.min": "You are {min} or older.",
    "who.fit.age.max": "You are {max} or younger.",
    "who.fit.age.std": "The study is for {groups}.",
    "who.fit.sex.ALL": "People of any sex can join.",
    "who.fit.sex.FEMALE": "Only women can join.",
    "who.fit.sex.MALE": "Only men can join.",
    "who.fit.healthy.TRUE": "Healthy people can join.",
    "who.fit.healthy.FALSE": "You have the health problem being studied.",
    "who.not.age.min": "You are younger than {min}.",
    "who.not.age.max": "You are older than {max}.",
    "who.not.sex.FEMALE": "You are a man.",
    "who.not.sex.MALE": "You are a woman.",
    "who.not.healthy.FALSE": "You are healthy and do not have the health problem being studied.",
    "who.gender.note": "The study team wrote this about sex or gender:",
    "who.more": "The full rules for who can join are listed below.",
    # Why it matters.
    "why.primary.one": "The researchers will measure one main result, shown below.",
    "why.primary.many": "The researchers will measure {count} main results, shown below.",
    "why.primary.shown": "The first 5 are shown below.",
    "why.secondary.one": "They will also measure {count} other result.",
    "why.secondary.many": "They will also measure {count} other results.",
    "why.results.posted": "The study team has posted results on ClinicalTrials.gov.",
    "why.results.none": "No results have been posted on ClinicalTrials.gov yet.",
    "why.no_claims": "This page does not judge how well any treatment works.",
    # Eligibility.
    "eligibility.intro": "These are the rules for who can and cannot join this study.",
    "eligibility.note": "They are shown as written by the study team.",
    "eligibility.unsplit": "The study team did not split them into two lists.",
    # Where.
    "where.one": "The study team lists {count} site.",
    "where.many": "The study team lists {count} sites.",
    "where.countries": "The study team lists {count} sites in {countries} countries.",
    "where.more": "The full list of sites is on ClinicalTrials.gov.",
    "where.place": "{place}",
    # Contacts.
    "contacts.central.intro": "You can reach the study team here.",
    "contacts.central": "{contact}",
    "contacts.officials.intro": "These people lead the study.",
    "contacts.official": "{official}",
    # How to take part.
    "how.why_stopped": "The study team gave this reason:",
    "how.start.ACTUAL": "The study started {date}.",
    "how.start.ESTIMATED": "The study is expected to start {date}.",
    "how.start": "The study start date is {date}.",
    "how.end.ACTUAL": "The study ended {date}.",
    "how.end.ESTIMATED": "The study is expected to end {date}.",
    "how.end": "The study end date is {date}.",
    "how.step.rules": "Go over the rules for who can join with your doctor.",
    "how.step.contact": "Contact the study team listed on this page.",
    "how.step.find_contact": "Find the study team's contact details on ClinicalTrials.gov.",
    "how.step.ask": "Ask them any questions before you decide to join.",
    "how.step.news": "Check ClinicalTrials.gov for the latest news on this study.",
    "how.closed": "You cannot join this study now.",
    # Conditions.
    "conditions.item": "{condition}",
    # Footer.
    "footer.generated": "Generated automatically on {generated_on} from the "
    "ClinicalTrials.gov record last updated {last_updated} ({nct_id}).",
    "footer.generated.no_update": "Generated automatically on {generated_on} from the "
    "ClinicalTrials.gov record {nct_id}.",
    "footer.review": "Not reviewed by a person. Not medical advice.",
    "footer.sources": "Word meanings are based on: {sources}.",
}


def _templates() -> dict[str, str]:
    """Every template: the sentences above plus the per-code families."""
    t = dict(_SENTENCES)
    t.update({f"lede.{k}": v for k, v in _PURPOSE_LEDES.items()})
    t.update({f"studies.purpose.{k}": v for k, v in _PURPOSES.items()})
    for code, (first, second) in _PHASES.items():
        t[f"facts.phase.{code}"] = first
        t[f"facts.phase.{code}.2"] = second
    t.update({f"how.status.{k}": v for k, v in _STATUS_SENTENCES.items()})
    t.update({f"fact.status.{k}": v for k, v in _STATUS_FACTS.items()})
    t.update({f"fact.sponsor.{k}": v for k, v in _SPONSOR_CLASSES.items()})
    t.update({f"contacts.official.{k}": v for k, v in _OFFICIAL_ROLES.items()})
    t.update(_arm_templates())
    return t


TEMPLATES: Mapping[str, str] = MappingProxyType(_templates())

__all__ = [
    "GENERATOR_VERSION",
    "HEADINGS",
    "LABELS",
    "MONTHS",
    "PHRASES",
    "TEMPLATES",
    "TEMPLATE_SET_VERSION",
]
