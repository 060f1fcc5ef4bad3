r"""The least a record must have to be usable at all; a record without it is quarantined.

Usable means: a JSON object whose `protocolSection` is an object with an `identificationModule`
holding a canonical `nctId`, every section and module that is present is an object, and
`statusModule.lastUpdatePostDateStruct.date` (the sync cursor), when present, is a real yyyy-MM-dd
date. Everything else is optional, as in the API, and left to the tolerant `Study` models and the
drift walker.

NCT ids: the API's id pattern (`schemas.ids`, `^[Nn][Cc][Tt]0*[1-9]\d{0,7}$`) is for what a
user may type into a query and accepts `NCT123`. A record's `nctId` is the spec's `nct` schema, 11
characters, and every record the API writes carries `NCT` + 8 digits; the warehouse keys rows by
it. So the envelope requires that canonical form: `NCT123` or `nct00000123` in a record means the
record was altered on the way, and normalizing it silently would hide that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, create_model
from pydantic_core import ErrorDetails, PydanticCustomError

from schemas.ids import is_canonical_nct_id
from schemas.study.fields import parse_calendar_date
from schemas.study.models import Study
from schemas.study.protocol import ProtocolSection

# strict: no coercion ("123" stays a string, a list is never an object); extra keys are fine.
_STRICT = ConfigDict(strict=True, extra="allow")
JsonObject = dict[str, Any]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _canonical_nct_id(value: str) -> str:
    if not is_canonical_nct_id(value):
        raise PydanticCustomError(
            "nct_id", "{value} is not an NCT id (NCT + 8 digits)", {"value": _shown(value)}
        )
    return value


def _calendar_date(value: str) -> str:
    if parse_calendar_date(value) is None:
        raise PydanticCustomError(
            "calendar_date", "{value} is not a yyyy-MM-dd date", {"value": _shown(value)}
        )
    return value


class IdentificationEnvelope(BaseModel):
    """`protocolSection.identificationModule`: the record's key."""

    model_config = _STRICT

    nctId: Annotated[str, AfterValidator(_canonical_nct_id)]


class DateStructEnvelope(BaseModel):
    """A `DateStruct` whose date, when present, is a real date."""

    model_config = _STRICT

    date: Annotated[str, AfterValidator(_calendar_date)] | None = None


class StatusEnvelope(BaseModel):
    """`protocolSection.statusModule`: the sync cursor date must parse."""

    model_config = _STRICT

    lastUpdatePostDateStruct: DateStructEnvelope | None = None


def _objects(model: type[BaseModel]) -> dict[str, Any]:
    """Field definitions saying each of `model`'s properties, when present, is an object."""
    fields = model.model_fields
    return {(info.alias or name): (JsonObject | None, None) for name, info in fields.items()}


ProtocolEnvelope: type[BaseModel] = create_model(
    "ProtocolEnvelope",
    __config__=_STRICT,
    __doc__="`protocolSection`: present, an object, with the identification module.",
    **{
        **_objects(ProtocolSection),
        "identificationModule": (IdentificationEnvelope, ...),
        "statusModule": (StatusEnvelope | None, None),
    },
)


def _section(name: str) -> type[BaseModel]:
    section = Study.model_fields[name].annotation
    model = next(arg for arg in getattr(section, "__args__", ()) if arg is not type(None))
    return create_model(
        f"{model.__name__}Envelope",
        __config__=_STRICT,
        __doc__=f"`{name}`: each module, when present, is an object.",
        **_objects(model),
    )


_SECTIONS: dict[str, Any] = {
    name: (_section(name) | None, None)
    for name in Study.model_fields
    if name != "protocolSection" and name.endswith("Section")
}
Envelope: type[BaseModel] = create_model(
    "Envelope",
    __config__=_STRICT,
    __doc__="A usable record: what `envelope_problem` checks, as a strict pydantic model.",
    protocolSection=(ProtocolEnvelope, ...),
    **_SECTIONS,
)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def _reason(error: ErrorDetails) -> str:
    where = ".".join(str(step) for step in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{where} missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{where} is {_json_kind(error['input'])}, expected an object"
    if kind == "string_type":
        return f"{where} is {_json_kind(error['input'])}, expected a string"
    return f"{where} {error['msg']}"


def envelope_problem(record: object) -> str | None:
    """Why `record` is unusable, in one line, or None when it is usable.

    For example `protocolSection.identificationModule.nctId missing` or
    `protocolSection.statusModule is a list, expected an object`.
    """
    if not isinstance(record, Mapping):
        return f"record is {_json_kind(record)}, expected a JSON object"
    try:
        Envelope.model_validate(dict(record))
    except ValidationError as exc:
        return _reason(exc.errors(include_url=False)[0])
    return None
