"""Rows for facilities (locations), their contacts and investigators, and the study's countries.

Only `contactsLocationsModule.locations` is read. Records served June-October 2023 repeat it item
for item as `locations_nested` (a key in no version of the spec); reading both would double every
site, so that key is deliberately left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import sites as tables
from transforms._ids import stable_id, stable_ids
from transforms.batch import Level, table_of
from transforms.columns import constant, mapped, positions

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


def facility_id(nct_id: str, facility_ordinal: int) -> int:
    """`facilities.id` (the FK recipe of its children) of the study's location at that position."""
    return stable_id("facilities", nct_id, facility_ordinal)


def facilities(studies: Level) -> pa.Table:
    """One row per location."""
    sites = studies.each(_LOCATIONS)
    nct_id = sites.nct_id
    return table_of(
        tables.FACILITIES,
        len(sites),
        {
            "id": sites.ids("facilities"),
            "nct_id": nct_id,
            "ordinal": sites.ordinal,
            "status": sites.field("status"),
            "name": sites.field("facility"),
            "city": sites.field("city"),
            "state": sites.field("state"),
            "zip": sites.field("zip"),
            "country": sites.field("country"),
            "latitude": sites.field("geoPoint.lat"),
            "longitude": sites.field("geoPoint.lon"),
        },
    )


def _location_contacts(studies: Level) -> tuple[Level, pa.Array]:
    """Every contact of every location, and whether each is an investigator (AACT's role test)."""
    contacts = studies.each(_LOCATIONS).each("contacts")
    # Both contact tables split on it: tested once per batch.
    investigator = contacts.shared(
        "is_investigator", lambda: mapped(is_investigator, contacts.field("role"), pa.bool_())
    )
    return contacts, investigator


def _person_columns(table: str, sites: Level, people: Level) -> dict[str, Any]:
    """Keys, facility link, name, role and phone fields, in both tables' columns.

    `people` are contacts of `sites`, whose ids are kept (`Level.ids`) and taken down.
    """
    nct_id = people.nct_id
    facility, contact = people.ordinals
    return {
        "id": stable_ids(table, nct_id, facility, contact),
        "nct_id": nct_id,
        "facility_ordinal": facility,
        "contact_ordinal": contact,
        "facility_id": sites.ids("facilities").take(people.parent_row),
        "name": people.field("name"),
        "role": people.field("role"),
        "email": people.field("email"),
        "phone": people.field("phone"),
        "phone_extension": people.field("phoneExt"),
    }


def facility_contacts(studies: Level) -> pa.Table:
    """Location contacts that are not investigators; AACT's 'primary' is each site's first one."""
    contacts, investigator = _location_contacts(studies)
    people = contacts.where(pc.invert(investigator))
    columns = _person_columns("facility_contacts", studies.each(_LOCATIONS), people)
    columns["contact_type"] = pc.if_else(
        _same_as_previous(people.study, people.ordinals[0]), "backup", "primary"
    )
    return table_of(tables.FACILITY_CONTACTS, len(people), columns)


def _same_as_previous(*keys: pa.Array) -> pa.Array:
    """For each row, whether its keys equal the previous row's (False for the first row)."""
    if not len(keys[0]):
        return pa.array([], pa.bool_())
    same = pa.array([True] * (len(keys[0]) - 1), pa.bool_())
    for key in keys:
        same = pc.and_(same, pc.equal(key[1:], key[:-1]))
    return pa.concat_arrays([pa.array([False]), same])


def facility_investigators(studies: Level) -> pa.Table:
    """Location contacts whose role names an investigator or a study chair."""
    contacts, investigator = _location_contacts(studies)
    people = contacts.where(investigator)
    columns = _person_columns("facility_investigators", studies.each(_LOCATIONS), people)
    return table_of(tables.FACILITY_INVESTIGATORS, len(people), columns)


def countries(studies: Level) -> pa.Table:
    """AACT's countries: distinct location countries, then the registry's removed countries.

    Location countries keep the order of their first appearance in `locations` and are distinct by
    exact text (AACT dedupes identical rows); a location without a country text adds no row. Every
    item of `removedCountries` gives a row, in list order.
    """
    located = _located_countries(studies.each(_LOCATIONS))
    removed = studies.each(_REMOVED_COUNTRIES, keep_nulls=True)
    listed = pa.table({"study": removed.study, "name": removed.values})
    rows = pa.concat_tables(
        [
            located.append_column("removed", constant(False, located.num_rows)),
            listed.append_column("removed", constant(True, listed.num_rows)),
        ]
    )
    # A stable sort: in each study, location countries first, then removed ones, each in order.
    rows = rows.take(pc.sort_indices(rows["study"]))
    study = rows["study"].combine_chunks()
    nct_id = studies.nct_ids.take(study)
    ordinal = positions(study)
    return table_of(
        tables.COUNTRIES,
        rows.num_rows,
        {
            "id": stable_ids("countries", nct_id, ordinal),
            "nct_id": nct_id,
            "ordinal": ordinal,
            "name": rows["name"].combine_chunks(),
            "removed": rows["removed"].combine_chunks(),
        },
    )


def _located_countries(sites: Level) -> pa.Table:
    """Each study's distinct location country texts (`study`, `name`), first appearance first."""
    country = sites.field("country")
    given = pc.is_valid(country)
    study, name = sites.study.filter(given), country.filter(given)
    # One integer per (study, country text) pair: hashing integers is cheaper than texts.
    encoded = name.dictionary_encode()
    pair = pc.add(
        pc.multiply(study.cast(pa.int64()), len(encoded.dictionary)),
        encoded.indices.cast(pa.int64()),
    )
    # `unique` lists pairs in order of first appearance, and `index_in` finds that first row.
    first = pc.index_in(pc.unique(pair), value_set=pair)
    return pa.table({"study": study.take(first), "name": name.take(first)})


TABLE_BUILDERS = {
    tables.FACILITIES: facilities,
    tables.FACILITY_CONTACTS: facility_contacts,
    tables.FACILITY_INVESTIGATORS: facility_investigators,
    tables.COUNTRIES: countries,
}
