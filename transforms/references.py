"""Rows for references, retractions, links, IPD info types, IPD documents and uploaded documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from schemas.tables import references as tables
from transforms._dates import parse_date
from transforms._ids import id_maker, stable_id
from transforms._json import Record, get_dict, get_list, items

Row = dict[str, Any]

_REFS = "protocolSection.referencesModule"
_LARGE_DOCS = "documentSection.largeDocumentModule"
_REFERENCES = f"{_REFS}.references"


def reference_ids(nct_id: str) -> Callable[[object], int]:
    """`study_references.id` (the FK recipe of retractions) by reference position, for one study."""
    return id_maker("study_references", nct_id)


def reference_id(nct_id: str, reference_ordinal: int) -> int:
    """`study_references.id` of the study's reference at `reference_ordinal`."""
    return reference_ids(nct_id)(reference_ordinal)


def study_reference_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per literature reference."""
    ids = reference_ids(nct_id)
    return [
        {
            "id": ids(i),
            "nct_id": nct_id,
            "ordinal": i,
            "pmid": ref.get("pmid"),
            "reference_type": ref.get("type"),
            "citation": ref.get("citation"),
        }
        for i, ref in items(get_list(study, _REFERENCES))
    ]


def retraction_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per retraction notice of a reference, keyed to its reference row."""
    parent_ids = reference_ids(nct_id)
    return [
        {
            "id": stable_id("retractions", nct_id, r, i),
            "nct_id": nct_id,
            "reference_ordinal": r,
            "ordinal": i,
            "reference_id": parent_ids(r),
            "pmid": retraction.get("pmid"),
            "source": retraction.get("source"),
        }
        for r, ref in items(get_list(study, _REFERENCES))
        for i, retraction in items(get_list(ref, "retractions"))
    ]


def link_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per 'see also' link."""
    return [
        {
            "id": stable_id("links", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "url": link.get("url"),
            "description": link.get("label"),
        }
        for i, link in items(get_list(study, f"{_REFS}.seeAlsoLinks"))
    ]


def ipd_information_type_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per information type listed in the IPD sharing statement."""
    info_types = get_list(study, "protocolSection.ipdSharingStatementModule.infoTypes")
    return [
        {
            "id": stable_id("ipd_information_types", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "name": name,
        }
        for i, name in enumerate(info_types)
    ]


def document_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per available IPD document (AACT's `documents`)."""
    return [
        {
            "id": stable_id("documents", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "document_id": ipd.get("id"),
            "document_type": ipd.get("type"),
            "url": ipd.get("url"),
            "comment": ipd.get("comment"),
        }
        for i, ipd in items(get_list(study, f"{_REFS}.availIpds"))
    ]


def provided_document_url(nct_id: str, filename: Any) -> str | None:
    """AACT's link to an uploaded file: `.../ProvidedDocs/<last 2 digits>/<nct_id>/<filename>`."""
    if not isinstance(filename, str) or not filename:
        return None
    return tables.PROVIDED_DOCS_URL.format(suffix=nct_id[-2:], nct_id=nct_id, filename=filename)


def datetime_minutes(raw: Any) -> Any:
    """A registry DateTimeMinutes (`yyyy-MM-ddTHH:mm`) as a naive datetime.

    Anything else is handed on as text, so `arrow_tables` nulls and reports it instead of it being
    dropped here (or, for a number, read by Arrow as microseconds since 1970).
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            return dt.datetime.strptime(raw, "%Y-%m-%dT%H:%M")
        except ValueError:
            return raw
    return str(raw)


def provided_document_rows(study: Record, nct_id: str) -> list[Row]:
    """One row per uploaded document file (protocol, SAP, ICF)."""
    return [
        {
            "id": stable_id("provided_documents", nct_id, i),
            "nct_id": nct_id,
            "ordinal": i,
            "document_type": doc.get("label"),
            "has_protocol": doc.get("hasProtocol"),
            "has_icf": doc.get("hasIcf"),
            "has_sap": doc.get("hasSap"),
            "document_date": parse_date(doc.get("date")),
            "url": provided_document_url(nct_id, doc.get("filename")),
            "type_abbrev": doc.get("typeAbbrev"),
            "upload_date": datetime_minutes(doc.get("uploadDate")),
            "filename": doc.get("filename"),
            "size": doc.get("size"),
        }
        for i, doc in items(get_list(study, f"{_LARGE_DOCS}.largeDocs"))
    ]


def large_document_module_rows(study: Record, nct_id: str) -> list[Row]:
    """The study's noSap statement, one row when the registry gives it."""
    no_sap = get_dict(study, _LARGE_DOCS).get("noSap")
    if no_sap is None:
        return []
    return [{"id": stable_id("large_document_modules", nct_id), "nct_id": nct_id, "no_sap": no_sap}]


BUILDERS = {
    tables.STUDY_REFERENCES: study_reference_rows,
    tables.RETRACTIONS: retraction_rows,
    tables.LINKS: link_rows,
    tables.IPD_INFORMATION_TYPES: ipd_information_type_rows,
    tables.DOCUMENTS: document_rows,
    tables.PROVIDED_DOCUMENTS: provided_document_rows,
    tables.LARGE_DOCUMENT_MODULES: large_document_module_rows,
}
