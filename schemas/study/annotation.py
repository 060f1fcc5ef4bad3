"""Study models of `annotationSection`.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from typing import Annotated

from schemas.study.enums import UnpostedEventType, ViolationEventType
from schemas.study.fields import CalendarDate, OpenEnum, StudyModel


class UnpostedEvent(StudyModel):
    """OAS 2.0.5 schema `UnpostedEvent`.

    Found at:
        annotationSection.annotationModule.unpostedAnnotation.unpostedEvents[]
    """

    type: Annotated[str, OpenEnum(UnpostedEventType)] | None = None
    date: CalendarDate | None = None
    dateUnknown: bool | None = None


class UnpostedAnnotation(StudyModel):
    """OAS 2.0.5 schema `UnpostedAnnotation`.

    Found at:
        annotationSection.annotationModule.unpostedAnnotation
    """

    unpostedResponsibleParty: str | None = None
    unpostedEvents: list[UnpostedEvent] | None = None


class ViolationEvent(StudyModel):
    """OAS 2.0.5 schema `ViolationEvent`.

    Found at:
        annotationSection.annotationModule.violationAnnotation.violationEvents[]
    """

    type: Annotated[str, OpenEnum(ViolationEventType)] | None = None
    description: str | None = None
    creationDate: CalendarDate | None = None
    issuedDate: CalendarDate | None = None
    releaseDate: CalendarDate | None = None
    postedDate: CalendarDate | None = None


class ViolationAnnotation(StudyModel):
    """OAS 2.0.5 schema `ViolationAnnotation`.

    Found at:
        annotationSection.annotationModule.violationAnnotation
    """

    violationEvents: list[ViolationEvent] | None = None


class AnnotationModule(StudyModel):
    """OAS 2.0.5 schema `AnnotationModule`.

    Found at:
        annotationSection.annotationModule
    """

    unpostedAnnotation: UnpostedAnnotation | None = None
    violationAnnotation: ViolationAnnotation | None = None


class AnnotationSection(StudyModel):
    """OAS 2.0.5 schema `AnnotationSection`.

    Found at:
        annotationSection
    """

    annotationModule: AnnotationModule | None = None
