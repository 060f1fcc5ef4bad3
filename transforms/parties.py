"""Rows for study identifiers, sponsors, the responsible party, overall officials and contacts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.table import Table
from schemas.tables import parties as tables
from transforms._ids import stable_ids
from transforms.batch import Level, study_order, table_of
from transforms.columns import constant

_IDENT = "protocolSection.identificationModule"
_SPONS = "protocolSection.sponsorCollaboratorsModule"
_CONTACTS = "protocolSection.contactsLocationsModule"
_ORG_ID = f"{_IDENT}.orgStudyIdInfo"
_SECONDARY_IDS = f"{_IDENT}.secondaryIdInfos"
_ALIASES = f"{_IDENT}.nctIdAliases"
_LEAD = f"{_SPONS}.leadSponsor"
_COLLABORATORS = f"{_SPONS}.collaborators"
_PARTY = f"{_SPONS}.responsibleParty"
_OFFICIALS = f"{_CONTACTS}.overallOfficials"
_CENTRAL_CONTACTS = f"{_CONTACTS}.centralContacts"


def _having(studies: Level, path: str) -> Level:
    """The object at `path` as rows, for the studies that have one (an empty one included)."""
    objects = studies.field(path)
    # Only that object is filtered: filtering the study rows would copy every nested list.
    return Level(objects, studies.study, studies.ordinals, studies.nct_ids).where(
        pc.is_valid(objects)
    )


def _in_study_order(table: Table, parts: Sequence[tuple[Level, dict[str, Any]]]) -> pa.Table:
    """The parts' rows study by study; within a study, part by part, each part in list order.

    Each part is one source of the table's rows (e.g. the lead sponsor, then the collaborators):
    its `Level` and its columns, as `table_of` takes them.
    """
    built = pa.concat_tables(table_of(table, len(level), columns) for level, columns in parts)
    return built.take(study_order([level for level, _ in parts]))


def _id_columns(rows: Level, source: str, ordinal: pa.Array, value: pa.Array) -> dict[str, Any]:
    nct_id = rows.nct_id
    return {
        "id": stable_ids("id_information", nct_id, source, ordinal),
        "nct_id": nct_id,
        "id_source": constant(source, len(rows)),
        "ordinal": ordinal,
        "id_value": value,
        "id_type": None,
        "id_type_description": None,
        "id_link": None,
    }


def id_information(studies: Level) -> pa.Table:
    """The org study id, then every secondary id, then every NCT alias (AACT's three id sources)."""
    org = _having(studies, _ORG_ID)
    org_columns = _id_columns(org, "org_study_id", constant(0, len(org)), org.field("id"))
    org_columns |= {
        "id_type": org.field("type"),
        "id_link": org.field("link"),
    }
    secondary = studies.each(_SECONDARY_IDS)
    secondary_columns = _id_columns(
        secondary, "secondary_id", secondary.ordinal, secondary.field("id")
    )
    secondary_columns |= {
        "id_type": secondary.field("type"),
        "id_type_description": secondary.field("domain"),
        "id_link": secondary.field("link"),
    }
    # Aliases are bare NCT-id strings: every item is a row, as listed.
    aliases = studies.each(_ALIASES, keep_nulls=True)
    alias_columns = _id_columns(aliases, "nct_alias", aliases.ordinal, aliases.values)
    return _in_study_order(
        tables.ID_INFORMATION,
        [(org, org_columns), (secondary, secondary_columns), (aliases, alias_columns)],
    )


def _sponsor_columns(rows: Level, role: str, ordinal: pa.Array) -> dict[str, Any]:
    nct_id = rows.nct_id
    return {
        "id": stable_ids("sponsors", nct_id, role, ordinal),
        "nct_id": nct_id,
        "lead_or_collaborator": constant(role, len(rows)),
        "ordinal": ordinal,
        "agency_class": rows.field("class"),
        "name": rows.field("name"),
    }


def sponsors(studies: Level) -> pa.Table:
    """The lead sponsor ('lead') and every collaborator ('collaborator')."""
    lead = _having(studies, _LEAD)
    collaborators = studies.each(_COLLABORATORS)
    return _in_study_order(
        tables.SPONSORS,
        [
            (lead, _sponsor_columns(lead, "lead", constant(0, len(lead)))),
            (
                collaborators,
                _sponsor_columns(collaborators, "collaborator", collaborators.ordinal),
            ),
        ],
    )


def responsible_parties(studies: Level) -> pa.Table:
    """One row when the study names a responsible party (AACT keeps the old free-text form too)."""
    party = _having(studies, _PARTY)
    nct_id = party.nct_id
    return table_of(
        tables.RESPONSIBLE_PARTIES,
        len(party),
        {
            "id": stable_ids("responsible_parties", nct_id),
            "nct_id": nct_id,
            "responsible_party_type": party.field("type"),
            "name": party.field("investigatorFullName"),
            "title": party.field("investigatorTitle"),
            "organization": party.field("oldOrganization"),
            "affiliation": party.field("investigatorAffiliation"),
            "old_name_title": party.field("oldNameTitle"),
        },
    )


def overall_officials(studies: Level) -> pa.Table:
    """One row per overall official."""
    officials = studies.each(_OFFICIALS)
    nct_id = officials.nct_id
    return table_of(
        tables.OVERALL_OFFICIALS,
        len(officials),
        {
            "id": stable_ids("overall_officials", nct_id, officials.ordinal),
            "nct_id": nct_id,
            "ordinal": officials.ordinal,
            "role": officials.field("role"),
            "name": officials.field("name"),
            "affiliation": officials.field("affiliation"),
        },
    )


def central_contacts(studies: Level) -> pa.Table:
    """One row per central contact; the first listed is AACT's 'primary', the rest 'backup'."""
    contacts = studies.each(_CENTRAL_CONTACTS)
    nct_id = contacts.nct_id
    return table_of(
        tables.CENTRAL_CONTACTS,
        len(contacts),
        {
            "id": stable_ids("central_contacts", nct_id, contacts.ordinal),
            "nct_id": nct_id,
            "ordinal": contacts.ordinal,
            # By position: a non-object first item leaves the study without a 'primary' row.
            "contact_type": pc.if_else(pc.equal(contacts.ordinal, 0), "primary", "backup"),
            "name": contacts.field("name"),
            "phone": contacts.field("phone"),
            "email": contacts.field("email"),
            "phone_extension": contacts.field("phoneExt"),
            "role": contacts.field("role"),
        },
    )


TABLE_BUILDERS = {
    tables.ID_INFORMATION: id_information,
    tables.SPONSORS: sponsors,
    tables.RESPONSIBLE_PARTIES: responsible_parties,
    tables.OVERALL_OFFICIALS: overall_officials,
    tables.CENTRAL_CONTACTS: central_contacts,
}
