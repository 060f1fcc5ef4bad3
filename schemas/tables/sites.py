"""Sites: facilities (locations), their contacts and investigators, and the study's countries."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Column, Table

_LOC = "protocolSection.contactsLocationsModule.locations[]"
_CONTACT = f"{_LOC}.contacts[]"
_REMOVED = "derivedSection.miscInfoModule.removedCountries[]"


def _facility_ordinal() -> Column:
    return Column(
        "facility_ordinal",
        pa.int32(),
        "0-based position of the facility in locations.",
        nullable=False,
    )


def _contact_ordinal() -> Column:
    return Column(
        "contact_ordinal",
        pa.int32(),
        "0-based position of the person in the location's contacts list (investigators and "
        "contacts share one list; see facility_contacts and facility_investigators).",
        nullable=False,
    )


def _facility_id() -> Column:
    return Column(
        "facility_id",
        pa.int64(),
        "facilities.id of the location this person belongs to.",
        nullable=False,
    )


FACILITIES = Table(
    "facilities",
    stable_id(),
    nct_id(),
    ordinal("0-based position of the location in the study's locations list."),
    text("status", f"{_LOC}.status", "Recruitment status at this site (RECRUITING, ...)."),
    text("name", f"{_LOC}.facility", "Facility (site) name."),
    text("city", f"{_LOC}.city", "City."),
    text("state", f"{_LOC}.state", "State, province or region."),
    text("zip", f"{_LOC}.zip", "Postal code."),
    text("country", f"{_LOC}.country", "Country name as the registry writes it."),
    Column(
        "latitude", pa.float64(), "Latitude the registry geocoded.", source=f"{_LOC}.geoPoint.lat"
    ),
    Column(
        "longitude", pa.float64(), "Longitude the registry geocoded.", source=f"{_LOC}.geoPoint.lon"
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per location (site) listed by the study",
    doc=(
        "Only `locations` is read: 2023 records repeat it item for item as `locations_nested`, "
        "which is not mapped (it would double every site)."
    ),
)

FACILITY_CONTACTS = Table(
    "facility_contacts",
    stable_id(),
    nct_id(),
    _facility_ordinal(),
    _contact_ordinal(),
    _facility_id(),
    text(
        "contact_type",
        None,
        "AACT's 'primary' for the location's first kept contact, 'backup' for the others.",
        nullable=False,
    ),
    text("name", f"{_CONTACT}.name", "Contact name."),
    text("email", f"{_CONTACT}.email", "Contact e-mail."),
    text("phone", f"{_CONTACT}.phone", "Contact phone."),
    text("phone_extension", f"{_CONTACT}.phoneExt", "Phone extension."),
    text(
        "role", f"{_CONTACT}.role", "Role as given: CONTACT, STUDY_DIRECTOR, or null when missing."
    ),
    primary_key=("nct_id", "facility_ordinal", "contact_ordinal"),
    grain=(
        "one row per location contact whose role is not an investigator or study chair "
        "(AACT's split: role !~ /investigator|study.chair/i)"
    ),
)

FACILITY_INVESTIGATORS = Table(
    "facility_investigators",
    stable_id(),
    nct_id(),
    _facility_ordinal(),
    _contact_ordinal(),
    _facility_id(),
    text("role", f"{_CONTACT}.role", "PRINCIPAL_INVESTIGATOR, SUB_INVESTIGATOR, STUDY_CHAIR, ..."),
    text("name", f"{_CONTACT}.name", "Investigator name."),
    text("email", f"{_CONTACT}.email", "E-mail, when given (AACT drops it for investigators)."),
    text("phone", f"{_CONTACT}.phone", "Phone, when given (AACT drops it for investigators)."),
    text(
        "phone_extension",
        f"{_CONTACT}.phoneExt",
        "Phone extension, when given (AACT drops it for investigators).",
    ),
    primary_key=("nct_id", "facility_ordinal", "contact_ordinal"),
    grain=(
        "one row per location contact whose role names an investigator or study chair "
        "(AACT's split: role =~ /investigator|study.chair/i)"
    ),
)

COUNTRIES = Table(
    "countries",
    stable_id(),
    nct_id(),
    ordinal(
        "0-based position among the study's country rows: location countries in order of first "
        "appearance in locations, then removed countries in list order."
    ),
    text("name", f"{_LOC}.country|{_REMOVED}", "Country name as the registry writes it."),
    Column(
        "removed",
        pa.bool_(),
        "True for a country the registry lists as removed (no longer has sites), false for a "
        "country of a current location.",
        nullable=False,
    ),
    primary_key=("nct_id", "ordinal"),
    grain=(
        "one row per distinct location country (removed = false) plus one row per removed "
        "country (removed = true), as AACT builds it"
    ),
    doc=(
        "Location countries are distinct by exact text; locations without a country text give no "
        "row. AACT's has_us_facility-style filters use `removed IS NOT TRUE`."
    ),
)

TABLES = (FACILITIES, FACILITY_CONTACTS, FACILITY_INVESTIGATORS, COUNTRIES)
