"""Tables for references, retractions, links, IPD info types, IPD documents, uploaded documents."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from schemas.tables import references as tables
from transforms._dates import parse_date
from transforms._ids import stable_id, stable_ids
from transforms.batch import Level, table_of
from transforms.columns import mapped

_REFS = "protocolSection.referencesModule"
_LARGE_DOCS = "documentSection.largeDocumentModule"
_REFERENCES = f"{_REFS}.references"


def reference_id(nct_id: str, reference_ordinal: int) -> int:
    """`study_references.id` (the FK recipe of retractions) of the reference at that position."""
    return stable_id("study_references", nct_id, reference_ordinal)


def study_references(studies: Level) -> pa.Table:
    """One row per literature reference."""
    refs = studies.each(_REFERENCES)
    nct_id = refs.nct_id
    return table_of(
        tables.STUDY_REFERENCES,
        len(refs),
        {
            "id": stable_ids("study_references", nct_id, refs.ordinal),
            "nct_id": nct_id,
            "ordinal": refs.ordinal,
            "pmid": refs.field("pmid"),
            "reference_type": refs.field("type"),
            "citation": refs.field("citation"),
        },
    )


def retractions(studies: Level) -> pa.Table:
    """One row per retraction notice of a reference, keyed to its reference row."""
    notices = studies.each(_REFERENCES).each("retractions")
    nct_id = notices.nct_id
    reference, ordinal = notices.ordinals
    return table_of(
        tables.RETRACTIONS,
        len(notices),
        {
            "id": stable_ids("retractions", nct_id, reference, ordinal),
            "nct_id": nct_id,
            "reference_ordinal": reference,
            "ordinal": ordinal,
            "reference_id": stable_ids("study_references", nct_id, reference),
            "pmid": notices.field("pmid"),
            "source": notices.field("source"),
        },
    )


def links(studies: Level) -> pa.Table:
    """One row per 'see also' link."""
    items = studies.each(f"{_REFS}.seeAlsoLinks")
    nct_id = items.nct_id
    return table_of(
        tables.LINKS,
        len(items),
        {
            "id": stable_ids("links", nct_id, items.ordinal),
            "nct_id": nct_id,
            "ordinal": items.ordinal,
            "url": items.field("url"),
            "description": items.field("label"),
        },
    )


def ipd_information_types(studies: Level) -> pa.Table:
    """One row per information type listed in the IPD sharing statement (null items too)."""
    names = studies.each("protocolSection.ipdSharingStatementModule.infoTypes", keep_nulls=True)
    nct_id = names.nct_id
    return table_of(
        tables.IPD_INFORMATION_TYPES,
        len(names),
        {
            "id": stable_ids("ipd_information_types", nct_id, names.ordinal),
            "nct_id": nct_id,
            "ordinal": names.ordinal,
            "name": names.values,
        },
    )


def documents(studies: Level) -> pa.Table:
    """One row per available IPD document (AACT's `documents`)."""
    ipds = studies.each(f"{_REFS}.availIpds")
    nct_id = ipds.nct_id
    return table_of(
        tables.DOCUMENTS,
        len(ipds),
        {
            "id": stable_ids("documents", nct_id, ipds.ordinal),
            "nct_id": nct_id,
            "ordinal": ipds.ordinal,
            "document_id": ipds.field("id"),
            "document_type": ipds.field("type"),
            "url": ipds.field("url"),
            "comment": ipds.field("comment"),
        },
    )


def provided_document_url(nct_id: str, filename: str | None) -> str | None:
    """AACT's link to an uploaded file: `.../ProvidedDocs/<last 2 digits>/<nct_id>/<filename>`."""
    if not filename:
        return None
    return tables.PROVIDED_DOCS_URL.format(suffix=nct_id[-2:], nct_id=nct_id, filename=filename)


def datetime_minutes(raw: str | None) -> dt.datetime | None:
    """A registry DateTimeMinutes (`yyyy-MM-ddTHH:mm`) as a naive datetime, else None.

    Text of another shape is not guessed at: the drift check reports it as format drift, and the
    raw record keeps it.
    """
    if raw is None:
        return None
    try:
        return dt.datetime.strptime(raw, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None


def provided_documents(studies: Level) -> pa.Table:
    """One row per uploaded document file (protocol, SAP, ICF)."""
    docs = studies.each(f"{_LARGE_DOCS}.largeDocs")
    nct_id = docs.nct_id
    filename = docs.field("filename")
    return table_of(
        tables.PROVIDED_DOCUMENTS,
        len(docs),
        {
            "id": stable_ids("provided_documents", nct_id, docs.ordinal),
            "nct_id": nct_id,
            "ordinal": docs.ordinal,
            "document_type": docs.field("label"),
            "has_protocol": docs.field("hasProtocol"),
            "has_icf": docs.field("hasIcf"),
            "has_sap": docs.field("hasSap"),
            "document_date": mapped(parse_date, docs.field("date"), pa.date32()),
            # A few uploaded files per study at most: one call per row is cheap.
            "url": [
                provided_document_url(n, f)
                for n, f in zip(nct_id.to_pylist(), filename.to_pylist(), strict=True)
            ],
            "type_abbrev": docs.field("typeAbbrev"),
            "upload_date": mapped(datetime_minutes, docs.field("uploadDate"), pa.timestamp("us")),
            "filename": filename,
            "size": docs.field("size"),
        },
    )


def large_document_modules(studies: Level) -> pa.Table:
    """The study's noSap statement, one row when the registry gives it."""
    no_sap = studies.field(f"{_LARGE_DOCS}.noSap")
    # Not `studies.where`: that would copy every kept study's whole record.
    nct_id = studies.nct_id.filter(pc.is_valid(no_sap))
    return table_of(
        tables.LARGE_DOCUMENT_MODULES,
        len(nct_id),
        {
            "id": stable_ids("large_document_modules", nct_id),
            "nct_id": nct_id,
            "no_sap": no_sap.drop_null(),
        },
    )


TABLE_BUILDERS = {
    tables.STUDY_REFERENCES: study_references,
    tables.RETRACTIONS: retractions,
    tables.LINKS: links,
    tables.IPD_INFORMATION_TYPES: ipd_information_types,
    tables.DOCUMENTS: documents,
    tables.PROVIDED_DOCUMENTS: provided_documents,
    tables.LARGE_DOCUMENT_MODULES: large_document_modules,
}
