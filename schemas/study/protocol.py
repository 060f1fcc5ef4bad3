"""Study models of `protocolSection`.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from schemas.study.common import DateStruct
from schemas.study.enums import (
    AgencyClass,
    ArmGroupType,
    BioSpecRetention,
    ContactRole,
    DateType,
    DesignAllocation,
    DesignMasking,
    DesignTimePerspective,
    EnrollmentType,
    ExpandedAccessStatus,
    InterventionalAssignment,
    InterventionType,
    IpdSharing,
    IpdSharingInfoType,
    ObservationalModel,
    OfficialRole,
    OrgStudyIdType,
    Phase,
    PrimaryPurpose,
    RecruitmentStatus,
    ReferenceType,
    ResponsiblePartyType,
    SamplingMethod,
    SecondaryIdType,
    Sex,
    StandardAge,
    Status,
    StudyType,
    WhoMasked,
)
from schemas.study.fields import (
    CalendarDate,
    Duration,
    Markup,
    NctId,
    OpenEnum,
    PartialDate,
    StudyModel,
)


class OrgStudyIdInfo(StudyModel):
    """OAS 2.0.5 schema `OrgStudyIdInfo`.

    Found at:
        protocolSection.identificationModule.orgStudyIdInfo
    """

    id: str | None = None
    type: Annotated[str, OpenEnum(OrgStudyIdType)] | None = None
    link: str | None = None


class SecondaryIdInfo(StudyModel):
    """OAS 2.0.5 schema `SecondaryIdInfo`.

    Found at:
        protocolSection.identificationModule.secondaryIdInfos[]
    """

    id: str | None = None
    type: Annotated[str, OpenEnum(SecondaryIdType)] | None = None
    domain: str | None = None
    link: str | None = None


class Organization(StudyModel):
    """OAS 2.0.5 schema `Organization`.

    Found at:
        protocolSection.identificationModule.organization
    """

    fullName: str | None = None
    class_: Annotated[str, OpenEnum(AgencyClass)] | None = Field(default=None, alias="class")


class IdentificationModule(StudyModel):
    """OAS 2.0.5 schema `IdentificationModule`.

    Found at:
        protocolSection.identificationModule
    """

    nctId: NctId | None = None
    nctIdAliases: list[NctId] | None = None
    orgStudyIdInfo: OrgStudyIdInfo | None = None
    secondaryIdInfos: list[SecondaryIdInfo] | None = None
    briefTitle: str | None = None
    officialTitle: str | None = None
    acronym: str | None = None
    organization: Organization | None = None


class ExpandedAccessInfo(StudyModel):
    """OAS 2.0.5 schema `ExpandedAccessInfo`.

    Found at:
        protocolSection.statusModule.expandedAccessInfo
    """

    hasExpandedAccess: bool | None = None
    nctId: NctId | None = None
    statusForNctId: Annotated[str, OpenEnum(ExpandedAccessStatus)] | None = None


class PartialDateStruct(StudyModel):
    """OAS 2.0.5 schema `PartialDateStruct`.

    Found at:
        protocolSection.statusModule.startDateStruct
        protocolSection.statusModule.primaryCompletionDateStruct
        protocolSection.statusModule.completionDateStruct
    """

    date: PartialDate | None = None
    type: Annotated[str, OpenEnum(DateType)] | None = None


class StatusModule(StudyModel):
    """OAS 2.0.5 schema `StatusModule`.

    Found at:
        protocolSection.statusModule
    """

    statusVerifiedDate: PartialDate | None = None
    overallStatus: Annotated[str, OpenEnum(Status)] | None = None
    lastKnownStatus: Annotated[str, OpenEnum(Status)] | None = None
    delayedPosting: bool | None = None
    whyStopped: Markup | None = None
    expandedAccessInfo: ExpandedAccessInfo | None = None
    startDateStruct: PartialDateStruct | None = None
    primaryCompletionDateStruct: PartialDateStruct | None = None
    completionDateStruct: PartialDateStruct | None = None
    studyFirstSubmitDate: CalendarDate | None = None
    studyFirstSubmitQcDate: CalendarDate | None = None
    studyFirstPostDateStruct: DateStruct | None = None
    resultsWaived: bool | None = None
    resultsFirstSubmitDate: CalendarDate | None = None
    resultsFirstSubmitQcDate: CalendarDate | None = None
    resultsFirstPostDateStruct: DateStruct | None = None
    dispFirstSubmitDate: CalendarDate | None = None
    dispFirstSubmitQcDate: CalendarDate | None = None
    dispFirstPostDateStruct: DateStruct | None = None
    lastUpdateSubmitDate: CalendarDate | None = None
    lastUpdatePostDateStruct: DateStruct | None = None


class ResponsibleParty(StudyModel):
    """OAS 2.0.5 schema `ResponsibleParty`.

    Found at:
        protocolSection.sponsorCollaboratorsModule.responsibleParty
    """

    type: Annotated[str, OpenEnum(ResponsiblePartyType)] | None = None
    investigatorFullName: str | None = None
    investigatorTitle: str | None = None
    investigatorAffiliation: str | None = None
    oldNameTitle: str | None = None
    oldOrganization: str | None = None


class Sponsor(StudyModel):
    """OAS 2.0.5 schema `Sponsor`.

    Found at:
        protocolSection.sponsorCollaboratorsModule.leadSponsor
        protocolSection.sponsorCollaboratorsModule.collaborators[]
    """

    name: str | None = None
    class_: Annotated[str, OpenEnum(AgencyClass)] | None = Field(default=None, alias="class")


class SponsorCollaboratorsModule(StudyModel):
    """OAS 2.0.5 schema `SponsorCollaboratorsModule`.

    Found at:
        protocolSection.sponsorCollaboratorsModule
    """

    responsibleParty: ResponsibleParty | None = None
    leadSponsor: Sponsor | None = None
    collaborators: list[Sponsor] | None = None


class OversightModule(StudyModel):
    """OAS 2.0.5 schema `OversightModule`.

    Found at:
        protocolSection.oversightModule
    """

    oversightHasDmc: bool | None = None
    isFdaRegulatedDrug: bool | None = None
    isFdaRegulatedDevice: bool | None = None
    isUnapprovedDevice: bool | None = None
    isPpsd: bool | None = None
    isUsExport: bool | None = None
    fdaaa801Violation: bool | None = None


class DescriptionModule(StudyModel):
    """OAS 2.0.5 schema `DescriptionModule`.

    Found at:
        protocolSection.descriptionModule
    """

    briefSummary: Markup | None = None
    detailedDescription: Markup | None = None


class ConditionsModule(StudyModel):
    """OAS 2.0.5 schema `ConditionsModule`.

    Found at:
        protocolSection.conditionsModule
    """

    conditions: list[str] | None = None
    keywords: list[str] | None = None


class ExpandedAccessTypes(StudyModel):
    """OAS 2.0.5 schema `ExpandedAccessTypes`.

    Found at:
        protocolSection.designModule.expandedAccessTypes
    """

    individual: bool | None = None
    intermediate: bool | None = None
    treatment: bool | None = None


class MaskingBlock(StudyModel):
    """OAS 2.0.5 schema `MaskingBlock`.

    Found at:
        protocolSection.designModule.designInfo.maskingInfo
    """

    masking: Annotated[str, OpenEnum(DesignMasking)] | None = None
    maskingDescription: Markup | None = None
    whoMasked: list[Annotated[str, OpenEnum(WhoMasked)]] | None = None


class DesignInfo(StudyModel):
    """OAS 2.0.5 schema `DesignInfo`.

    Found at:
        protocolSection.designModule.designInfo
    """

    allocation: Annotated[str, OpenEnum(DesignAllocation)] | None = None
    interventionModel: Annotated[str, OpenEnum(InterventionalAssignment)] | None = None
    interventionModelDescription: Markup | None = None
    primaryPurpose: Annotated[str, OpenEnum(PrimaryPurpose)] | None = None
    observationalModel: Annotated[str, OpenEnum(ObservationalModel)] | None = None
    timePerspective: Annotated[str, OpenEnum(DesignTimePerspective)] | None = None
    maskingInfo: MaskingBlock | None = None


class BioSpec(StudyModel):
    """OAS 2.0.5 schema `BioSpec`.

    Found at:
        protocolSection.designModule.bioSpec
    """

    retention: Annotated[str, OpenEnum(BioSpecRetention)] | None = None
    description: Markup | None = None


class EnrollmentInfo(StudyModel):
    """OAS 2.0.5 schema `EnrollmentInfo`.

    Found at:
        protocolSection.designModule.enrollmentInfo
    """

    count: int | None = None
    type: Annotated[str, OpenEnum(EnrollmentType)] | None = None


class DesignModule(StudyModel):
    """OAS 2.0.5 schema `DesignModule`.

    Found at:
        protocolSection.designModule
    """

    studyType: Annotated[str, OpenEnum(StudyType)] | None = None
    nPtrsToThisExpAccNctId: int | None = None
    expandedAccessTypes: ExpandedAccessTypes | None = None
    patientRegistry: bool | None = None
    targetDuration: Duration | None = None
    phases: list[Annotated[str, OpenEnum(Phase)]] | None = None
    designInfo: DesignInfo | None = None
    bioSpec: BioSpec | None = None
    enrollmentInfo: EnrollmentInfo | None = None


class ArmGroup(StudyModel):
    """OAS 2.0.5 schema `ArmGroup`.

    Found at:
        protocolSection.armsInterventionsModule.armGroups[]
    """

    label: str | None = None
    type: Annotated[str, OpenEnum(ArmGroupType)] | None = None
    description: Markup | None = None
    interventionNames: list[str] | None = None


class Intervention(StudyModel):
    """OAS 2.0.5 schema `Intervention`.

    Found at:
        protocolSection.armsInterventionsModule.interventions[]
    """

    type: Annotated[str, OpenEnum(InterventionType)] | None = None
    name: str | None = None
    description: Markup | None = None
    armGroupLabels: list[str] | None = None
    otherNames: list[str] | None = None


class ArmsInterventionsModule(StudyModel):
    """OAS 2.0.5 schema `ArmsInterventionsModule`.

    Found at:
        protocolSection.armsInterventionsModule
    """

    armGroups: list[ArmGroup] | None = None
    interventions: list[Intervention] | None = None


class Outcome(StudyModel):
    """OAS 2.0.5 schema `Outcome`.

    Found at:
        protocolSection.outcomesModule.primaryOutcomes[]
        protocolSection.outcomesModule.secondaryOutcomes[]
        protocolSection.outcomesModule.otherOutcomes[]
    """

    measure: str | None = None
    description: Markup | None = None
    timeFrame: str | None = None


class OutcomesModule(StudyModel):
    """OAS 2.0.5 schema `OutcomesModule`.

    Found at:
        protocolSection.outcomesModule
    """

    primaryOutcomes: list[Outcome] | None = None
    secondaryOutcomes: list[Outcome] | None = None
    otherOutcomes: list[Outcome] | None = None


class EligibilityModule(StudyModel):
    """OAS 2.0.5 schema `EligibilityModule`.

    Found at:
        protocolSection.eligibilityModule
    """

    eligibilityCriteria: Markup | None = None
    healthyVolunteers: bool | None = None
    sex: Annotated[str, OpenEnum(Sex)] | None = None
    genderBased: bool | None = None
    genderDescription: Markup | None = None
    minimumAge: Duration | None = None
    maximumAge: Duration | None = None
    stdAges: list[Annotated[str, OpenEnum(StandardAge)]] | None = None
    studyPopulation: Markup | None = None
    samplingMethod: Annotated[str, OpenEnum(SamplingMethod)] | None = None


class Contact(StudyModel):
    """OAS 2.0.5 schema `Contact`.

    Found at:
        protocolSection.contactsLocationsModule.centralContacts[]
        protocolSection.contactsLocationsModule.locations[].contacts[]
    """

    name: str | None = None
    role: Annotated[str, OpenEnum(ContactRole)] | None = None
    phone: str | None = None
    phoneExt: str | None = None
    email: str | None = None


class Official(StudyModel):
    """OAS 2.0.5 schema `Official`.

    Found at:
        protocolSection.contactsLocationsModule.overallOfficials[]
    """

    name: str | None = None
    affiliation: str | None = None
    role: Annotated[str, OpenEnum(OfficialRole)] | None = None


class GeoPoint(StudyModel):
    """OAS 2.0.5 schema `GeoPoint`.

    Found at:
        protocolSection.contactsLocationsModule.locations[].geoPoint

    The spec requires lat, lon; optional here, like every field, so a
    record missing them still validates.
    """

    lat: float | None = None
    lon: float | None = None


class Location(StudyModel):
    """OAS 2.0.5 schema `Location`.

    Found at:
        protocolSection.contactsLocationsModule.locations[]
    """

    facility: str | None = None
    status: Annotated[str, OpenEnum(RecruitmentStatus)] | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    contacts: list[Contact] | None = None
    geoPoint: GeoPoint | None = None


class ContactsLocationsModule(StudyModel):
    """OAS 2.0.5 schema `ContactsLocationsModule`.

    Found at:
        protocolSection.contactsLocationsModule
    """

    centralContacts: list[Contact] | None = None
    overallOfficials: list[Official] | None = None
    locations: list[Location] | None = None


class Retraction(StudyModel):
    """OAS 2.0.5 schema `Retraction`.

    Found at:
        protocolSection.referencesModule.references[].retractions[]
    """

    pmid: str | None = None
    source: str | None = None


class Reference(StudyModel):
    """OAS 2.0.5 schema `Reference`.

    Found at:
        protocolSection.referencesModule.references[]
    """

    pmid: str | None = None
    type: Annotated[str, OpenEnum(ReferenceType)] | None = None
    citation: str | None = None
    retractions: list[Retraction] | None = None


class SeeAlsoLink(StudyModel):
    """OAS 2.0.5 schema `SeeAlsoLink`.

    Found at:
        protocolSection.referencesModule.seeAlsoLinks[]
    """

    label: Markup | None = None
    url: str | None = None


class AvailIpd(StudyModel):
    """OAS 2.0.5 schema `AvailIpd`.

    Found at:
        protocolSection.referencesModule.availIpds[]
    """

    id: str | None = None
    type: str | None = None
    url: str | None = None
    comment: Markup | None = None


class ReferencesModule(StudyModel):
    """OAS 2.0.5 schema `ReferencesModule`.

    Found at:
        protocolSection.referencesModule
    """

    references: list[Reference] | None = None
    seeAlsoLinks: list[SeeAlsoLink] | None = None
    availIpds: list[AvailIpd] | None = None


class IpdSharingStatementModule(StudyModel):
    """OAS 2.0.5 schema `IpdSharingStatementModule`.

    Found at:
        protocolSection.ipdSharingStatementModule
    """

    ipdSharing: Annotated[str, OpenEnum(IpdSharing)] | None = None
    description: Markup | None = None
    infoTypes: list[Annotated[str, OpenEnum(IpdSharingInfoType)]] | None = None
    timeFrame: Markup | None = None
    accessCriteria: Markup | None = None
    url: str | None = None


class ProtocolSection(StudyModel):
    """OAS 2.0.5 schema `ProtocolSection`.

    Found at:
        protocolSection
    """

    identificationModule: IdentificationModule | None = None
    statusModule: StatusModule | None = None
    sponsorCollaboratorsModule: SponsorCollaboratorsModule | None = None
    oversightModule: OversightModule | None = None
    descriptionModule: DescriptionModule | None = None
    conditionsModule: ConditionsModule | None = None
    designModule: DesignModule | None = None
    armsInterventionsModule: ArmsInterventionsModule | None = None
    outcomesModule: OutcomesModule | None = None
    eligibilityModule: EligibilityModule | None = None
    contactsLocationsModule: ContactsLocationsModule | None = None
    referencesModule: ReferencesModule | None = None
    ipdSharingStatementModule: IpdSharingStatementModule | None = None
