"""Study models of `resultsSection`.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from typing import Annotated

from schemas.study.enums import (
    AgreementRestrictionType,
    AnalysisDispersionType,
    ConfidenceIntervalNumSides,
    EventAssessment,
    MeasureDispersionType,
    MeasureParam,
    NonInferiorityType,
    OutcomeMeasureType,
    ReportingStatus,
)
from schemas.study.fields import Markup, OpenEnum, PartialDate, StudyModel


class FlowGroup(StudyModel):
    """OAS 2.0.5 schema `FlowGroup`.

    Found at:
        resultsSection.participantFlowModule.groups[]
    """

    id: str | None = None
    title: str | None = None
    description: Markup | None = None


class FlowStats(StudyModel):
    """OAS 2.0.5 schema `FlowStats`.

    Found at:
        resultsSection.participantFlowModule.periods[].milestones[].achievements[]
        resultsSection.participantFlowModule.periods[].dropWithdraws[].reasons[]
    """

    groupId: str | None = None
    comment: Markup | None = None
    numSubjects: str | None = None
    numUnits: str | None = None


class FlowMilestone(StudyModel):
    """OAS 2.0.5 schema `FlowMilestone`.

    Found at:
        resultsSection.participantFlowModule.periods[].milestones[]
    """

    type: str | None = None
    comment: Markup | None = None
    achievements: list[FlowStats] | None = None


class DropWithdraw(StudyModel):
    """OAS 2.0.5 schema `DropWithdraw`.

    Found at:
        resultsSection.participantFlowModule.periods[].dropWithdraws[]
    """

    type: str | None = None
    comment: Markup | None = None
    reasons: list[FlowStats] | None = None


class FlowPeriod(StudyModel):
    """OAS 2.0.5 schema `FlowPeriod`.

    Found at:
        resultsSection.participantFlowModule.periods[]
    """

    title: str | None = None
    milestones: list[FlowMilestone] | None = None
    dropWithdraws: list[DropWithdraw] | None = None


class ParticipantFlowModule(StudyModel):
    """OAS 2.0.5 schema `ParticipantFlowModule`.

    Found at:
        resultsSection.participantFlowModule
    """

    preAssignmentDetails: Markup | None = None
    recruitmentDetails: Markup | None = None
    typeUnitsAnalyzed: str | None = None
    groups: list[FlowGroup] | None = None
    periods: list[FlowPeriod] | None = None


class MeasureGroup(StudyModel):
    """OAS 2.0.5 schema `MeasureGroup`.

    Found at:
        resultsSection.baselineCharacteristicsModule.groups[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].groups[]
    """

    id: str | None = None
    title: str | None = None
    description: Markup | None = None


class DenomCount(StudyModel):
    """OAS 2.0.5 schema `DenomCount`.

    Found at:
        resultsSection.baselineCharacteristicsModule.denoms[].counts[]
        resultsSection.baselineCharacteristicsModule.measures[].denoms[].counts[]
        resultsSection.baselineCharacteristicsModule.measures[].classes[].denoms[].counts[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].denoms[].counts[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].denoms[].counts[]
    """

    groupId: str | None = None
    value: str | None = None


class Denom(StudyModel):
    """OAS 2.0.5 schema `Denom`.

    Found at:
        resultsSection.baselineCharacteristicsModule.denoms[]
        resultsSection.baselineCharacteristicsModule.measures[].denoms[]
        resultsSection.baselineCharacteristicsModule.measures[].classes[].denoms[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].denoms[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].denoms[]
    """

    units: str | None = None
    counts: list[DenomCount] | None = None


class Measurement(StudyModel):
    """OAS 2.0.5 schema `Measurement`.

    Found at:
        resultsSection.baselineCharacteristicsModule.measures[].classes[].categories[].measurements[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].categories[].measurements[]
    """

    groupId: str | None = None
    value: str | None = None
    spread: str | None = None
    lowerLimit: str | None = None
    upperLimit: str | None = None
    comment: Markup | None = None


class MeasureCategory(StudyModel):
    """OAS 2.0.5 schema `MeasureCategory`.

    Found at:
        resultsSection.baselineCharacteristicsModule.measures[].classes[].categories[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[].categories[]
    """

    title: str | None = None
    measurements: list[Measurement] | None = None


class MeasureClass(StudyModel):
    """OAS 2.0.5 schema `MeasureClass`.

    Found at:
        resultsSection.baselineCharacteristicsModule.measures[].classes[]
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].classes[]
    """

    title: str | None = None
    denoms: list[Denom] | None = None
    categories: list[MeasureCategory] | None = None


class BaselineMeasure(StudyModel):
    """OAS 2.0.5 schema `BaselineMeasure`.

    Found at:
        resultsSection.baselineCharacteristicsModule.measures[]
    """

    title: str | None = None
    description: Markup | None = None
    populationDescription: Markup | None = None
    paramType: Annotated[str, OpenEnum(MeasureParam)] | None = None
    dispersionType: Annotated[str, OpenEnum(MeasureDispersionType)] | None = None
    unitOfMeasure: str | None = None
    calculatePct: bool | None = None
    denomUnitsSelected: str | None = None
    denoms: list[Denom] | None = None
    classes: list[MeasureClass] | None = None


class BaselineCharacteristicsModule(StudyModel):
    """OAS 2.0.5 schema `BaselineCharacteristicsModule`.

    Found at:
        resultsSection.baselineCharacteristicsModule
    """

    populationDescription: Markup | None = None
    typeUnitsAnalyzed: str | None = None
    groups: list[MeasureGroup] | None = None
    denoms: list[Denom] | None = None
    measures: list[BaselineMeasure] | None = None


class MeasureAnalysis(StudyModel):
    """OAS 2.0.5 schema `MeasureAnalysis`.

    Found at:
        resultsSection.outcomeMeasuresModule.outcomeMeasures[].analyses[]
    """

    paramType: str | None = None
    paramValue: str | None = None
    dispersionType: Annotated[str, OpenEnum(AnalysisDispersionType)] | None = None
    dispersionValue: str | None = None
    statisticalMethod: str | None = None
    statisticalComment: Markup | None = None
    pValue: str | None = None
    pValueComment: Markup | None = None
    ciNumSides: Annotated[str, OpenEnum(ConfidenceIntervalNumSides)] | None = None
    ciPctValue: str | None = None
    ciLowerLimit: str | None = None
    ciUpperLimit: str | None = None
    ciLowerLimitComment: Markup | None = None
    ciUpperLimitComment: Markup | None = None
    estimateComment: Markup | None = None
    testedNonInferiority: bool | None = None
    nonInferiorityType: Annotated[str, OpenEnum(NonInferiorityType)] | None = None
    nonInferiorityComment: Markup | None = None
    otherAnalysisDescription: Markup | None = None
    groupDescription: Markup | None = None
    groupIds: list[str] | None = None


class OutcomeMeasure(StudyModel):
    """OAS 2.0.5 schema `OutcomeMeasure`.

    Found at:
        resultsSection.outcomeMeasuresModule.outcomeMeasures[]
    """

    type: Annotated[str, OpenEnum(OutcomeMeasureType)] | None = None
    title: str | None = None
    description: Markup | None = None
    populationDescription: Markup | None = None
    reportingStatus: Annotated[str, OpenEnum(ReportingStatus)] | None = None
    anticipatedPostingDate: PartialDate | None = None
    paramType: Annotated[str, OpenEnum(MeasureParam)] | None = None
    dispersionType: str | None = None
    unitOfMeasure: str | None = None
    calculatePct: bool | None = None
    timeFrame: str | None = None
    typeUnitsAnalyzed: str | None = None
    denomUnitsSelected: str | None = None
    groups: list[MeasureGroup] | None = None
    denoms: list[Denom] | None = None
    classes: list[MeasureClass] | None = None
    analyses: list[MeasureAnalysis] | None = None


class OutcomeMeasuresModule(StudyModel):
    """OAS 2.0.5 schema `OutcomeMeasuresModule`.

    Found at:
        resultsSection.outcomeMeasuresModule
    """

    outcomeMeasures: list[OutcomeMeasure] | None = None


class EventGroup(StudyModel):
    """OAS 2.0.5 schema `EventGroup`.

    Found at:
        resultsSection.adverseEventsModule.eventGroups[]
    """

    id: str | None = None
    title: str | None = None
    description: Markup | None = None
    deathsNumAffected: int | None = None
    deathsNumAtRisk: int | None = None
    seriousNumAffected: int | None = None
    seriousNumAtRisk: int | None = None
    otherNumAffected: int | None = None
    otherNumAtRisk: int | None = None


class EventStats(StudyModel):
    """OAS 2.0.5 schema `EventStats`.

    Found at:
        resultsSection.adverseEventsModule.seriousEvents[].stats[]
        resultsSection.adverseEventsModule.otherEvents[].stats[]
    """

    groupId: str | None = None
    numEvents: int | None = None
    numAffected: int | None = None
    numAtRisk: int | None = None


class AdverseEvent(StudyModel):
    """OAS 2.0.5 schema `AdverseEvent`.

    Found at:
        resultsSection.adverseEventsModule.seriousEvents[]
        resultsSection.adverseEventsModule.otherEvents[]
    """

    term: str | None = None
    organSystem: str | None = None
    sourceVocabulary: str | None = None
    assessmentType: Annotated[str, OpenEnum(EventAssessment)] | None = None
    notes: Markup | None = None
    stats: list[EventStats] | None = None


class AdverseEventsModule(StudyModel):
    """OAS 2.0.5 schema `AdverseEventsModule`.

    Found at:
        resultsSection.adverseEventsModule
    """

    frequencyThreshold: str | None = None
    timeFrame: str | None = None
    description: Markup | None = None
    allCauseMortalityComment: Markup | None = None
    eventGroups: list[EventGroup] | None = None
    seriousEvents: list[AdverseEvent] | None = None
    otherEvents: list[AdverseEvent] | None = None


class LimitationsAndCaveats(StudyModel):
    """OAS 2.0.5 schema `LimitationsAndCaveats`.

    Found at:
        resultsSection.moreInfoModule.limitationsAndCaveats
    """

    description: Markup | None = None


class CertainAgreement(StudyModel):
    """OAS 2.0.5 schema `CertainAgreement`.

    Found at:
        resultsSection.moreInfoModule.certainAgreement
    """

    piSponsorEmployee: bool | None = None
    restrictionType: Annotated[str, OpenEnum(AgreementRestrictionType)] | None = None
    restrictiveAgreement: bool | None = None
    otherDetails: Markup | None = None


class PointOfContact(StudyModel):
    """OAS 2.0.5 schema `PointOfContact`.

    Found at:
        resultsSection.moreInfoModule.pointOfContact
    """

    title: str | None = None
    organization: str | None = None
    email: str | None = None
    phone: str | None = None
    phoneExt: str | None = None


class MoreInfoModule(StudyModel):
    """OAS 2.0.5 schema `MoreInfoModule`.

    Found at:
        resultsSection.moreInfoModule
    """

    limitationsAndCaveats: LimitationsAndCaveats | None = None
    certainAgreement: CertainAgreement | None = None
    pointOfContact: PointOfContact | None = None


class ResultsSection(StudyModel):
    """OAS 2.0.5 schema `ResultsSection`.

    Found at:
        resultsSection
    """

    participantFlowModule: ParticipantFlowModule | None = None
    baselineCharacteristicsModule: BaselineCharacteristicsModule | None = None
    outcomeMeasuresModule: OutcomeMeasuresModule | None = None
    adverseEventsModule: AdverseEventsModule | None = None
    moreInfoModule: MoreInfoModule | None = None
