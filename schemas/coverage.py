"""Which record leaves the warehouse maps, and the short list it deliberately does not.

`mapped_paths()` is every leaf path some column declares as its `source`. `UNMAPPED` is the ignore
list: each entry says why the leaf has no column. The field-coverage test holds the sample and the
spec to "mapped or explained"; the drift check compares what a run saw with the same two sets.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.table import Table

_LOCATIONS_NESTED = "protocolSection.contactsLocationsModule.locations_nested[]"
_NESTED_REASON = (
    "2023 records repeat `locations` under `locations_nested`, item for item (checked on all 43 "
    "sample records that carry it); mapping it would double every facility. Counted as drift "
    "(known_extra), kept in the raw record."
)

UNMAPPED: dict[str, str] = {
    "derivedSection.miscInfoModule.versionHolder": (
        "The date of the data refresh, not of the study: it changes on every record every weekday. "
        "It is the dataTimestamp of the run, kept in history.study_versions.data_timestamp."
    ),
    **{
        f"{_LOCATIONS_NESTED}.{leaf}": _NESTED_REASON
        for leaf in (
            "facility",
            "status",
            "city",
            "state",
            "zip",
            "country",
            "geoPoint.lat",
            "geoPoint.lon",
            "contacts[].name",
            "contacts[].role",
            "contacts[].phone",
            "contacts[].phoneExt",
            "contacts[].email",
        )
    },
    "protocolSection.armsInterventionsModule.interventions[].interventionMappedName[]": (
        "A 2023-only key outside the spec, always an empty list in real records; reported as drift "
        "(known_extra) and kept in the raw record until it ever carries a value."
    ),
}


def mapped_paths(tables: Iterable[Table]) -> dict[str, list[str]]:
    """Leaf path → the `table.column`s holding it."""
    out: dict[str, list[str]] = {}
    for table in tables:
        for column in table.columns:
            for source in column.sources:
                out.setdefault(source, []).append(f"{table.qualified_name}.{column.name}")
    return out
