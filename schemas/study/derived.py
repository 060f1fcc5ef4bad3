"""Study models of `derivedSection`.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from typing import Annotated

from schemas.study.common import DateStruct
from schemas.study.enums import BrowseLeafRelevance
from schemas.study.fields import CalendarDate, OpenEnum, StudyModel


class FirstMcpInfo(StudyModel):
    """OAS 2.0.5 schema `FirstMcpInfo`.

    Found at:
        derivedSection.miscInfoModule.submissionTracking.firstMcpInfo
    """

    postDateStruct: DateStruct | None = None


class SubmissionInfo(StudyModel):
    """OAS 2.0.5 schema `SubmissionInfo`.

    Found at:
        derivedSection.miscInfoModule.submissionTracking.submissionInfos[]
    """

    releaseDate: CalendarDate | None = None
    unreleaseDate: CalendarDate | None = None
    unreleaseDateUnknown: bool | None = None
    resetDate: CalendarDate | None = None
    mcpReleaseN: int | None = None


class SubmissionTracking(StudyModel):
    """OAS 2.0.5 schema `SubmissionTracking`.

    Found at:
        derivedSection.miscInfoModule.submissionTracking
    """

    estimatedResultsFirstSubmitDate: CalendarDate | None = None
    firstMcpInfo: FirstMcpInfo | None = None
    submissionInfos: list[SubmissionInfo] | None = None


class MiscInfoModule(StudyModel):
    """OAS 2.0.5 schema `MiscInfoModule`.

    Found at:
        derivedSection.miscInfoModule
    """

    versionHolder: CalendarDate | None = None
    removedCountries: list[str] | None = None
    submissionTracking: SubmissionTracking | None = None


class Mesh(StudyModel):
    """OAS 2.0.5 schema `Mesh`.

    Found at:
        derivedSection.conditionBrowseModule.meshes[]
        derivedSection.conditionBrowseModule.ancestors[]
        derivedSection.interventionBrowseModule.meshes[]
        derivedSection.interventionBrowseModule.ancestors[]
    """

    id: str | None = None
    term: str | None = None


class BrowseLeaf(StudyModel):
    """OAS 2.0.5 schema `BrowseLeaf`.

    Found at:
        derivedSection.conditionBrowseModule.browseLeaves[]
        derivedSection.interventionBrowseModule.browseLeaves[]
    """

    id: str | None = None
    name: str | None = None
    asFound: str | None = None
    relevance: Annotated[str, OpenEnum(BrowseLeafRelevance)] | None = None


class BrowseBranch(StudyModel):
    """OAS 2.0.5 schema `BrowseBranch`.

    Found at:
        derivedSection.conditionBrowseModule.browseBranches[]
        derivedSection.interventionBrowseModule.browseBranches[]
    """

    abbrev: str | None = None
    name: str | None = None


class BrowseModule(StudyModel):
    """OAS 2.0.5 schema `BrowseModule`.

    Found at:
        derivedSection.conditionBrowseModule
        derivedSection.interventionBrowseModule
    """

    meshes: list[Mesh] | None = None
    ancestors: list[Mesh] | None = None
    browseLeaves: list[BrowseLeaf] | None = None
    browseBranches: list[BrowseBranch] | None = None


class DerivedSection(StudyModel):
    """OAS 2.0.5 schema `DerivedSection`.

    Found at:
        derivedSection
    """

    miscInfoModule: MiscInfoModule | None = None
    conditionBrowseModule: BrowseModule | None = None
    interventionBrowseModule: BrowseModule | None = None
