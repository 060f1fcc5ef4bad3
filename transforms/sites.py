"""Rows for facilities (locations), their contacts and investigators, and the study's countries.

Only `contactsLocationsModule.locations` is read. Records served June-October 2023 repeat it item
for item as `locations_nested` (a key in no version of the spec); reading both would double every
site, so that key is deliberately left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from schemas.tables import sites as tables
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_list, items

Row = dict[str, Any]

_LOCATIONS = "protocolSection.contactsLocationsModule.locations"
_REMOVED_COUNTRIES = "derivedSection.miscInfoModule.removedCountries"
# AACT's loader splits a location's contacts with this test (facility_investigators gets the
# matches, facility_contacts the rest); `.` lets STUDY_CHAIR and "study chair" both match.
_INVESTIGATOR_ROLE = re.compile(r"investigator|study.chair", re.IGNORECASE)


def is_investigator(role: Any) -> bool:
    """Whether a location contact belongs in facility_investigators (AACT's role test).

    A missing or non-text role is not an investigator, as in AACT (`nil !~ regex` is true there).
    """
    return isinstance(role, str) and _role_is_investigator(role)


@lru_cache(maxsize=256)
def _role_is_investigator(role: str) -> bool:
    # A handful of distinct roles recur thousands of times: match each once.
    return _INVESTIGATOR_ROLE.search(role) is not None


def facility_ids(nct_id: str) -> Callable[[object], int]:
    """`facilities.id` (the FK recipe of its children) by location position, for one study."""
    return id_maker("facilities", nct_id)


def facility_id(nct_id: str, facility_ordinal: int) -> int:
    """`facilities.id` of the study's location at `facility_ordinal`."""
    return facility_ids(nct_id)(facility_ordinal)


def facility_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per location."""
    ids = facility_ids(nct_id)
    rows: list[Row] = []
    for i, loc in items(get_list(study, _LOCATIONS)):
        geo = loc.get("geoPoint")
        if type(geo) is not dict:
            geo = _NO_GEO
        rows.append(
            {
                "id": ids(i),
                "nct_id": nct_id,
                "ordinal": i,
                "status": loc.get("status"),
                "name": loc.get("facility"),
                "city": loc.get("city"),
                "state": loc.get("state"),
                "zip": loc.get("zip"),
                "country": loc.get("country"),
                "latitude": geo.get("lat"),
                "longitude": geo.get("lon"),
            }
        )
    return rows


_NO_GEO: Mapping[str, Any] = {}


def _location_contacts(study: Record) -> Iterator[tuple[int, int, Mapping[str, Any]]]:
    """(facility position, contact position, contact) for every object contact of every location."""
    for f, loc in enumerate(get_list(study, _LOCATIONS)):
        contacts = loc.get("contacts") if type(loc) is dict else None
        if type(contacts) is list:
            for c, contact in enumerate(contacts):
                if type(contact) is dict:
                    yield f, c, contact


def _person_rows(table: str, study: Record, nct_id: str, investigators: bool) -> list[Row]:
    """The location contacts that are (or are not) investigators, in both tables' columns.

    Keys, facility link, name, role and phone fields; facility_contacts adds contact_type.
    """
    parent_ids = facility_ids(nct_id)
    return [
        {
            "id": stable_id(table, nct_id, f, c),
            "nct_id": nct_id,
            "facility_ordinal": f,
            "contact_ordinal": c,
            "facility_id": parent_ids(f),
            "name": contact.get("name"),
            "role": contact.get("role"),
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "phone_extension": contact.get("phoneExt"),
        }
        for f, c, contact in _location_contacts(study)
        if is_investigator(contact.get("role")) is investigators
    ]


def facility_contact_rows(study: Record, nct_id: str) -> list[Row]:
    """Location contacts that are not investigators; AACT's 'primary' is each site's first one."""
    rows = _person_rows("facility_contacts", study, nct_id, investigators=False)
    previous = None
    for row in rows:
        facility = row["facility_ordinal"]
        row["contact_type"] = "backup" if facility == previous else "primary"
        previous = facility
    return rows


def facility_investigator_rows(study: Record, nct_id: str) -> list[Row]:
    """Location contacts whose role names an investigator or a study chair."""
    return _person_rows("facility_investigators", study, nct_id, investigators=True)


def country_rows(study: Record, nct_id: str) -> list[Row]:
    """AACT's countries: distinct location countries, then the registry's removed countries.

    Location countries keep the order of their first appearance in `locations` and are distinct by
    exact text (AACT dedupes identical rows); a location without a country text adds no row. Every
    item of `removedCountries` gives a row, in list order.
    """
    countries = [loc.get("country") for loc in get_list(study, _LOCATIONS) if type(loc) is dict]
    current = dict.fromkeys(c for c in countries if isinstance(c, str))  # ordered and distinct
    named: list[tuple[Any, bool]] = [(name, False) for name in current]
    named += [(name, True) for name in get_list(study, _REMOVED_COUNTRIES)]
    ids = id_maker("countries", nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "name": name,
            "removed": removed,
        }
        for i, (name, removed) in enumerate(named)
    ]


BUILDERS = {
    tables.FACILITIES: facility_rows,
    tables.FACILITY_CONTACTS: facility_contact_rows,
    tables.FACILITY_INVESTIGATORS: facility_investigator_rows,
    tables.COUNTRIES: country_rows,
}
