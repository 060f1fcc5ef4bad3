"""Every leaf and container path of the Study record with its kind, read from the models.

Paths are dotted JSON keys with `[]` for list items, e.g.
`protocolSection.contactsLocationsModule.locations[].geoPoint.lat`. The models are the single
source (they are generated from the spec), so these maps can't disagree with them. They drive the
field-coverage test (every sample leaf maps to a column) and the drift walker (`transforms.drift`).
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from schemas.study.extras import KNOWN_EXTRAS, KnownExtra
from schemas.study.fields import (
    CalendarDate,
    DateTimeMinutes,
    LeafKind,
    OpenEnum,
    PartialDate,
    StudyModel,
)
from schemas.study.models import Study

# The leaf several steps key on: the history's status column, status-change events, run artifacts.
OVERALL_STATUS = "protocolSection.statusModule.overallStatus"

LeafKindName = Literal[
    "string",
    "markup",
    "integer",
    "number",
    "boolean",
    "date",
    "partial_date",
    "datetime_minutes",
    "enum",
    "nct",
]
_SCALARS: dict[Any, LeafKindName] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    PartialDate: "partial_date",
    CalendarDate: "date",
    DateTimeMinutes: "datetime_minutes",
}


@dataclass(frozen=True)
class LeafSpec:
    """A scalar position in the record.

    Attributes:
        path: Dotted path, `[]` for list items.
        kind: What the value must be: `string` (`markup` is CommonMark text, `nct` an NCT id),
            `integer`, `number`, `boolean`, `date` (yyyy-MM-dd), `partial_date` (yyyy, yyyy-MM
            or yyyy-MM-dd), `datetime_minutes` (yyyy-MM-dd'T'HH:mm) or `enum`.
        schema: The OAS schema that declares the property (`Location`).
        field: The JSON property name (`lat`).
        enum: The OAS enum name, for kind `enum`.
        values: The enum's allowed values in spec order, for kind `enum`.
        pattern: A regular expression the spec gives for the text (ages, target duration).
    """

    path: str
    kind: LeafKindName
    schema: str
    field: str
    enum: str | None = None
    values: tuple[str, ...] = ()
    pattern: str | None = None


@dataclass(frozen=True)
class ContainerSpec:
    """An object or list position in the record.

    Attributes:
        path: Dotted path, `[]` for list items.
        kind: `object` or `list`.
        schema: The OAS schema of the object, or of the list's items; None for a list of scalars.
    """

    path: str
    kind: Literal["object", "list"]
    schema: str | None


Spec = LeafSpec | ContainerSpec


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return args[0]
    return annotation


def _leaf(path: str, owner: str, key: str, annotation: Any) -> LeafSpec:
    base: Any = annotation
    metadata: tuple[object, ...] = ()
    if get_origin(annotation) is Annotated:
        base, *rest = get_args(annotation)
        metadata = tuple(rest)
    for marker in metadata:
        if isinstance(marker, OpenEnum):
            values = tuple(member.value for member in marker.enum)
            return LeafSpec(path, "enum", owner, key, enum=marker.enum.__name__, values=values)
        if isinstance(marker, LeafKind):
            return LeafSpec(path, marker.kind, owner, key, pattern=marker.pattern)
    if base not in _SCALARS:
        raise TypeError(f"{owner}.{key}: no leaf kind for {annotation!r}")
    return LeafSpec(path, _SCALARS[base], owner, key)


def _walk_value(path: str, owner: str, key: str, annotation: Any) -> Iterator[Spec]:
    annotation = _without_none(annotation)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        is_model = isinstance(item, type) and issubclass(item, StudyModel)
        yield ContainerSpec(path, "list", item.__name__ if is_model else None)
        yield from _walk_value(f"{path}[]", owner, key, item)
    elif isinstance(annotation, type) and issubclass(annotation, StudyModel):
        yield ContainerSpec(path, "object", annotation.__name__)
        yield from walk_model(annotation, path)
    else:
        yield _leaf(path, owner, key, annotation)


def walk_model(model: type[StudyModel], prefix: str = "") -> Iterator[Spec]:
    """Every container and leaf below `model`, depth first, with paths under `prefix`."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        yield from _walk_value(_join(prefix, key), model.__name__, key, info.annotation)


@cache
def _spec_specs() -> tuple[Spec, ...]:
    return tuple(walk_model(Study))


def _extra_walk(extra: KnownExtra) -> list[Spec]:
    key = extra.path.rpartition(".")[2]
    return list(_walk_value(extra.path, extra.owner, key, extra.annotation))


@cache
def _extra_specs() -> tuple[Spec, ...]:
    return tuple(spec for extra in KNOWN_EXTRAS for spec in _extra_walk(extra))


def leaf_specs() -> dict[str, LeafSpec]:
    """Every leaf path of the spec's Study -> its LeafSpec (a fresh dict; callers may keep it)."""
    return {s.path: s for s in _spec_specs() if isinstance(s, LeafSpec)}


def container_specs() -> dict[str, ContainerSpec]:
    """Every object and list path of the spec's Study (the root excluded) -> its ContainerSpec."""
    return {s.path: s for s in _spec_specs() if isinstance(s, ContainerSpec)}


def extra_leaf_specs() -> dict[str, LeafSpec]:
    """The leaves of the known non-spec keys (`KNOWN_EXTRA_PATHS`), with the kinds they carry."""
    return {s.path: s for s in _extra_specs() if isinstance(s, LeafSpec)}


def extra_container_specs() -> dict[str, ContainerSpec]:
    """The object and list paths of the known non-spec keys, their roots included."""
    return {s.path: s for s in _extra_specs() if isinstance(s, ContainerSpec)}


def _known_extra_paths() -> Mapping[str, str]:
    reasons = {spec.path: e.reason for e in KNOWN_EXTRAS for spec in _extra_walk(e)}
    return types.MappingProxyType(reasons)


# Every path (roots, containers and leaves) under a key real records carry outside the spec ->
# why it is tolerated. The roots are `extras.KNOWN_EXTRAS[*].path`.
KNOWN_EXTRA_PATHS: Mapping[str, str] = _known_extra_paths()
KNOWN_EXTRA_ROOTS: Mapping[str, str] = types.MappingProxyType(
    {extra.path: extra.reason for extra in KNOWN_EXTRAS}
)


def path_segments(path: str) -> tuple[str, ...]:
    """The steps of a path: `a.b[].c` -> `("a", "b", "[]", "c")`."""
    return tuple(path.replace("[]", ".[]").split("."))
