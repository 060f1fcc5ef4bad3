"""Study models shared by more than one section.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from typing import Annotated

from schemas.study.enums import DateType
from schemas.study.fields import CalendarDate, OpenEnum, StudyModel


class DateStruct(StudyModel):
    """OAS 2.0.5 schema `DateStruct`.

    Found at:
        protocolSection.statusModule.studyFirstPostDateStruct
        protocolSection.statusModule.resultsFirstPostDateStruct
        protocolSection.statusModule.dispFirstPostDateStruct
        protocolSection.statusModule.lastUpdatePostDateStruct
        derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct
    """

    date: CalendarDate | None = None
    type: Annotated[str, OpenEnum(DateType)] | None = None
