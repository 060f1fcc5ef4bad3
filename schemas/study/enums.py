"""Enums of the Study record.

Generated from OAS 2.0.5 by schemas/study/_generate.py; do not edit.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """OAS 2.0.5 enum `Status`.

    Used by:
        StatusModule.overallStatus
        StatusModule.lastKnownStatus
    """

    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    COMPLETED = "COMPLETED"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"
    AVAILABLE = "AVAILABLE"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING"
    WITHHELD = "WITHHELD"
    UNKNOWN = "UNKNOWN"


class StudyType(StrEnum):
    """OAS 2.0.5 enum `StudyType`.

    Used by:
        DesignModule.studyType
    """

    EXPANDED_ACCESS = "EXPANDED_ACCESS"
    INTERVENTIONAL = "INTERVENTIONAL"
    OBSERVATIONAL = "OBSERVATIONAL"


class Phase(StrEnum):
    """OAS 2.0.5 enum `Phase`.

    Used by:
        DesignModule.phases[]
    """

    NA = "NA"
    EARLY_PHASE1 = "EARLY_PHASE1"
    PHASE1 = "PHASE1"
    PHASE2 = "PHASE2"
    PHASE3 = "PHASE3"
    PHASE4 = "PHASE4"


class Sex(StrEnum):
    """OAS 2.0.5 enum `Sex`.

    Used by:
        EligibilityModule.sex
    """

    FEMALE = "FEMALE"
    MALE = "MALE"
    ALL = "ALL"


class StandardAge(StrEnum):
    """OAS 2.0.5 enum `StandardAge`.

    Used by:
        EligibilityModule.stdAges[]
    """

    CHILD = "CHILD"
    ADULT = "ADULT"
    OLDER_ADULT = "OLDER_ADULT"


class SamplingMethod(StrEnum):
    """OAS 2.0.5 enum `SamplingMethod`.

    Used by:
        EligibilityModule.samplingMethod
    """

    PROBABILITY_SAMPLE = "PROBABILITY_SAMPLE"
    NON_PROBABILITY_SAMPLE = "NON_PROBABILITY_SAMPLE"


class IpdSharing(StrEnum):
    """OAS 2.0.5 enum `IpdSharing`.

    Used by:
        IpdSharingStatementModule.ipdSharing
    """

    YES = "YES"
    NO = "NO"
    UNDECIDED = "UNDECIDED"


class IpdSharingInfoType(StrEnum):
    """OAS 2.0.5 enum `IpdSharingInfoType`.

    Used by:
        IpdSharingStatementModule.infoTypes[]
    """

    STUDY_PROTOCOL = "STUDY_PROTOCOL"
    SAP = "SAP"
    ICF = "ICF"
    CSR = "CSR"
    ANALYTIC_CODE = "ANALYTIC_CODE"


class OrgStudyIdType(StrEnum):
    """OAS 2.0.5 enum `OrgStudyIdType`.

    Used by:
        OrgStudyIdInfo.type
    """

    NIH = "NIH"
    FDA = "FDA"
    VA = "VA"
    CDC = "CDC"
    AHRQ = "AHRQ"
    SAMHSA = "SAMHSA"


class SecondaryIdType(StrEnum):
    """OAS 2.0.5 enum `SecondaryIdType`.

    Used by:
        SecondaryIdInfo.type
    """

    NIH = "NIH"
    FDA = "FDA"
    VA = "VA"
    CDC = "CDC"
    AHRQ = "AHRQ"
    SAMHSA = "SAMHSA"
    OTHER_GRANT = "OTHER_GRANT"
    EUDRACT_NUMBER = "EUDRACT_NUMBER"
    CTIS = "CTIS"
    REGISTRY = "REGISTRY"
    OTHER = "OTHER"


class AgencyClass(StrEnum):
    """OAS 2.0.5 enum `AgencyClass`.

    Used by:
        Organization.class
        Sponsor.class
    """

    NIH = "NIH"
    FED = "FED"
    OTHER_GOV = "OTHER_GOV"
    INDIV = "INDIV"
    INDUSTRY = "INDUSTRY"
    NETWORK = "NETWORK"
    AMBIG = "AMBIG"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class ExpandedAccessStatus(StrEnum):
    """OAS 2.0.5 enum `ExpandedAccessStatus`.

    Used by:
        ExpandedAccessInfo.statusForNctId
    """

    AVAILABLE = "AVAILABLE"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING"


class DateType(StrEnum):
    """OAS 2.0.5 enum `DateType`.

    Used by:
        PartialDateStruct.type
        DateStruct.type
    """

    ACTUAL = "ACTUAL"
    ESTIMATED = "ESTIMATED"


class ResponsiblePartyType(StrEnum):
    """OAS 2.0.5 enum `ResponsiblePartyType`.

    Used by:
        ResponsibleParty.type
    """

    SPONSOR = "SPONSOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SPONSOR_INVESTIGATOR = "SPONSOR_INVESTIGATOR"


class DesignAllocation(StrEnum):
    """OAS 2.0.5 enum `DesignAllocation`.

    Used by:
        DesignInfo.allocation
    """

    RANDOMIZED = "RANDOMIZED"
    NON_RANDOMIZED = "NON_RANDOMIZED"
    NA = "NA"


class InterventionalAssignment(StrEnum):
    """OAS 2.0.5 enum `InterventionalAssignment`.

    Used by:
        DesignInfo.interventionModel
    """

    SINGLE_GROUP = "SINGLE_GROUP"
    PARALLEL = "PARALLEL"
    CROSSOVER = "CROSSOVER"
    FACTORIAL = "FACTORIAL"
    SEQUENTIAL = "SEQUENTIAL"


class PrimaryPurpose(StrEnum):
    """OAS 2.0.5 enum `PrimaryPurpose`.

    Used by:
        DesignInfo.primaryPurpose
    """

    TREATMENT = "TREATMENT"
    PREVENTION = "PREVENTION"
    DIAGNOSTIC = "DIAGNOSTIC"
    ECT = "ECT"
    SUPPORTIVE_CARE = "SUPPORTIVE_CARE"
    SCREENING = "SCREENING"
    HEALTH_SERVICES_RESEARCH = "HEALTH_SERVICES_RESEARCH"
    BASIC_SCIENCE = "BASIC_SCIENCE"
    DEVICE_FEASIBILITY = "DEVICE_FEASIBILITY"
    OTHER = "OTHER"


class ObservationalModel(StrEnum):
    """OAS 2.0.5 enum `ObservationalModel`.

    Used by:
        DesignInfo.observationalModel
    """

    COHORT = "COHORT"
    CASE_CONTROL = "CASE_CONTROL"
    CASE_ONLY = "CASE_ONLY"
    CASE_CROSSOVER = "CASE_CROSSOVER"
    ECOLOGIC_OR_COMMUNITY = "ECOLOGIC_OR_COMMUNITY"
    FAMILY_BASED = "FAMILY_BASED"
    DEFINED_POPULATION = "DEFINED_POPULATION"
    NATURAL_HISTORY = "NATURAL_HISTORY"
    OTHER = "OTHER"


class DesignTimePerspective(StrEnum):
    """OAS 2.0.5 enum `DesignTimePerspective`.

    Used by:
        DesignInfo.timePerspective
    """

    RETROSPECTIVE = "RETROSPECTIVE"
    PROSPECTIVE = "PROSPECTIVE"
    CROSS_SECTIONAL = "CROSS_SECTIONAL"
    OTHER = "OTHER"


class BioSpecRetention(StrEnum):
    """OAS 2.0.5 enum `BioSpecRetention`.

    Used by:
        BioSpec.retention
    """

    NONE_RETAINED = "NONE_RETAINED"
    SAMPLES_WITH_DNA = "SAMPLES_WITH_DNA"
    SAMPLES_WITHOUT_DNA = "SAMPLES_WITHOUT_DNA"


class EnrollmentType(StrEnum):
    """OAS 2.0.5 enum `EnrollmentType`.

    Used by:
        EnrollmentInfo.type
    """

    ACTUAL = "ACTUAL"
    ESTIMATED = "ESTIMATED"


class ArmGroupType(StrEnum):
    """OAS 2.0.5 enum `ArmGroupType`.

    Used by:
        ArmGroup.type
    """

    EXPERIMENTAL = "EXPERIMENTAL"
    ACTIVE_COMPARATOR = "ACTIVE_COMPARATOR"
    PLACEBO_COMPARATOR = "PLACEBO_COMPARATOR"
    SHAM_COMPARATOR = "SHAM_COMPARATOR"
    NO_INTERVENTION = "NO_INTERVENTION"
    OTHER = "OTHER"


class InterventionType(StrEnum):
    """OAS 2.0.5 enum `InterventionType`.

    Used by:
        Intervention.type
    """

    BEHAVIORAL = "BEHAVIORAL"
    BIOLOGICAL = "BIOLOGICAL"
    COMBINATION_PRODUCT = "COMBINATION_PRODUCT"
    DEVICE = "DEVICE"
    DIAGNOSTIC_TEST = "DIAGNOSTIC_TEST"
    DIETARY_SUPPLEMENT = "DIETARY_SUPPLEMENT"
    DRUG = "DRUG"
    GENETIC = "GENETIC"
    PROCEDURE = "PROCEDURE"
    RADIATION = "RADIATION"
    OTHER = "OTHER"


class ContactRole(StrEnum):
    """OAS 2.0.5 enum `ContactRole`.

    Used by:
        Contact.role
    """

    STUDY_CHAIR = "STUDY_CHAIR"
    STUDY_DIRECTOR = "STUDY_DIRECTOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SUB_INVESTIGATOR = "SUB_INVESTIGATOR"
    CONTACT = "CONTACT"


class OfficialRole(StrEnum):
    """OAS 2.0.5 enum `OfficialRole`.

    Used by:
        Official.role
    """

    STUDY_CHAIR = "STUDY_CHAIR"
    STUDY_DIRECTOR = "STUDY_DIRECTOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SUB_INVESTIGATOR = "SUB_INVESTIGATOR"


class RecruitmentStatus(StrEnum):
    """OAS 2.0.5 enum `RecruitmentStatus`.

    Used by:
        Location.status
    """

    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    COMPLETED = "COMPLETED"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"
    AVAILABLE = "AVAILABLE"


class ReferenceType(StrEnum):
    """OAS 2.0.5 enum `ReferenceType`.

    Used by:
        Reference.type
    """

    BACKGROUND = "BACKGROUND"
    RESULT = "RESULT"
    DERIVED = "DERIVED"


class MeasureParam(StrEnum):
    """OAS 2.0.5 enum `MeasureParam`.

    Used by:
        BaselineMeasure.paramType
        OutcomeMeasure.paramType
    """

    GEOMETRIC_MEAN = "GEOMETRIC_MEAN"
    GEOMETRIC_LEAST_SQUARES_MEAN = "GEOMETRIC_LEAST_SQUARES_MEAN"
    LEAST_SQUARES_MEAN = "LEAST_SQUARES_MEAN"
    LOG_MEAN = "LOG_MEAN"
    MEAN = "MEAN"
    MEDIAN = "MEDIAN"
    NUMBER = "NUMBER"
    COUNT_OF_PARTICIPANTS = "COUNT_OF_PARTICIPANTS"
    COUNT_OF_UNITS = "COUNT_OF_UNITS"


class MeasureDispersionType(StrEnum):
    """OAS 2.0.5 enum `MeasureDispersionType`.

    Used by:
        BaselineMeasure.dispersionType
    """

    NA = "NA"
    STANDARD_DEVIATION = "STANDARD_DEVIATION"
    STANDARD_ERROR = "STANDARD_ERROR"
    INTER_QUARTILE_RANGE = "INTER_QUARTILE_RANGE"
    FULL_RANGE = "FULL_RANGE"
    CONFIDENCE_80 = "CONFIDENCE_80"
    CONFIDENCE_90 = "CONFIDENCE_90"
    CONFIDENCE_95 = "CONFIDENCE_95"
    CONFIDENCE_975 = "CONFIDENCE_975"
    CONFIDENCE_99 = "CONFIDENCE_99"
    CONFIDENCE_OTHER = "CONFIDENCE_OTHER"
    GEOMETRIC_COEFFICIENT = "GEOMETRIC_COEFFICIENT"


class OutcomeMeasureType(StrEnum):
    """OAS 2.0.5 enum `OutcomeMeasureType`.

    Used by:
        OutcomeMeasure.type
    """

    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"
    OTHER_PRE_SPECIFIED = "OTHER_PRE_SPECIFIED"
    POST_HOC = "POST_HOC"


class ReportingStatus(StrEnum):
    """OAS 2.0.5 enum `ReportingStatus`.

    Used by:
        OutcomeMeasure.reportingStatus
    """

    NOT_POSTED = "NOT_POSTED"
    POSTED = "POSTED"


class EventAssessment(StrEnum):
    """OAS 2.0.5 enum `EventAssessment`.

    Used by:
        AdverseEvent.assessmentType
    """

    NON_SYSTEMATIC_ASSESSMENT = "NON_SYSTEMATIC_ASSESSMENT"
    SYSTEMATIC_ASSESSMENT = "SYSTEMATIC_ASSESSMENT"


class AgreementRestrictionType(StrEnum):
    """OAS 2.0.5 enum `AgreementRestrictionType`.

    Used by:
        CertainAgreement.restrictionType
    """

    LTE60 = "LTE60"
    GT60 = "GT60"
    OTHER = "OTHER"


class BrowseLeafRelevance(StrEnum):
    """OAS 2.0.5 enum `BrowseLeafRelevance`.

    Used by:
        BrowseLeaf.relevance
    """

    LOW = "LOW"
    HIGH = "HIGH"


class DesignMasking(StrEnum):
    """OAS 2.0.5 enum `DesignMasking`.

    Used by:
        MaskingBlock.masking
    """

    NONE = "NONE"
    SINGLE = "SINGLE"
    DOUBLE = "DOUBLE"
    TRIPLE = "TRIPLE"
    QUADRUPLE = "QUADRUPLE"


class WhoMasked(StrEnum):
    """OAS 2.0.5 enum `WhoMasked`.

    Used by:
        MaskingBlock.whoMasked[]
    """

    PARTICIPANT = "PARTICIPANT"
    CARE_PROVIDER = "CARE_PROVIDER"
    INVESTIGATOR = "INVESTIGATOR"
    OUTCOMES_ASSESSOR = "OUTCOMES_ASSESSOR"


class AnalysisDispersionType(StrEnum):
    """OAS 2.0.5 enum `AnalysisDispersionType`.

    Used by:
        MeasureAnalysis.dispersionType
    """

    STANDARD_DEVIATION = "STANDARD_DEVIATION"
    STANDARD_ERROR_OF_MEAN = "STANDARD_ERROR_OF_MEAN"


class ConfidenceIntervalNumSides(StrEnum):
    """OAS 2.0.5 enum `ConfidenceIntervalNumSides`.

    Used by:
        MeasureAnalysis.ciNumSides
    """

    ONE_SIDED = "ONE_SIDED"
    TWO_SIDED = "TWO_SIDED"


class NonInferiorityType(StrEnum):
    """OAS 2.0.5 enum `NonInferiorityType`.

    Used by:
        MeasureAnalysis.nonInferiorityType
    """

    SUPERIORITY = "SUPERIORITY"
    NON_INFERIORITY = "NON_INFERIORITY"
    EQUIVALENCE = "EQUIVALENCE"
    OTHER = "OTHER"
    NON_INFERIORITY_OR_EQUIVALENCE = "NON_INFERIORITY_OR_EQUIVALENCE"
    SUPERIORITY_OR_OTHER = "SUPERIORITY_OR_OTHER"
    NON_INFERIORITY_OR_EQUIVALENCE_LEGACY = "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY"
    SUPERIORITY_OR_OTHER_LEGACY = "SUPERIORITY_OR_OTHER_LEGACY"


class UnpostedEventType(StrEnum):
    """OAS 2.0.5 enum `UnpostedEventType`.

    Used by:
        UnpostedEvent.type
    """

    RESET = "RESET"
    RELEASE = "RELEASE"
    UNRELEASE = "UNRELEASE"


class ViolationEventType(StrEnum):
    """OAS 2.0.5 enum `ViolationEventType`.

    Used by:
        ViolationEvent.type
    """

    VIOLATION_IDENTIFIED = "VIOLATION_IDENTIFIED"
    CORRECTION_CONFIRMED = "CORRECTION_CONFIRMED"
    PENALTY_IMPOSED = "PENALTY_IMPOSED"
    ISSUES_IN_LETTER_ADDRESSED_CONFIRMED = "ISSUES_IN_LETTER_ADDRESSED_CONFIRMED"


# Spec enum name -> class.
ENUMS: dict[str, type[StrEnum]] = {
    "OrgStudyIdType": OrgStudyIdType,
    "SecondaryIdType": SecondaryIdType,
    "AgencyClass": AgencyClass,
    "Status": Status,
    "ExpandedAccessStatus": ExpandedAccessStatus,
    "DateType": DateType,
    "ResponsiblePartyType": ResponsiblePartyType,
    "StudyType": StudyType,
    "Phase": Phase,
    "DesignAllocation": DesignAllocation,
    "InterventionalAssignment": InterventionalAssignment,
    "PrimaryPurpose": PrimaryPurpose,
    "ObservationalModel": ObservationalModel,
    "DesignTimePerspective": DesignTimePerspective,
    "DesignMasking": DesignMasking,
    "WhoMasked": WhoMasked,
    "BioSpecRetention": BioSpecRetention,
    "EnrollmentType": EnrollmentType,
    "ArmGroupType": ArmGroupType,
    "InterventionType": InterventionType,
    "Sex": Sex,
    "StandardAge": StandardAge,
    "SamplingMethod": SamplingMethod,
    "ContactRole": ContactRole,
    "OfficialRole": OfficialRole,
    "RecruitmentStatus": RecruitmentStatus,
    "ReferenceType": ReferenceType,
    "IpdSharing": IpdSharing,
    "IpdSharingInfoType": IpdSharingInfoType,
    "MeasureParam": MeasureParam,
    "MeasureDispersionType": MeasureDispersionType,
    "OutcomeMeasureType": OutcomeMeasureType,
    "ReportingStatus": ReportingStatus,
    "AnalysisDispersionType": AnalysisDispersionType,
    "ConfidenceIntervalNumSides": ConfidenceIntervalNumSides,
    "NonInferiorityType": NonInferiorityType,
    "EventAssessment": EventAssessment,
    "AgreementRestrictionType": AgreementRestrictionType,
    "UnpostedEventType": UnpostedEventType,
    "ViolationEventType": ViolationEventType,
    "BrowseLeafRelevance": BrowseLeafRelevance,
}
