"""Who runs a study and how it is identified: ids, sponsors, responsible party, officials, contacts.

AACT tables `id_information`, `sponsors`, `responsible_parties`, `overall_officials` and
`central_contacts`, with AACT's column names and literal classifiers.
"""

from __future__ import annotations

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Table

_IDENT = "protocolSection.identificationModule"
_SPONS = "protocolSection.sponsorCollaboratorsModule"
_RP = f"{_SPONS}.responsibleParty"
_CONTACTS = "protocolSection.contactsLocationsModule"

ID_INFORMATION = Table(
    "id_information",
    stable_id(),
    nct_id(),
    text(
        "id_source",
        None,
        "AACT classifier: 'org_study_id' (the sponsor's own id), 'secondary_id' or 'nct_alias' "
        "(an NCT id merged into this study).",
        nullable=False,
    ),
    ordinal("0-based position in secondaryIdInfos or nctIdAliases; 0 for the org study id."),
    text(
        "id_value",
        f"{_IDENT}.orgStudyIdInfo.id|{_IDENT}.secondaryIdInfos[].id|{_IDENT}.nctIdAliases[]",
        "The identifier as given.",
    ),
    text(
        "id_type",
        f"{_IDENT}.orgStudyIdInfo.type|{_IDENT}.secondaryIdInfos[].type",
        "Issuer code (OrgStudyIdType / SecondaryIdType, e.g. NIH, REGISTRY, OTHER); NULL for "
        "aliases.",
    ),
    text(
        "id_type_description",
        f"{_IDENT}.secondaryIdInfos[].domain",
        "Who issued a secondary id (the registry's `domain`, e.g. 'CTEP').",
    ),
    text(
        "id_link",
        f"{_IDENT}.orgStudyIdInfo.link|{_IDENT}.secondaryIdInfos[].link",
        "Link the registry generates for some id types (e.g. NIH RePORTER).",
    ),
    primary_key=("nct_id", "id_source", "ordinal"),
    grain="one row per study identifier: the org study id, each secondary id and each NCT alias",
)

SPONSORS = Table(
    "sponsors",
    stable_id(),
    nct_id(),
    text(
        "lead_or_collaborator",
        None,
        "AACT classifier: 'lead' (the lead sponsor) or 'collaborator'.",
        nullable=False,
    ),
    ordinal("0-based position in collaborators; 0 for the lead sponsor."),
    text(
        "agency_class",
        f"{_SPONS}.leadSponsor.class|{_SPONS}.collaborators[].class",
        "AgencyClass code (NIH, FED, OTHER_GOV, INDIV, INDUSTRY, NETWORK, AMBIG, OTHER, UNKNOWN).",
    ),
    text(
        "name",
        f"{_SPONS}.leadSponsor.name|{_SPONS}.collaborators[].name",
        "Sponsor or collaborator name as given.",
    ),
    primary_key=("nct_id", "lead_or_collaborator", "ordinal"),
    grain="one row per sponsor: the lead sponsor and each collaborator",
)

RESPONSIBLE_PARTIES = Table(
    "responsible_parties",
    stable_id(),
    nct_id(),
    text(
        "responsible_party_type",
        f"{_RP}.type",
        "SPONSOR, PRINCIPAL_INVESTIGATOR or SPONSOR_INVESTIGATOR; NULL on old records that give "
        "only old_name_title / organization.",
    ),
    text("name", f"{_RP}.investigatorFullName", "Investigator's full name (investigator types)."),
    text("title", f"{_RP}.investigatorTitle", "Investigator's official title."),
    text(
        "organization",
        f"{_RP}.oldOrganization",
        "Organization of the responsible party in the legacy free-text format (`oldOrganization`).",
    ),
    text("affiliation", f"{_RP}.investigatorAffiliation", "Investigator's affiliation."),
    text(
        "old_name_title",
        f"{_RP}.oldNameTitle",
        "Name and title of the responsible party in the legacy free-text format.",
    ),
    primary_key=("nct_id",),
    grain="one row per study that names a responsible party",
)

OVERALL_OFFICIALS = Table(
    "overall_officials",
    stable_id(),
    nct_id(),
    ordinal(),
    text(
        "role",
        f"{_CONTACTS}.overallOfficials[].role",
        "OfficialRole code (PRINCIPAL_INVESTIGATOR, STUDY_CHAIR, STUDY_DIRECTOR, "
        "SUB_INVESTIGATOR).",
    ),
    text("name", f"{_CONTACTS}.overallOfficials[].name", "Official's name as given."),
    text(
        "affiliation",
        f"{_CONTACTS}.overallOfficials[].affiliation",
        "Official's affiliation as given (sometimes a job title).",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per overall official of the study",
)

CENTRAL_CONTACTS = Table(
    "central_contacts",
    stable_id(),
    nct_id(),
    ordinal(),
    text(
        "contact_type",
        None,
        "AACT classifier: 'primary' for the first listed contact, 'backup' for the others.",
        nullable=False,
    ),
    text("name", f"{_CONTACTS}.centralContacts[].name", "Contact's name as given."),
    text("phone", f"{_CONTACTS}.centralContacts[].phone", "Phone number as given."),
    text("email", f"{_CONTACTS}.centralContacts[].email", "Email address as given."),
    text("phone_extension", f"{_CONTACTS}.centralContacts[].phoneExt", "Phone extension."),
    text(
        "role",
        f"{_CONTACTS}.centralContacts[].role",
        "ContactRole code (usually CONTACT).",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per central contact of the study",
)

TABLES = (ID_INFORMATION, SPONSORS, RESPONSIBLE_PARTIES, OVERALL_OFFICIALS, CENTRAL_CONTACTS)
