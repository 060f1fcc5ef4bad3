"""The source contract: pydantic models of the ClinicalTrials.gov API v2 `Study` record (OAS 2.0.5).

- `models.Study` (and `MODELS`, every model by OAS schema name), `enums` (`ENUMS`): generated from
  the spec by `_generate.py`; tolerant of unknown keys and enum values, every field optional.
- `fields`: the field types (`PartialDate`, `CalendarDate`, `DateTimeMinutes`, `OpenEnum`, ...).
- `paths`: every leaf and container path with its kind; `KNOWN_EXTRA_PATHS` for non-spec keys.
- `envelope.envelope_problem`: whether a record is usable at all (else it is quarantined).
"""

from schemas.study.envelope import envelope_problem
from schemas.study.fields import CalendarDate, DateTimeMinutes, PartialDate
from schemas.study.models import MODELS, Study
from schemas.study.paths import (
    KNOWN_EXTRA_PATHS,
    ContainerSpec,
    LeafSpec,
    container_specs,
    leaf_specs,
)

__all__ = [
    "KNOWN_EXTRA_PATHS",
    "MODELS",
    "CalendarDate",
    "ContainerSpec",
    "DateTimeMinutes",
    "LeafSpec",
    "PartialDate",
    "Study",
    "container_specs",
    "envelope_problem",
    "leaf_specs",
]
