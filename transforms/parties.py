"""Rows for study identifiers, sponsors, the responsible party, overall officials and contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.tables import parties as tables
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, get_path, items

Row = dict[str, Any]
_IDENT = "protocolSection.identificationModule"
_SPONS = "protocolSection.sponsorCollaboratorsModule"
_CONTACTS = "protocolSection.contactsLocationsModule"
_ORG_ID = f"{_IDENT}.orgStudyIdInfo"
_SECONDARY_IDS = f"{_IDENT}.secondaryIdInfos"
_ALIASES = f"{_IDENT}.nctIdAliases"
_LEAD = f"{_SPONS}.leadSponsor"
_COLLABORATORS = f"{_SPONS}.collaborators"
_PARTY = f"{_SPONS}.responsibleParty"


def _id_row(nct_id: str, source: str, i: int, value: Any, info: Mapping[str, Any]) -> Row:
    return {
        "id": stable_id("id_information", nct_id, source, i),
        "nct_id": nct_id,
        "id_source": source,
        "ordinal": i,
        "id_value": value,
        "id_type": info.get("type"),
        "id_type_description": info.get("domain"),
        "id_link": info.get("link"),
    }


def id_information_rows(study: Record, nct_id: str) -> list[Row]:
    """The org study id, then every secondary id, then every NCT alias (AACT's three id sources)."""
    rows: list[Row] = []
    org = get_path(study, _ORG_ID)
    if isinstance(org, dict):
        rows.append(_id_row(nct_id, "org_study_id", 0, org.get("id"), org))
    for i, info in items(get_list(study, _SECONDARY_IDS)):
        rows.append(_id_row(nct_id, "secondary_id", i, info.get("id"), info))
    # Aliases are bare NCT-id strings: every item is a row, as listed.
    for i, alias in enumerate(get_list(study, _ALIASES)):
        rows.append(_id_row(nct_id, "nct_alias", i, alias, {}))
    return rows


def _sponsor_row(nct_id: str, role: str, i: int, sponsor: Mapping[str, Any]) -> Row:
    return {
        "id": stable_id("sponsors", nct_id, role, i),
        "nct_id": nct_id,
        "lead_or_collaborator": role,
        "ordinal": i,
        "agency_class": sponsor.get("class"),
        "name": sponsor.get("name"),
    }


def sponsor_rows(study: Record, nct_id: str) -> list[Row]:
    """The lead sponsor ('lead') and every collaborator ('collaborator')."""
    rows: list[Row] = []
    lead = get_path(study, _LEAD)
    if isinstance(lead, dict):
        rows.append(_sponsor_row(nct_id, "lead", 0, lead))
    for i, sponsor in items(get_list(study, _COLLABORATORS)):
        rows.append(_sponsor_row(nct_id, "collaborator", i, sponsor))
    return rows


def responsible_party_rows(study: Record, nct_id: str) -> list[Row]:
    """One row when the study names a responsible party (AACT keeps the old free-text form too)."""
    party = get_path(study, _PARTY)
    if not isinstance(party, dict):
        return []
    return [
        {
            "id": stable_id("responsible_parties", nct_id),
            "nct_id": nct_id,
            "responsible_party_type": party.get("type"),
            "name": party.get("investigatorFullName"),
            "title": party.get("investigatorTitle"),
            "organization": party.get("oldOrganization"),
            "affiliation": party.get("investigatorAffiliation"),
            "old_name_title": party.get("oldNameTitle"),
        }
    ]


def overall_official_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per overall official."""
    officials = get_list(get_dict(study, _CONTACTS), "overallOfficials")
    ids = id_maker("overall_officials", nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "role": official.get("role"),
            "name": official.get("name"),
            "affiliation": official.get("affiliation"),
        }
        for i, official in items(officials)
    ]


def central_contact_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per central contact; the first listed is AACT's 'primary', the rest 'backup'."""
    contacts = get_list(get_dict(study, _CONTACTS), "centralContacts")
    ids = id_maker("central_contacts", nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "contact_type": "primary" if i == 0 else "backup",
            "name": contact.get("name"),
            "phone": contact.get("phone"),
            "email": contact.get("email"),
            "phone_extension": contact.get("phoneExt"),
            "role": contact.get("role"),
        }
        for i, contact in items(contacts)
    ]


BUILDERS = {
    tables.ID_INFORMATION: id_information_rows,
    tables.SPONSORS: sponsor_rows,
    tables.RESPONSIBLE_PARTIES: responsible_party_rows,
    tables.OVERALL_OFFICIALS: overall_official_rows,
    tables.CENTRAL_CONTACTS: central_contact_rows,
}
