"""The `/studies` query of the replay server: parameter checks, filters, `fields` projection, sort.

Messages of the 400s copy the real API where they are known (API reference, section 6). `query.*`
parameters are approximated (see `replay.essie`): full Essie search is not reproducible offline,
so results for free-text queries are close to, not equal to, the real API's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from replay.essie import ExpressionError, Predicate, Study, comparable_value, compile_expression
from replay.pieces import PieceIndex, values_at
from schemas.ids import InvalidNctId, normalize_nct_id


class QueryError(ValueError):
    """A request the API would answer with 400; the message is the plain-text body."""


# Status enum of OAS 2.0.5 (`filter.overallStatus` values).
STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "ENROLLING_BY_INVITATION",
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "WITHDRAWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
        "UNKNOWN",
    }
)

# JSON paths searched by each `query.*` parameter: the main fields of the API's search areas
# (API reference, section 3.1). `None` means every text value of the record (BasicSearch).
_AREAS: dict[str, tuple[str, ...] | None] = {
    "query.cond": (
        "protocolSection.conditionsModule.conditions",
        "protocolSection.conditionsModule.keywords",
        "protocolSection.identificationModule.briefTitle",
        "protocolSection.identificationModule.officialTitle",
        "protocolSection.identificationModule.nctId",
        "derivedSection.conditionBrowseModule.meshes.term",
        "derivedSection.conditionBrowseModule.ancestors.term",
    ),
    "query.term": None,
    "query.patient": None,
    "query.locn": tuple(
        f"protocolSection.contactsLocationsModule.locations.{k}"
        for k in ("city", "state", "country", "facility", "zip")
    ),
    "query.titles": tuple(
        f"protocolSection.identificationModule.{k}"
        for k in ("acronym", "briefTitle", "officialTitle")
    ),
    "query.intr": (
        "protocolSection.armsInterventionsModule.interventions.name",
        "protocolSection.armsInterventionsModule.interventions.otherNames",
        "protocolSection.armsInterventionsModule.interventions.description",
        "protocolSection.armsInterventionsModule.interventions.type",
        "protocolSection.armsInterventionsModule.armGroups.label",
        "derivedSection.interventionBrowseModule.meshes.term",
        "derivedSection.interventionBrowseModule.ancestors.term",
    ),
    "query.outc": tuple(
        f"protocolSection.outcomesModule.{kind}.{k}"
        for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
        for k in ("measure", "description", "timeFrame")
    ),
    "query.spons": (
        "protocolSection.sponsorCollaboratorsModule.leadSponsor.name",
        "protocolSection.sponsorCollaboratorsModule.collaborators.name",
        "protocolSection.identificationModule.organization.fullName",
    ),
    "query.lead": ("protocolSection.sponsorCollaboratorsModule.leadSponsor.name",),
    "query.id": (
        "protocolSection.identificationModule.nctId",
        "protocolSection.identificationModule.nctIdAliases",
        "protocolSection.identificationModule.acronym",
        "protocolSection.identificationModule.orgStudyIdInfo.id",
        "protocolSection.identificationModule.secondaryIdInfos.id",
    ),
}
_FILTERS = ("overallStatus", "ids", "advanced")
_UNSUPPORTED = frozenset(
    {
        *(f"{p}.{f}" for p in ("filter", "postFilter") for f in ("geo", "synonyms")),
        "aggFilters",
        "geoDecay",
    }
)
# Parameters that may differ between the pages of one walk (OAS description of `/studies`).
_PAGING = frozenset({"pageToken", "pageSize", "countTotal"})
KNOWN_PARAMS = frozenset(
    {
        "format",
        "markupFormat",
        "fields",
        "sort",
        *_AREAS,
        *(f"{p}.{f}" for p in ("filter", "postFilter") for f in _FILTERS),
        *_UNSUPPORTED,
        *_PAGING,
    }
)
_NCT_ONLY = re.compile(r"^\s*(?:[Nn][Cc][Tt]\d+[\s,]*)+$")
_MAX_PAGE = 1000
_DEFAULT_PAGE = 10


@dataclass(frozen=True)
class SortItem:
    """One `sort=` item: a date or numeric piece and its direction."""

    path: tuple[str, ...]
    convert: Callable[[Any], Any]
    descending: bool


@dataclass(frozen=True)
class Search:
    """A parsed `/studies` request."""

    predicate: Predicate
    fields: Projection | None
    sort: tuple[SortItem, ...]
    page_size: int
    count_total: bool
    page_token: str | None
    binding: str

    def order_key(self, nct_id: str, study: Study) -> tuple[Any, ...]:
        """Where a study sits in this search's result order (ties broken by the stable order)."""
        key: list[Any] = []
        for item in self.sort:
            values = [v for v in map(item.convert, values_at(study, item.path)) if v is not None]
            if not values:
                key.append((1, 0))  # studies missing the sort field always come last
                continue
            value = values[0]
            number = value.toordinal() if hasattr(value, "toordinal") else float(value)
            key.append((0, -number if item.descending else number))
        key.append((0, stable_rank(nct_id)))
        return tuple(key)


def stable_rank(nct_id: str) -> str:
    """The replay server's default order: stable, but not by id (the real API is unsorted)."""
    return hashlib.blake2b(nct_id.encode(), digest_size=8).hexdigest()


class Projection:
    """A `fields=` allowlist turned into a tree of JSON keys (True = keep the whole subtree)."""

    def __init__(self, paths: Sequence[tuple[str, ...]]) -> None:
        self.tree: dict[str, Any] = {}
        for path in paths:
            node = self.tree
            for key in path[:-1]:
                child = node.setdefault(key, {})
                if child is True:
                    break
                node = child
            else:
                node[path[-1]] = True

    def apply(self, study: Study) -> dict[str, Any]:
        """The study with only the requested fields, key order kept, empty branches dropped."""
        return _project(study, self.tree)


def _project(obj: Mapping[str, Any], tree: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        sub = tree.get(key)
        if sub is None:
            continue
        if sub is True:
            out[key] = value
        elif isinstance(value, Mapping):
            if kept := _project(value, sub):
                out[key] = kept
        elif isinstance(value, list):
            items = [_project(v, sub) for v in value if isinstance(v, Mapping)]
            if any(items):
                out[key] = items
    return out


def parse_search(params: Mapping[str, str], index: PieceIndex) -> Search:
    """Validate the parameters of a `/studies` request and compile them.

    Raises:
        QueryError: for anything the real API rejects with 400, and for the parts of the API the
            replay server does not implement (the message says so).
    """
    for name in params:
        if name not in KNOWN_PARAMS:
            raise QueryError(f"`{name}` is unknown parameter")
        if name in _UNSUPPORTED:
            raise QueryError(f"the replay server does not support the parameter `{name}`")
    _check_format(params)
    binding = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in _PAGING)
    return Search(
        predicate=_predicate(params, index),
        fields=_fields(params.get("fields"), index),
        sort=_sort(params.get("sort"), index),
        page_size=_page_size(params.get("pageSize")),
        count_total=_boolean(params, "countTotal"),
        page_token=params.get("pageToken") or None,
        binding=binding,
    )


def parse_fields(value: str | None, index: PieceIndex) -> Projection | None:
    """The `fields=` projection of a single-study request (same rules as for `/studies`)."""
    return _fields(value, index)


def _check_format(params: Mapping[str, str]) -> None:
    fmt = params.get("format", "json")
    if fmt == "csv":
        raise QueryError("the replay server serves format=json only")
    if fmt != "json":
        raise QueryError(f"Invalid value in parameter `format`: `{fmt}`")
    markup = params.get("markupFormat", "markdown")
    if markup == "legacy":
        raise QueryError("the replay server serves markupFormat=markdown only")
    if markup != "markdown":
        raise QueryError(f"Invalid value in parameter `markupFormat`: `{markup}`")


def _page_size(value: str | None) -> int:
    if value is None or value == "":
        return _DEFAULT_PAGE
    if not value.isdigit():
        raise QueryError(f"Parameter `pageSize` has incorrect format: `{value}`")
    # 0 means the default, and anything above 1000 is silently clamped (section 3.1).
    return min(int(value), _MAX_PAGE) or _DEFAULT_PAGE


def _boolean(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in {"true", "false"}:
        raise QueryError(f"Parameter `{name}` has incorrect format: `{value}`")
    return value == "true"


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,|]", value) if part.strip()]


def _predicate(params: Mapping[str, str], index: PieceIndex) -> Predicate:
    parts: list[Predicate] = []
    nct_only = False
    for name, paths in _AREAS.items():
        if value := params.get(name):
            nct_only = nct_only or bool(_NCT_ONLY.match(value))
            parts.append(_area_predicate(name, value, paths, index))
    # "If any query.* parameter contains only NCT IDs, filters are ignored" (OAS /studies).
    if not nct_only:
        for prefix in ("filter", "postFilter"):
            parts.extend(_filter_predicates(params, prefix, index))
    return lambda s: all(p(s) for p in parts)


def _area_predicate(
    name: str, value: str, paths: tuple[str, ...] | None, index: PieceIndex
) -> Predicate:
    if _NCT_ONLY.match(value):
        ids = {normalize_nct_id(v) for v in re.split(r"[\s,]+", value.strip()) if v}
        return lambda s: _study_ids(s) & ids != set()
    split = [tuple(p.split(".")) for p in paths] if paths is not None else None

    def area(study: Study) -> list[str]:
        if split is None:
            return list(_all_text(study))
        return [str(v) for path in split for v in values_at(study, path)]

    try:
        return compile_expression(value, index, area, f"parameter `{name}`")
    except ExpressionError as err:
        raise QueryError(str(err)) from None


def _all_text(obj: Any) -> list[str]:
    if isinstance(obj, Mapping):
        return [t for v in obj.values() for t in _all_text(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in _all_text(v)]
    return [obj] if isinstance(obj, str) else []


def _study_ids(study: Study) -> set[str]:
    ident = study.get("protocolSection", {}).get("identificationModule", {})
    return {ident.get("nctId"), *(ident.get("nctIdAliases") or ())} - {None}


def _filter_predicates(
    params: Mapping[str, str], prefix: str, index: PieceIndex
) -> list[Predicate]:
    parts: list[Predicate] = []
    if (value := params.get(f"{prefix}.overallStatus")) is not None:
        statuses = set(_split(value))
        for status in statuses - STATUSES:
            raise QueryError(f"Invalid value in parameter `overallStatus`: `{status}`")
        parts.append(lambda s: _overall_status(s) in statuses)
    if (value := params.get(f"{prefix}.ids")) is not None:
        ids = set()
        for raw in _split(value):
            try:
                ids.add(normalize_nct_id(raw))
            except InvalidNctId:
                # One malformed id rejects the whole batch (API reference, section 6).
                raise QueryError(f"Parameter `ids` has incorrect format: `{raw}`") from None
        parts.append(lambda s: _study_ids(s) & ids != set())
    if value := params.get(f"{prefix}.advanced"):
        try:
            parts.append(compile_expression(value, index, _all_text, "advanced filter"))
        except ExpressionError as err:
            raise QueryError(str(err)) from None
    return parts


def _overall_status(study: Study) -> Any:
    return study.get("protocolSection", {}).get("statusModule", {}).get("overallStatus")


def _fields(value: str | None, index: PieceIndex) -> Projection | None:
    if value is None:
        return None
    paths = []
    for name in _split(value):
        piece = index.get(name)
        if piece is None:
            raise QueryError(f"Parameter `fields` contains invalid field name: '{name}'")
        paths.append(piece.path)
    if not paths:
        raise QueryError("Parameter `fields` is empty")
    return Projection(paths)


def _sort(value: str | None, index: PieceIndex) -> tuple[SortItem, ...]:
    if not value:
        return ()
    items: list[SortItem] = []
    for raw in _split(value):
        if raw == "@relevance":
            continue  # the replay server has no scores; keep the stable default order
        name, _, direction = raw.partition(":")
        piece = index.get(name)
        if piece is None or not (piece.is_date or piece.is_numeric):
            raise QueryError(f"Parameter `sort` has incorrect format: `{raw}`")
        if direction not in {"", "asc", "desc"}:
            raise QueryError(f"Parameter `sort` has incorrect format: `{raw}`")
        # Default directions: dates descending, numbers ascending (section 3.1).
        descending = direction == "desc" or (direction == "" and piece.is_date)
        items.append(SortItem(piece.path, comparable_value(piece), descending))
    if len(items) > 2:
        raise QueryError("Parameter `sort` accepts at most 2 items")
    return tuple(items)
