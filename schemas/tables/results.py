"""Posted results: groups, participant flow, baseline, outcome measures, adverse events, more info.

AACT tables (`result_groups`, `participant_flows`, `milestones`, `drop_withdrawals`,
`baseline_counts`, `baseline_measurements`, `outcomes`, `outcome_counts`, `outcome_measurements`,
`outcome_analyses`, `outcome_analysis_groups`, `reported_events`, `reported_event_totals`,
`result_agreements`, `result_contacts`) with AACT's names and literals, plus tables AACT lacks so
that no list item of `resultsSection` is lost: one row per flow period, milestone and drop/withdraw
reason type, per baseline measure, class and category, per outcome class and category, per
denominator, per adverse event term, per measure/class-level baseline denominator count, and one
row of adverse-event module scalars per study.

Result groups link by code within their own context (AACT issue #1209): every `result_group_id`
is the `result_groups.id` of the group with the row's `ctgov_group_code` in the same module and,
for outcome rows, the same outcome. Positions that are not inside an outcome, measure or class
are -1 in the key columns (`outcome_ordinal`, `measure_ordinal`, `class_ordinal`), because key
columns cannot be NULL.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, ordinal, stable_id, text
from schemas.table import Column, Table

_R = "resultsSection"
_PF = f"{_R}.participantFlowModule"
_PERIOD = f"{_PF}.periods[]"
_MILESTONE = f"{_PERIOD}.milestones[]"
_ACHIEVEMENT = f"{_MILESTONE}.achievements[]"
_DROP = f"{_PERIOD}.dropWithdraws[]"
_REASON = f"{_DROP}.reasons[]"
_BL = f"{_R}.baselineCharacteristicsModule"
_BMEASURE = f"{_BL}.measures[]"
_BCLASS = f"{_BMEASURE}.classes[]"
_BCATEGORY = f"{_BCLASS}.categories[]"
_BMEASUREMENT = f"{_BCATEGORY}.measurements[]"
_OM = f"{_R}.outcomeMeasuresModule.outcomeMeasures[]"
_OCLASS = f"{_OM}.classes[]"
_OCATEGORY = f"{_OCLASS}.categories[]"
_OMEASUREMENT = f"{_OCATEGORY}.measurements[]"
_ANALYSIS = f"{_OM}.analyses[]"
_AE = f"{_R}.adverseEventsModule"
_EVENT_LISTS = (f"{_AE}.seriousEvents[]", f"{_AE}.otherEvents[]")
_MI = f"{_R}.moreInfoModule"

NO_POSITION = -1
"""Key-column value for 'not inside an outcome / measure / class' (key columns are NOT NULL)."""


def _alt(*paths: str) -> str:
    return "|".join(paths)


def _events(key: str) -> str:
    return _alt(*(f"{events}.{key}" for events in _EVENT_LISTS))


def _int(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.int32(), doc, source=source)


def _float(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.float64(), doc, source=source)


def _bool(name: str, source: str | None, doc: str) -> Column:
    return Column(name, pa.bool_(), doc, source=source)


def _position(name: str, doc: str) -> Column:
    return Column(name, pa.int32(), doc, nullable=False)


def _parent_ordinal(parent: str, source_list: str) -> Column:
    return _position(f"{parent}_ordinal", f"0-based position of the parent item in {source_list}.")


def _outcome_id(nullable: bool = False) -> Column:
    return Column(
        "outcome_id",
        pa.int64(),
        "outcomes.id of the outcome measure (AACT join key).",
        nullable=nullable,
    )


def _result_group_id(context: str) -> Column:
    return Column(
        "result_group_id",
        pa.int64(),
        f"result_groups.id of the {context} group whose ctgov_group_code equals this row's "
        "(computed with result_groups.id's recipe); NULL when no such group exists.",
    )


def _group_code(source: str) -> Column:
    return text("ctgov_group_code", source, "Group code as given (FG000, BG000, OG000, EG000).")


def _count(source: str, doc: str = "Number of participants (or units)") -> list[Column]:
    return [
        _int("count", source, f"{doc}, as an integer; NULL when the text is not an integer."),
        text("count_raw", source, f"{doc} exactly as given (the registry sends a string)."),
    ]


def _number(name: str, source: str, doc: str, *, raw_name: str | None = None) -> list[Column]:
    """A numeric column parsed from registry text, and its raw text (AACT's `*_raw` pattern)."""
    return [
        _float(name, source, f"{doc}, as a number; NULL when the text is not a plain number."),
        text(raw_name or f"{name}_raw", source, f"{doc} exactly as given."),
    ]


# --- result groups ------------------------------------------------------------------------------

RESULT_GROUPS = Table(
    "result_groups",
    stable_id(
        "stable_id('result_groups', nct_id, result_type, outcome_ordinal, ctgov_group_code): keyed "
        "by code, so every result_group_id is derivable from its row's code and context."
    ),
    nct_id(),
    text(
        "result_type",
        None,
        "AACT literal: 'Participant Flow', 'Baseline', 'Outcome' or 'Reported Event'.",
        nullable=False,
    ),
    _position(
        "outcome_ordinal",
        "0-based position of the outcome measure for 'Outcome' groups (one set per outcome); "
        "-1 for the other result types.",
    ),
    ordinal("0-based position in its group list."),
    _group_code(
        _alt(
            f"{_PF}.groups[].id",
            f"{_BL}.groups[].id",
            f"{_AE}.eventGroups[].id",
            f"{_OM}.groups[].id",
        )
    ),
    text(
        "title",
        _alt(
            f"{_PF}.groups[].title",
            f"{_BL}.groups[].title",
            f"{_AE}.eventGroups[].title",
            f"{_OM}.groups[].title",
        ),
        "Group title.",
    ),
    text(
        "description",
        _alt(
            f"{_PF}.groups[].description",
            f"{_BL}.groups[].description",
            f"{_AE}.eventGroups[].description",
            f"{_OM}.groups[].description",
        ),
        "Group description.",
    ),
    _outcome_id(nullable=True),
    primary_key=("nct_id", "result_type", "outcome_ordinal", "ordinal"),
    grain="one row per result group (flow, baseline, event groups once; outcome ones per outcome)",
    doc=(
        "A group whose code repeats an earlier code of its context (never seen) or has no code "
        "gets a position-keyed id instead; rows link to the first group with their code."
    ),
)

# --- participant flow ---------------------------------------------------------------------------

PARTICIPANT_FLOWS = Table(
    "participant_flows",
    stable_id(),
    nct_id(),
    text("recruitment_details", f"{_PF}.recruitmentDetails", "Recruitment details."),
    text("pre_assignment_details", f"{_PF}.preAssignmentDetails", "Pre-assignment details."),
    text("units_analyzed", f"{_PF}.typeUnitsAnalyzed", "Unit analyzed when not participants."),
    primary_key=("nct_id",),
    grain="one row per study with a participant flow module",
)

FLOW_PERIODS = Table(
    "flow_periods",
    stable_id(),
    nct_id(),
    ordinal("0-based position in periods."),
    text(
        "period", f"{_PERIOD}.title", "Period title (milestones.period, drop_withdrawals.period)."
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per participant flow period (not in AACT)",
)

FLOW_MILESTONES = Table(
    "flow_milestones",
    stable_id(),
    nct_id(),
    _parent_ordinal("period", "periods"),
    ordinal("0-based position in the period's milestones."),
    text(
        "title", f"{_MILESTONE}.type", "Milestone (STARTED, COMPLETED, NOT COMPLETED or free text)."
    ),
    text("milestone_description", f"{_MILESTONE}.comment", "Comment on the milestone."),
    primary_key=("nct_id", "period_ordinal", "ordinal"),
    grain="one row per milestone of a flow period (not in AACT; milestones has one per group)",
)

MILESTONES = Table(
    "milestones",
    stable_id(),
    nct_id(),
    _parent_ordinal("period", "periods"),
    _parent_ordinal("milestone", "the period's milestones"),
    ordinal("0-based position in the milestone's achievements."),
    _result_group_id("'Participant Flow'"),
    _group_code(f"{_ACHIEVEMENT}.groupId"),
    text(
        "title", f"{_MILESTONE}.type", "Milestone (STARTED, COMPLETED, NOT COMPLETED or free text)."
    ),
    text("period", f"{_PERIOD}.title", "Period title."),
    text(
        "description",
        f"{_ACHIEVEMENT}.comment",
        "Comment on this group's count (v2 key `comment`; AACT reads a non-existent "
        "`description` key, so its column is always NULL).",
    ),
    *_count(f"{_ACHIEVEMENT}.numSubjects", "Participants reaching the milestone"),
    text("milestone_description", f"{_MILESTONE}.comment", "Comment on the milestone."),
    _int(
        "count_units",
        f"{_ACHIEVEMENT}.numUnits",
        "Units (not participants) reaching it, as an integer.",
    ),
    text("count_units_raw", f"{_ACHIEVEMENT}.numUnits", "numUnits exactly as given."),
    primary_key=("nct_id", "period_ordinal", "milestone_ordinal", "ordinal"),
    grain="one row per group count of a participant flow milestone",
)

FLOW_DROP_WITHDRAWS = Table(
    "flow_drop_withdraws",
    stable_id(),
    nct_id(),
    _parent_ordinal("period", "periods"),
    ordinal("0-based position in the period's dropWithdraws."),
    text("reason", f"{_DROP}.type", "Reason for not completing (e.g. 'Adverse Event')."),
    text("drop_withdraw_comment", f"{_DROP}.comment", "Comment on the reason."),
    primary_key=("nct_id", "period_ordinal", "ordinal"),
    grain="one row per drop/withdraw reason of a flow period (not in AACT)",
)

DROP_WITHDRAWALS = Table(
    "drop_withdrawals",
    stable_id(),
    nct_id(),
    _parent_ordinal("period", "periods"),
    _parent_ordinal("drop_withdraw", "the period's dropWithdraws"),
    ordinal("0-based position in the reason's per-group counts."),
    _result_group_id("'Participant Flow'"),
    _group_code(f"{_REASON}.groupId"),
    text("period", f"{_PERIOD}.title", "Period title."),
    text("reason", f"{_DROP}.type", "Reason for not completing (e.g. 'Adverse Event')."),
    *_count(f"{_REASON}.numSubjects", "Participants who left for this reason"),
    text("drop_withdraw_comment", f"{_DROP}.comment", "Comment on the reason."),
    text("reason_comment", f"{_REASON}.comment", "Comment on this group's count."),
    _int("count_units", f"{_REASON}.numUnits", "Units (not participants), as an integer."),
    text("count_units_raw", f"{_REASON}.numUnits", "numUnits exactly as given."),
    primary_key=("nct_id", "period_ordinal", "drop_withdraw_ordinal", "ordinal"),
    grain="one row per group count of a drop/withdraw reason",
)

# --- baseline -----------------------------------------------------------------------------------

BASELINE_COUNTS = Table(
    "baseline_counts",
    stable_id(),
    nct_id(),
    _parent_ordinal("denom", "the baseline module's denoms"),
    ordinal("0-based position in the denom's counts."),
    _result_group_id("'Baseline'"),
    _group_code(f"{_BL}.denoms[].counts[].groupId"),
    text("units", f"{_BL}.denoms[].units", "What is counted (usually 'Participants')."),
    text("scope", None, "AACT literal 'overall'.", nullable=False),
    *_count(f"{_BL}.denoms[].counts[].value", "Number analyzed at baseline"),
    primary_key=("nct_id", "denom_ordinal", "ordinal"),
    grain="one row per group count of an overall baseline denominator",
)

BASELINE_MEASURES = Table(
    "baseline_measures",
    stable_id(),
    nct_id(),
    ordinal("0-based position in the baseline module's measures."),
    text("title", f"{_BMEASURE}.title", "Baseline measure title."),
    text("description", f"{_BMEASURE}.description", "Measure description."),
    text("population_description", f"{_BMEASURE}.populationDescription", "Analysis population."),
    text("units", f"{_BMEASURE}.unitOfMeasure", "Unit of measure."),
    text(
        "param_type",
        f"{_BMEASURE}.paramType",
        "MeasureParam code (MEAN, COUNT_OF_PARTICIPANTS, ...).",
    ),
    text("dispersion_type", f"{_BMEASURE}.dispersionType", "MeasureDispersionType code."),
    _bool(
        "calculate_pct", f"{_BMEASURE}.calculatePct", "Whether the registry computes percentages."
    ),
    text(
        "denom_units_selected",
        f"{_BMEASURE}.denomUnitsSelected",
        "Denominator units chosen, as given.",
    ),
    primary_key=("nct_id", "ordinal"),
    grain="one row per baseline measure (not in AACT; baseline_measurements repeats these fields)",
)

BASELINE_CLASSES = Table(
    "baseline_classes",
    stable_id(),
    nct_id(),
    _parent_ordinal("measure", "the baseline module's measures"),
    ordinal("0-based position in the measure's classes."),
    text("classification", f"{_BCLASS}.title", "Class title (e.g. a race or region)."),
    primary_key=("nct_id", "measure_ordinal", "ordinal"),
    grain="one row per class of a baseline measure (not in AACT)",
)

BASELINE_CATEGORIES = Table(
    "baseline_categories",
    stable_id(),
    nct_id(),
    _parent_ordinal("measure", "the baseline module's measures"),
    _parent_ordinal("class", "the measure's classes"),
    ordinal("0-based position in the class's categories."),
    text("category", f"{_BCATEGORY}.title", "Category title (e.g. 'Female')."),
    primary_key=("nct_id", "measure_ordinal", "class_ordinal", "ordinal"),
    grain="one row per category of a baseline measure class (not in AACT)",
)

BASELINE_MEASURE_DENOMS = Table(
    "baseline_measure_denoms",
    stable_id(),
    nct_id(),
    text(
        "scope",
        None,
        "'measure' (measure-level denominator) or 'class' (class-level).",
        nullable=False,
    ),
    _parent_ordinal("measure", "the baseline module's measures"),
    _position(
        "class_ordinal", "0-based position of the class for scope 'class'; -1 for 'measure'."
    ),
    _parent_ordinal("denom", "the measure's (or class's) denoms"),
    ordinal("0-based position in the denom's counts."),
    _result_group_id("'Baseline'"),
    _group_code(
        _alt(f"{_BMEASURE}.denoms[].counts[].groupId", f"{_BCLASS}.denoms[].counts[].groupId")
    ),
    text(
        "classification", f"{_BCLASS}.title", "Class title for scope 'class'; NULL for 'measure'."
    ),
    text(
        "units",
        _alt(f"{_BMEASURE}.denoms[].units", f"{_BCLASS}.denoms[].units"),
        "What is counted.",
    ),
    *_count(
        _alt(f"{_BMEASURE}.denoms[].counts[].value", f"{_BCLASS}.denoms[].counts[].value"),
        "Number analyzed for the measure or class",
    ),
    primary_key=("nct_id", "measure_ordinal", "class_ordinal", "denom_ordinal", "ordinal"),
    grain="one row per group count of a measure- or class-level baseline denominator (not in AACT)",
    doc="AACT reads these only to fill baseline_measurements.number_analyzed.",
)

BASELINE_MEASUREMENTS = Table(
    "baseline_measurements",
    stable_id(),
    nct_id(),
    _parent_ordinal("measure", "the baseline module's measures"),
    _parent_ordinal("class", "the measure's classes"),
    _parent_ordinal("category", "the class's categories"),
    ordinal("0-based position in the category's measurements."),
    _result_group_id("'Baseline'"),
    _group_code(f"{_BMEASUREMENT}.groupId"),
    text("classification", f"{_BCLASS}.title", "Class title."),
    text("category", f"{_BCATEGORY}.title", "Category title."),
    text("title", f"{_BMEASURE}.title", "Baseline measure title."),
    text("description", f"{_BMEASURE}.description", "Measure description."),
    text("units", f"{_BMEASURE}.unitOfMeasure", "Unit of measure."),
    text("param_type", f"{_BMEASURE}.paramType", "MeasureParam code."),
    text("param_value", f"{_BMEASUREMENT}.value", "Value exactly as given (may be 'NA')."),
    _float(
        "param_value_num",
        f"{_BMEASUREMENT}.value",
        "Value as a number; NULL when not a plain number.",
    ),
    text("dispersion_type", f"{_BMEASURE}.dispersionType", "MeasureDispersionType code."),
    text("dispersion_value", f"{_BMEASUREMENT}.spread", "Spread exactly as given."),
    _float("dispersion_value_num", f"{_BMEASUREMENT}.spread", "Spread as a number."),
    _float("dispersion_lower_limit", f"{_BMEASUREMENT}.lowerLimit", "Lower limit as a number."),
    _float("dispersion_upper_limit", f"{_BMEASUREMENT}.upperLimit", "Upper limit as a number."),
    text("explanation_of_na", f"{_BMEASUREMENT}.comment", "Why a value is NA."),
    _int(
        "number_analyzed",
        None,
        "This group's count in the class denominators, else the measure denominators, else the "
        "overall baseline denominators, in units number_analyzed_units (AACT's rule).",
    ),
    text(
        "number_analyzed_units",
        None,
        "measure.denomUnitsSelected, default 'Participants' (AACT's rule).",
    ),
    text("population_description", f"{_BMEASURE}.populationDescription", "Analysis population."),
    text("calculate_percentage", None, "AACT literal 'Yes'/'No' from measure.calculatePct."),
    text(
        "dispersion_lower_limit_raw", f"{_BMEASUREMENT}.lowerLimit", "Lower limit exactly as given."
    ),
    text(
        "dispersion_upper_limit_raw", f"{_BMEASUREMENT}.upperLimit", "Upper limit exactly as given."
    ),
    primary_key=("nct_id", "measure_ordinal", "class_ordinal", "category_ordinal", "ordinal"),
    grain="one row per group value of a baseline measure category",
)

# --- outcome measures ---------------------------------------------------------------------------

OUTCOMES = Table(
    "outcomes",
    stable_id(),
    nct_id(),
    ordinal("0-based position in outcomeMeasures."),
    text(
        "outcome_type",
        f"{_OM}.type",
        "OutcomeMeasureType code as AACT stores results outcomes: PRIMARY, SECONDARY, "
        "OTHER_PRE_SPECIFIED, POST_HOC (uppercase, unlike design_outcomes).",
    ),
    text("title", f"{_OM}.title", "Outcome measure title."),
    text("description", f"{_OM}.description", "Outcome measure description."),
    text("time_frame", f"{_OM}.timeFrame", "Time frame."),
    text("population", f"{_OM}.populationDescription", "Analysis population description."),
    Column(
        "anticipated_posting_date",
        pa.date32(),
        "anticipatedPostingDate as the FIRST day of its period (AACT's `date_first_of_month` for "
        "yyyy-MM; for a bare year AACT gives Dec 31, we give Jan 1).",
    ),
    text(
        "anticipated_posting_month_year",
        f"{_OM}.anticipatedPostingDate",
        "When unposted results are expected, exactly as given (yyyy-MM).",
    ),
    text(
        "anticipated_posting_date_precision",
        None,
        "Precision of anticipated_posting_month_year: 'day', 'month' or 'year'.",
    ),
    text("units", f"{_OM}.unitOfMeasure", "Unit of measure."),
    text("units_analyzed", f"{_OM}.typeUnitsAnalyzed", "Unit analyzed when not participants."),
    text(
        "dispersion_type", f"{_OM}.dispersionType", "Dispersion type, as given (free text in v2)."
    ),
    text("param_type", f"{_OM}.paramType", "MeasureParam code (MEAN, NUMBER, ...)."),
    text("reporting_status", f"{_OM}.reportingStatus", "POSTED or NOT_POSTED."),
    _bool("calculate_pct", f"{_OM}.calculatePct", "Whether the registry computes percentages."),
    text("denom_units_selected", f"{_OM}.denomUnitsSelected", "Denominator units chosen."),
    primary_key=("nct_id", "ordinal"),
    grain="one row per outcome measure with posted (or anticipated) results",
)

OUTCOME_CLASSES = Table(
    "outcome_classes",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    ordinal("0-based position in the outcome's classes."),
    _outcome_id(),
    text("classification", f"{_OCLASS}.title", "Class title."),
    primary_key=("nct_id", "outcome_ordinal", "ordinal"),
    grain="one row per class of an outcome measure (not in AACT)",
)

OUTCOME_CATEGORIES = Table(
    "outcome_categories",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    _parent_ordinal("class", "the outcome's classes"),
    ordinal("0-based position in the class's categories."),
    _outcome_id(),
    text("category", f"{_OCATEGORY}.title", "Category title."),
    primary_key=("nct_id", "outcome_ordinal", "class_ordinal", "ordinal"),
    grain="one row per category of an outcome measure class (not in AACT)",
)

OUTCOME_COUNTS = Table(
    "outcome_counts",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    text(
        "scope",
        None,
        "AACT literal 'Measure' (outcome-level denominator); 'Class' (class-level denominator) is "
        "our extension: AACT does not load class denominators.",
        nullable=False,
    ),
    _position(
        "class_ordinal", "0-based position of the class for scope 'Class'; -1 for 'Measure'."
    ),
    _parent_ordinal("denom", "the outcome's (or class's) denoms"),
    ordinal("0-based position in the denom's counts."),
    _outcome_id(),
    _result_group_id("'Outcome' (same outcome)"),
    _group_code(_alt(f"{_OM}.denoms[].counts[].groupId", f"{_OCLASS}.denoms[].counts[].groupId")),
    text(
        "classification", f"{_OCLASS}.title", "Class title for scope 'Class'; NULL for 'Measure'."
    ),
    text("units", _alt(f"{_OM}.denoms[].units", f"{_OCLASS}.denoms[].units"), "What is counted."),
    *_count(
        _alt(f"{_OM}.denoms[].counts[].value", f"{_OCLASS}.denoms[].counts[].value"),
        "Number analyzed",
    ),
    primary_key=("nct_id", "outcome_ordinal", "class_ordinal", "denom_ordinal", "ordinal"),
    grain="one row per group count of an outcome (or outcome class) denominator",
)

OUTCOME_MEASUREMENTS = Table(
    "outcome_measurements",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    _parent_ordinal("class", "the outcome's classes"),
    _parent_ordinal("category", "the class's categories"),
    ordinal("0-based position in the category's measurements."),
    _outcome_id(),
    _result_group_id("'Outcome' (same outcome)"),
    _group_code(f"{_OMEASUREMENT}.groupId"),
    text("classification", f"{_OCLASS}.title", "Class title."),
    text("category", f"{_OCATEGORY}.title", "Category title."),
    text("title", f"{_OM}.title", "Outcome measure title (copied, as AACT does)."),
    text("description", f"{_OM}.description", "Outcome measure description (copied)."),
    text("units", f"{_OM}.unitOfMeasure", "Unit of measure (copied)."),
    text("param_type", f"{_OM}.paramType", "MeasureParam code (copied)."),
    text("param_value", f"{_OMEASUREMENT}.value", "Value exactly as given (may be 'NA')."),
    _float(
        "param_value_num",
        f"{_OMEASUREMENT}.value",
        "Value as a number; NULL when not a plain number.",
    ),
    text("dispersion_type", f"{_OM}.dispersionType", "Dispersion type (copied)."),
    text("dispersion_value", f"{_OMEASUREMENT}.spread", "Spread exactly as given."),
    _float("dispersion_value_num", f"{_OMEASUREMENT}.spread", "Spread as a number."),
    *_number("dispersion_lower_limit", f"{_OMEASUREMENT}.lowerLimit", "Lower limit"),
    *_number("dispersion_upper_limit", f"{_OMEASUREMENT}.upperLimit", "Upper limit"),
    text("explanation_of_na", f"{_OMEASUREMENT}.comment", "Why a value is NA."),
    primary_key=("nct_id", "outcome_ordinal", "class_ordinal", "category_ordinal", "ordinal"),
    grain="one row per group value of an outcome measure category",
)

OUTCOME_ANALYSES = Table(
    "outcome_analyses",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    ordinal("0-based position in the outcome's analyses."),
    _outcome_id(),
    text("non_inferiority_type", f"{_ANALYSIS}.nonInferiorityType", "NonInferiorityType code."),
    text("non_inferiority_description", f"{_ANALYSIS}.nonInferiorityComment", "Comment on it."),
    text("param_type", f"{_ANALYSIS}.paramType", "Estimated parameter (free text)."),
    *_number("param_value", f"{_ANALYSIS}.paramValue", "Estimated value"),
    text("dispersion_type", f"{_ANALYSIS}.dispersionType", "AnalysisDispersionType code."),
    *_number("dispersion_value", f"{_ANALYSIS}.dispersionValue", "Dispersion value"),
    text(
        "p_value_modifier",
        None,
        "Comparison sign before the p-value ('<', '<=', '>', '>=', '=', '≤', '≥', as written); "
        "NULL when none or when the text is not a sign plus a number.",
    ),
    _float("p_value", f"{_ANALYSIS}.pValue", "p-value as a number; NULL when not sign + number."),
    text("ci_n_sides", f"{_ANALYSIS}.ciNumSides", "ONE_SIDED or TWO_SIDED."),
    *_number("ci_percent", f"{_ANALYSIS}.ciPctValue", "Confidence level (percent)"),
    _float("ci_lower_limit", f"{_ANALYSIS}.ciLowerLimit", "CI lower limit as a number."),
    _float("ci_upper_limit", f"{_ANALYSIS}.ciUpperLimit", "CI upper limit as a number."),
    text(
        "ci_upper_limit_na_comment",
        f"{_ANALYSIS}.ciUpperLimitComment",
        "Why the upper limit is NA.",
    ),
    text("p_value_description", f"{_ANALYSIS}.pValueComment", "Comment on the p-value."),
    text("method", f"{_ANALYSIS}.statisticalMethod", "Statistical method."),
    text("method_description", f"{_ANALYSIS}.statisticalComment", "Comment on the method."),
    text("estimate_description", f"{_ANALYSIS}.estimateComment", "Comment on the estimate."),
    text("groups_description", f"{_ANALYSIS}.groupDescription", "Groups compared, as described."),
    text("other_analysis_description", f"{_ANALYSIS}.otherAnalysisDescription", "Other analysis."),
    text("ci_upper_limit_raw", f"{_ANALYSIS}.ciUpperLimit", "CI upper limit exactly as given."),
    text("ci_lower_limit_raw", f"{_ANALYSIS}.ciLowerLimit", "CI lower limit exactly as given."),
    text("p_value_raw", f"{_ANALYSIS}.pValue", "p-value exactly as given (e.g. '<0.001')."),
    text(
        "ci_lower_limit_na_comment",
        f"{_ANALYSIS}.ciLowerLimitComment",
        "Why the lower limit is NA.",
    ),
    _bool(
        "is_tested_non_inferiority",
        f"{_ANALYSIS}.testedNonInferiority",
        "Whether a non-inferiority or equivalence test was done (testedNonInferiority).",
    ),
    primary_key=("nct_id", "outcome_ordinal", "ordinal"),
    grain="one row per statistical analysis of an outcome measure",
)

OUTCOME_ANALYSIS_GROUPS = Table(
    "outcome_analysis_groups",
    stable_id(),
    nct_id(),
    _parent_ordinal("outcome", "outcomeMeasures"),
    _parent_ordinal("analysis", "the outcome's analyses"),
    ordinal("0-based position in the analysis's groupIds."),
    Column(
        "outcome_analysis_id",
        pa.int64(),
        "outcome_analyses.id of the analysis (AACT join key).",
        nullable=False,
    ),
    _outcome_id(),
    _result_group_id("'Outcome' (same outcome)"),
    _group_code(f"{_ANALYSIS}.groupIds[]"),
    primary_key=("nct_id", "outcome_ordinal", "analysis_ordinal", "ordinal"),
    grain="one row per group compared by an outcome analysis",
)

RESULT_DENOMS = Table(
    "result_denoms",
    stable_id(),
    nct_id(),
    text("result_type", None, "'Baseline' or 'Outcome'.", nullable=False),
    text(
        "scope",
        None,
        "Baseline: 'overall' (module), 'measure' or 'class'; Outcome: 'Measure' or 'Class' (the "
        "scopes of baseline_counts, baseline_measure_denoms and outcome_counts).",
        nullable=False,
    ),
    _position("outcome_ordinal", "0-based outcome position for 'Outcome'; -1 for 'Baseline'."),
    _position(
        "measure_ordinal", "0-based baseline measure position for 'measure'/'class'; else -1."
    ),
    _position("class_ordinal", "0-based class position for 'class'/'Class'; else -1."),
    ordinal("0-based position in its denoms list."),
    _outcome_id(nullable=True),
    text(
        "units",
        _alt(
            f"{_BL}.denoms[].units",
            f"{_BMEASURE}.denoms[].units",
            f"{_BCLASS}.denoms[].units",
            f"{_OM}.denoms[].units",
            f"{_OCLASS}.denoms[].units",
        ),
        "What is counted (e.g. 'Participants').",
    ),
    primary_key=(
        "nct_id",
        "result_type",
        "outcome_ordinal",
        "measure_ordinal",
        "class_ordinal",
        "ordinal",
    ),
    grain="one row per denominator (a unit and its per-group counts) of baseline or outcome data",
    doc="Not in AACT; keeps a denominator even when it lists no counts.",
)

# --- adverse events -----------------------------------------------------------------------------

ADVERSE_EVENTS_MODULES = Table(
    "adverse_events_modules",
    stable_id(),
    nct_id(),
    text(
        "frequency_threshold",
        f"{_AE}.frequencyThreshold",
        "Threshold (%) for other events, as given.",
    ),
    text("time_frame", f"{_AE}.timeFrame", "Adverse event time frame."),
    text("description", f"{_AE}.description", "Adverse event reporting description."),
    text("all_cause_mortality_comment", f"{_AE}.allCauseMortalityComment", "Comment on deaths."),
    primary_key=("nct_id",),
    grain="one row per study with an adverse events module (not in AACT)",
    doc="reported_events repeats time_frame, description and the threshold (as an int) per row.",
)

ADVERSE_EVENTS = Table(
    "adverse_events",
    stable_id(),
    nct_id(),
    text(
        "event_type",
        None,
        "AACT literal 'serious' or 'other' (seriousEvents/otherEvents).",
        nullable=False,
    ),
    ordinal("0-based position in seriousEvents or otherEvents."),
    text("adverse_event_term", _events("term"), "Adverse event term."),
    text("organ_system", _events("organSystem"), "Organ system."),
    text("vocab", _events("sourceVocabulary"), "Source vocabulary (e.g. 'MedDRA 23.1')."),
    text("assessment", _events("assessmentType"), "EventAssessment code."),
    text("notes", _events("notes"), "Notes on the term."),
    primary_key=("nct_id", "event_type", "ordinal"),
    grain="one row per adverse event term (not in AACT; reported_events has one per group)",
)

REPORTED_EVENTS = Table(
    "reported_events",
    stable_id(),
    nct_id(),
    text("event_type", None, "AACT literal 'serious' or 'other'.", nullable=False),
    _parent_ordinal("event", "seriousEvents or otherEvents"),
    ordinal("0-based position in the event's stats."),
    _result_group_id("'Reported Event'"),
    _group_code(_events("stats[].groupId")),
    text("time_frame", f"{_AE}.timeFrame", "Module time frame (repeated per row, as AACT does)."),
    text("default_vocab", None, "Always NULL (AACT maps nothing here)."),
    text("default_assessment", None, "Always NULL (AACT maps nothing here)."),
    _int("subjects_affected", _events("stats[].numAffected"), "Participants affected."),
    _int("subjects_at_risk", _events("stats[].numAtRisk"), "Participants at risk."),
    text("description", f"{_AE}.description", "Module description (repeated per row)."),
    _int("event_count", _events("stats[].numEvents"), "Number of events."),
    text("organ_system", _events("organSystem"), "Organ system."),
    text("adverse_event_term", _events("term"), "Adverse event term."),
    _int(
        "frequency_threshold",
        f"{_AE}.frequencyThreshold",
        "Module threshold as an integer (AACT int); raw text in adverse_events_modules.",
    ),
    text("vocab", _events("sourceVocabulary"), "Source vocabulary."),
    text("assessment", _events("assessmentType"), "EventAssessment code."),
    text("notes", _events("notes"), "Notes on the term."),
    primary_key=("nct_id", "event_type", "event_ordinal", "ordinal"),
    grain="one row per group count of a serious or other adverse event term",
)

_TOTAL_SOURCES = tuple(
    f"{_AE}.eventGroups[].{kind}{what}"
    for kind in ("deaths", "serious", "other")
    for what in ("NumAffected", "NumAtRisk")
)

REPORTED_EVENT_TOTALS = Table(
    "reported_event_totals",
    stable_id(),
    nct_id(),
    ordinal("0-based position of the group in eventGroups."),
    text("event_type", None, "AACT literal 'deaths', 'serious' or 'other'.", nullable=False),
    _result_group_id("'Reported Event'"),
    _group_code(f"{_AE}.eventGroups[].id"),
    text(
        "classification",
        None,
        "AACT literal: 'Total, all-cause mortality', 'Total, serious adverse events' or "
        "'Total, other adverse events'.",
        nullable=False,
    ),
    _int("subjects_affected", _alt(*_TOTAL_SOURCES[0::2]), "Participants affected."),
    _int("subjects_at_risk", _alt(*_TOTAL_SOURCES[1::2]), "Participants at risk."),
    primary_key=("nct_id", "ordinal", "event_type"),
    grain="three rows per adverse event group: deaths, serious and other totals",
    doc="AACT's created_at/updated_at are not kept (load times live in the pipeline tables).",
)

# --- more information ---------------------------------------------------------------------------

RESULT_AGREEMENTS = Table(
    "result_agreements",
    stable_id(),
    nct_id(),
    _bool("pi_employee", f"{_MI}.certainAgreement.piSponsorEmployee", "PIs are sponsor employees."),
    text("agreement", None, "Always NULL: AACT's column has no v2 source."),
    text(
        "restriction_type",
        f"{_MI}.certainAgreement.restrictionType",
        "AgreementRestrictionType code.",
    ),
    text("other_details", f"{_MI}.certainAgreement.otherDetails", "Other restriction details."),
    _bool(
        "restrictive_agreement",
        f"{_MI}.certainAgreement.restrictiveAgreement",
        "Whether an agreement restricts the PI's right to discuss or publish results.",
    ),
    primary_key=("nct_id",),
    grain="one row per study reporting its results-disclosure agreement",
)

RESULT_CONTACTS = Table(
    "result_contacts",
    stable_id(),
    nct_id(),
    text("organization", f"{_MI}.pointOfContact.organization", "Organization."),
    text(
        "name", f"{_MI}.pointOfContact.title", "Name or official title (v2 key `title`, as AACT)."
    ),
    text("phone", f"{_MI}.pointOfContact.phone", "Phone."),
    text("email", f"{_MI}.pointOfContact.email", "Email."),
    text("extension", f"{_MI}.pointOfContact.phoneExt", "Phone extension."),
    primary_key=("nct_id",),
    grain="one row per study naming a results point of contact",
)

TABLES = (
    RESULT_GROUPS,
    PARTICIPANT_FLOWS,
    FLOW_PERIODS,
    FLOW_MILESTONES,
    MILESTONES,
    FLOW_DROP_WITHDRAWS,
    DROP_WITHDRAWALS,
    BASELINE_COUNTS,
    BASELINE_MEASURES,
    BASELINE_CLASSES,
    BASELINE_CATEGORIES,
    BASELINE_MEASURE_DENOMS,
    BASELINE_MEASUREMENTS,
    OUTCOMES,
    OUTCOME_CLASSES,
    OUTCOME_CATEGORIES,
    OUTCOME_COUNTS,
    OUTCOME_MEASUREMENTS,
    OUTCOME_ANALYSES,
    OUTCOME_ANALYSIS_GROUPS,
    RESULT_DENOMS,
    ADVERSE_EVENTS_MODULES,
    ADVERSE_EVENTS,
    REPORTED_EVENTS,
    REPORTED_EVENT_TOTALS,
    RESULT_AGREEMENTS,
    RESULT_CONTACTS,
)
