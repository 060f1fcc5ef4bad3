"""Keys that real records carry although the spec (OAS 2.0.5) does not: their shapes and why.

The Study models keep such keys as extras (`model_extra`); `schemas.study.paths` lists their paths
in `KNOWN_EXTRA_PATHS` so coverage checks can ignore them and the drift walker counts them as
`known_extra` instead of `unknown_key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas.study.fields import StudyModel
from schemas.study.protocol import Location


class BmiLimits(StudyModel):
    """OAS 2.0.0-draft schema `BmiLimits`: the BMI range the registry inferred from eligibility."""

    minBmi: float | None = None
    maxBmi: float | None = None


class ModelPredictions(StudyModel):
    """OAS 2.0.0-draft schema `ModelPredictions` (removed in 2.0.0)."""

    bmiLimits: BmiLimits | None = None


@dataclass(frozen=True)
class KnownExtra:
    """One key outside the spec that real data carries.

    Attributes:
        path: Dotted path of the key (`[]` marks list items).
        owner: The spec schema of the object the key appears in.
        annotation: The type its value is known to have, as a model field annotation.
        reason: Where it comes from, for the record of why it is tolerated.
    """

    path: str
    owner: str
    annotation: Any
    reason: str


KNOWN_EXTRAS = (
    KnownExtra(
        "protocolSection.contactsLocationsModule.locations_nested",
        "ContactsLocationsModule",
        list[Location],
        reason=(
            "Records served June-October 2023 repeat `locations` under this key, item for item; "
            "it is in no version of the spec (ctgov-sample README; API reference 11.1)."
        ),
    ),
    KnownExtra(
        "protocolSection.armsInterventionsModule.interventions[].interventionMappedName",
        "Intervention",
        list[str],
        reason=(
            "Records served in June 2023 carry it on every intervention, always as an empty list; "
            "it is in no version of the spec (found in the sample, e.g. NCT05803083)."
        ),
    ),
    KnownExtra(
        "derivedSection.miscInfoModule.modelPredictions",
        "MiscInfoModule",
        ModelPredictions,
        reason=(
            "In the OAS 2.0.0-draft (`ModelPredictions.bmiLimits{minBmi,maxBmi}`) and removed in "
            "2.0.0, but 2023 records still carry it (API reference 11.4)."
        ),
    ),
)
