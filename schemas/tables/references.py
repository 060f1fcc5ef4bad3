"""References and documents: citations, retractions, links, IPD documents and uploaded documents."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Column, Table

_REFS = "protocolSection.referencesModule"
_REF = f"{_REFS}.references[]"
_IPD = "protocolSection.ipdSharingStatementModule"
_LARGE = "documentSection.largeDocumentModule"
_DOC = f"{_LARGE}.largeDocs[]"

# AACT builds the link to an uploaded document from the study id and the file name.
PROVIDED_DOCS_URL = "https://ClinicalTrials.gov/ProvidedDocs/{suffix}/{nct_id}/{filename}"

STUDY_REFERENCES = Table(
    "study_references",
    stable_id(),
    nct_id(),
    ordinal("0-based position of the reference in the references list."),
    text("pmid", f"{_REF}.pmid", "PubMed id, when the citation has one."),
    text("reference_type", f"{_REF}.type", "BACKGROUND, RESULT or DERIVED."),
    text("citation", f"{_REF}.citation", "Citation text as given."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per literature reference listed by the study",
)

RETRACTIONS = Table(
    "retractions",
    stable_id(),
    nct_id(),
    Column(
        "reference_ordinal",
        pa.int32(),
        "0-based position of the retracted reference.",
        nullable=False,
    ),
    ordinal("0-based position of the retraction in the reference's retractions list."),
    Column(
        "reference_id",
        pa.int64(),
        "study_references.id of the retracted reference.",
        nullable=False,
    ),
    text("pmid", f"{_REF}.retractions[].pmid", "PubMed id of the retraction notice."),
    text("source", f"{_REF}.retractions[].source", "Journal/source of the retraction notice."),
    primary_key=("nct_id", "reference_ordinal", "ordinal"),
    grain="one row per retraction notice PubMed lists for a reference",
)

LINKS = Table(
    "links",
    stable_id(),
    nct_id(),
    ordinal("0-based position of the link in seeAlsoLinks."),
    text("url", f"{_REFS}.seeAlsoLinks[].url", "Web address."),
    text("description", f"{_REFS}.seeAlsoLinks[].label", "Label the registry shows for the link."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per 'see also' link listed by the study",
)

IPD_INFORMATION_TYPES = Table(
    "ipd_information_types",
    stable_id(),
    nct_id(),
    ordinal("0-based position in the infoTypes list."),
    text(
        "name",
        f"{_IPD}.infoTypes[]",
        "Supporting information shared with IPD: STUDY_PROTOCOL, SAP, ICF, CSR, ANALYTIC_CODE.",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per type of supporting information the IPD sharing statement lists",
)

DOCUMENTS = Table(
    "documents",
    stable_id(),
    nct_id(),
    ordinal("0-based position in the availIpds list."),
    text("document_id", f"{_REFS}.availIpds[].id", "Identifier the sponsor gives the data set."),
    text("document_type", f"{_REFS}.availIpds[].type", "Kind of document or data set (free text)."),
    text("url", f"{_REFS}.availIpds[].url", "Where to request or obtain it."),
    text("comment", f"{_REFS}.availIpds[].comment", "Sponsor's comment."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per available IPD/information document (AACT's documents)",
)

PROVIDED_DOCUMENTS = Table(
    "provided_documents",
    stable_id(),
    nct_id(),
    ordinal("0-based position in the largeDocs list."),
    text("document_type", f"{_DOC}.label", "Document label (e.g. 'Study Protocol')."),
    Column(
        "has_protocol", pa.bool_(), "The file contains the protocol.", source=f"{_DOC}.hasProtocol"
    ),
    Column(
        "has_icf",
        pa.bool_(),
        "The file contains the informed consent form.",
        source=f"{_DOC}.hasIcf",
    ),
    Column(
        "has_sap",
        pa.bool_(),
        "The file contains the statistical analysis plan.",
        source=f"{_DOC}.hasSap",
    ),
    Column("document_date", pa.date32(), "Date of the document itself.", source=f"{_DOC}.date"),
    text(
        "url",
        None,
        "AACT's link: https://ClinicalTrials.gov/ProvidedDocs/<last 2 digits of nct_id>/<nct_id>/"
        "<filename>; null without a filename.",
    ),
    text("type_abbrev", f"{_DOC}.typeAbbrev", "Short type code (Prot, SAP, ICF, Prot_SAP, ...)."),
    Column(
        "upload_date",
        pa.timestamp("us"),
        "When the file was uploaded (registry time, minute precision, no time zone given).",
        source=f"{_DOC}.uploadDate",
    ),
    text("filename", f"{_DOC}.filename", "File name on ClinicalTrials.gov."),
    Column("size", pa.int64(), "File size in bytes.", source=f"{_DOC}.size"),
    primary_key=("nct_id", "ordinal"),
    grain="one row per document file (protocol, SAP, ICF) uploaded to the study record",
)

LARGE_DOCUMENT_MODULES = Table(
    "large_document_modules",
    stable_id(),
    nct_id(),
    Column(
        "no_sap",
        pa.bool_(),
        "The sponsor states there is no statistical analysis plan to upload.",
        source=f"{_LARGE}.noSap",
    ),
    primary_key=("nct_id",),
    grain=(
        "one row per study whose large document module says noSap (a study can say it with no "
        "uploaded documents, so it can't live on provided_documents)"
    ),
)

TABLES = (
    STUDY_REFERENCES,
    RETRACTIONS,
    LINKS,
    IPD_INFORMATION_TYPES,
    DOCUMENTS,
    PROVIDED_DOCUMENTS,
    LARGE_DOCUMENT_MODULES,
)
