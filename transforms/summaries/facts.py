"""Record → facts: each value a page may use, already checked for type, with its JSON Pointer.

Nothing here decides wording. A value that is missing, empty, of the wrong type or a known
sentinel (enrollment 99999999) is simply absent, so planners never see placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from transforms.summaries.pointers import pointer
from transforms.summaries.reader import Fact, Reader, present

__all__ = [
    "Arm",
    "Contact",
    "Fact",
    "Facts",
    "Intervention",
    "Outcome",
    "Place",
    "facts_of",
    "present",
]

ENROLLMENT_UNKNOWN = 99999999  # API reference §11.4: the registry's "unknown" sentinel


@dataclass(frozen=True)
class Arm:
    """One arm group."""

    label: Fact[str] | None
    type: Fact[str] | None
    intervention_names: tuple[Fact[str], ...]


@dataclass(frozen=True)
class Intervention:
    """One intervention."""

    name: Fact[str]
    arm_labels: tuple[str, ...]
    other_names: tuple[Fact[str], ...]


@dataclass(frozen=True)
class Outcome:
    """One primary outcome."""

    measure: Fact[str]
    time_frame: Fact[str] | None


@dataclass(frozen=True)
class Place:
    """One location, read lazily: studies list up to thousands of sites, few are shown."""

    index: int
    item: Mapping[str, Any]
    base: str  # pointer of the locations list

    def part(self, key: str) -> Fact[str] | None:
        """The location's `facility`, `city`, `state` or `country`, when present."""
        value = self.item.get(key)
        return Fact(value, f"{self.base}/{self.index}/{key}") if present(value) else None

    @property
    def city(self) -> Fact[str] | None:
        """The city."""
        return self.part("city")

    @property
    def state(self) -> Fact[str] | None:
        """The state or region."""
        return self.part("state")

    @property
    def country(self) -> Fact[str] | None:
        """The country."""
        return self.part("country")


@dataclass(frozen=True)
class Contact:
    """A central contact or an overall official (role, phone and email as given)."""

    name: Fact[str] | None
    role: Fact[str] | None
    phone: Fact[str] | None
    phone_ext: Fact[str] | None
    email: Fact[str] | None
    affiliation: Fact[str] | None


P = "protocolSection"
ARMS = (P, "armsInterventionsModule")
CONTACTS = (P, "contactsLocationsModule")
DESIGN = (P, "designModule")
ELIG = (P, "eligibilityModule")
STATUS = (P, "statusModule")


@dataclass(frozen=True)
class Facts:
    """Everything a summary page may say about one study."""

    record: Mapping[str, Any]
    nct_id: Fact[str] | None
    brief_title: Fact[str] | None
    official_title: Fact[str] | None
    status: Fact[str] | None
    why_stopped: Fact[str] | None
    start_date: Fact[str] | None
    start_type: Fact[str] | None
    end_date: Fact[str] | None
    end_type: Fact[str] | None
    last_update: Fact[str] | None
    sponsor: Fact[str] | None
    sponsor_class: Fact[str] | None
    brief_summary: Fact[str] | None
    conditions: tuple[Fact[str], ...]
    study_type: Fact[str] | None
    phases: tuple[Fact[str], ...]
    allocation: Fact[str] | None
    model: Fact[str] | None
    purpose: Fact[str] | None
    masking: Fact[str] | None
    who_masked: tuple[Fact[str], ...]
    enrollment: Fact[int] | None
    enrollment_type: Fact[str] | None
    arms: tuple[Arm, ...]
    arm_count: Fact[int] | None
    interventions: tuple[Intervention, ...]
    intervention_count: Fact[int] | None
    primary_outcomes: tuple[Outcome, ...]
    primary_count: Fact[int] | None
    secondary_count: Fact[int] | None
    criteria: Fact[str] | None
    healthy: Fact[bool] | None
    sex: Fact[str] | None
    gender_based: Fact[bool] | None
    gender_description: Fact[str] | None
    min_age: Fact[str] | None
    max_age: Fact[str] | None
    std_ages: tuple[Fact[str], ...]
    central_contacts: tuple[Contact, ...]
    officials: tuple[Contact, ...]
    places: tuple[Place, ...]
    place_count: Fact[int] | None
    has_results: Fact[bool] | None


def _enrollment(r: Reader) -> Fact[int] | None:
    count = r.integer(*DESIGN, "enrollmentInfo", "count")
    return count if count and 0 < count.value < ENROLLMENT_UNKNOWN else None


def _arms(r: Reader) -> tuple[Arm, ...]:
    return tuple(
        Arm(
            r.text(*ARMS, "armGroups", i, "label"),
            r.enum(*ARMS, "armGroups", i, "type"),
            r.texts(*ARMS, "armGroups", i, "interventionNames"),
        )
        for i in r.items(*ARMS, "armGroups")
    )


def _interventions(r: Reader) -> tuple[Intervention, ...]:
    out = []
    for i in r.items(*ARMS, "interventions"):
        name = r.text(*ARMS, "interventions", i, "name")
        if name is None:
            continue
        labels = tuple(f.value for f in r.texts(*ARMS, "interventions", i, "armGroupLabels"))
        out.append(Intervention(name, labels, r.texts(*ARMS, "interventions", i, "otherNames")))
    return tuple(out)


def _outcomes(r: Reader) -> tuple[Outcome, ...]:
    path = (P, "outcomesModule", "primaryOutcomes")
    out = []
    for i in r.items(*path):
        measure = r.text(*path, i, "measure")
        if measure is not None:
            out.append(Outcome(measure, r.text(*path, i, "timeFrame")))
    return tuple(out)


def _contacts(r: Reader, key: str) -> tuple[Contact, ...]:
    out = []
    for i in r.items(*CONTACTS, key):
        base = (*CONTACTS, key, i)
        contact = Contact(
            r.text(*base, "name"),
            r.enum(*base, "role"),
            r.text(*base, "phone"),
            r.text(*base, "phoneExt"),
            r.text(*base, "email"),
            r.text(*base, "affiliation"),
        )
        if contact.name or contact.phone or contact.email:
            out.append(contact)
    return tuple(out)


def _places(r: Reader) -> tuple[Place, ...]:
    """Every object item of `locations` (parts read lazily; planners skip items with no place)."""
    base = pointer(*CONTACTS, "locations")
    locations = r.raw(*CONTACTS, "locations")
    if not isinstance(locations, list):
        return ()
    return tuple(Place(i, item, base) for i, item in enumerate(locations) if isinstance(item, dict))


def _who_and_when(r: Reader) -> dict[str, Any]:
    ident = (P, "identificationModule")
    sponsor = (P, "sponsorCollaboratorsModule", "leadSponsor")
    return {
        "nct_id": r.text(*ident, "nctId"),
        "brief_title": r.text(*ident, "briefTitle"),
        "official_title": r.text(*ident, "officialTitle"),
        "status": r.enum(*STATUS, "overallStatus"),
        "why_stopped": r.text(*STATUS, "whyStopped"),
        "start_date": r.text(*STATUS, "startDateStruct", "date"),
        "start_type": r.enum(*STATUS, "startDateStruct", "type"),
        "end_date": r.text(*STATUS, "completionDateStruct", "date"),
        "end_type": r.enum(*STATUS, "completionDateStruct", "type"),
        "last_update": r.text(*STATUS, "lastUpdatePostDateStruct", "date"),
        "sponsor": r.text(*sponsor, "name"),
        "sponsor_class": r.enum(*sponsor, "class"),
        "has_results": r.boolean("hasResults"),
    }


def _design(r: Reader) -> dict[str, Any]:
    info = (*DESIGN, "designInfo")
    return {
        "brief_summary": r.text(P, "descriptionModule", "briefSummary"),
        "conditions": r.texts(P, "conditionsModule", "conditions"),
        "study_type": r.enum(*DESIGN, "studyType"),
        "phases": r.enums(*DESIGN, "phases"),
        "allocation": r.enum(*info, "allocation"),
        "model": r.enum(*info, "interventionModel"),
        "purpose": r.enum(*info, "primaryPurpose"),
        "masking": r.enum(*info, "maskingInfo", "masking"),
        "who_masked": r.enums(*info, "maskingInfo", "whoMasked"),
        "enrollment": _enrollment(r),
        "enrollment_type": r.enum(*DESIGN, "enrollmentInfo", "type"),
    }


def _groups_and_outcomes(r: Reader) -> dict[str, Any]:
    return {
        "arms": _arms(r),
        "arm_count": r.list_len(*ARMS, "armGroups"),
        "interventions": _interventions(r),
        "intervention_count": r.list_len(*ARMS, "interventions"),
        "primary_outcomes": _outcomes(r),
        "primary_count": r.list_len(P, "outcomesModule", "primaryOutcomes"),
        "secondary_count": r.list_len(P, "outcomesModule", "secondaryOutcomes"),
    }


def _eligibility_and_places(r: Reader) -> dict[str, Any]:
    return {
        "criteria": r.text(*ELIG, "eligibilityCriteria"),
        "healthy": r.boolean(*ELIG, "healthyVolunteers"),
        "sex": r.enum(*ELIG, "sex"),
        "gender_based": r.boolean(*ELIG, "genderBased"),
        "gender_description": r.text(*ELIG, "genderDescription"),
        "min_age": r.text(*ELIG, "minimumAge"),
        "max_age": r.text(*ELIG, "maximumAge"),
        "std_ages": r.enums(*ELIG, "stdAges"),
        "central_contacts": _contacts(r, "centralContacts"),
        "officials": _contacts(r, "overallOfficials"),
        "places": _places(r),
        "place_count": r.list_len(*CONTACTS, "locations"),
    }


def facts_of(record: Mapping[str, Any]) -> Facts:
    """The facts of one record (any shape: missing or malformed parts are simply absent)."""
    r = Reader(record if isinstance(record, Mapping) else {})
    return Facts(
        record=r.record,
        **_who_and_when(r),
        **_design(r),
        **_groups_and_outcomes(r),
        **_eligibility_and_places(r),
    )
