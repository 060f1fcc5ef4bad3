"""Study models of `documentSection`.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from schemas.study.fields import CalendarDate, DateTimeMinutes, StudyModel


class LargeDoc(StudyModel):
    """OAS 2.0.5 schema `LargeDoc`.

    Found at:
        documentSection.largeDocumentModule.largeDocs[]
    """

    typeAbbrev: str | None = None
    hasProtocol: bool | None = None
    hasSap: bool | None = None
    hasIcf: bool | None = None
    label: str | None = None
    date: CalendarDate | None = None
    uploadDate: DateTimeMinutes | None = None
    filename: str | None = None
    size: int | None = None


class LargeDocumentModule(StudyModel):
    """OAS 2.0.5 schema `LargeDocumentModule`.

    Found at:
        documentSection.largeDocumentModule
    """

    noSap: bool | None = None
    largeDocs: list[LargeDoc] | None = None


class DocumentSection(StudyModel):
    """OAS 2.0.5 schema `DocumentSection`.

    Found at:
        documentSection
    """

    largeDocumentModule: LargeDocumentModule | None = None
