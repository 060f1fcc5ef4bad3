"""Piece names of the study data model (from `/studies/metadata`) and how to read them.

The API names every field twice: a JSON key path (`protocolSection.statusModule.overallStatus`)
and a PascalCase *piece* (`OverallStatus`) used by `fields=`, `sort=` and `AREA[...]` (API
reference, section 5). The replay server resolves names through the captured metadata file, or a
small built-in table when it runs without one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Piece → (JSON path, source type) for the names most tools use, so hand-built test records can be
# served without the 175 KB metadata file. Source types follow the metadata's `sourceType`.
_FALLBACK: dict[str, tuple[str, str]] = {
    "NCTId": ("protocolSection.identificationModule.nctId", "TEXT"),
    "NCTIdAlias": ("protocolSection.identificationModule.nctIdAliases", "TEXT"),
    "BriefTitle": ("protocolSection.identificationModule.briefTitle", "TEXT"),
    "OfficialTitle": ("protocolSection.identificationModule.officialTitle", "TEXT"),
    "Acronym": ("protocolSection.identificationModule.acronym", "TEXT"),
    "OverallStatus": ("protocolSection.statusModule.overallStatus", "TEXT"),
    "StartDate": ("protocolSection.statusModule.startDateStruct.date", "DATE"),
    "CompletionDate": ("protocolSection.statusModule.completionDateStruct.date", "DATE"),
    "StudyFirstPostDate": ("protocolSection.statusModule.studyFirstPostDateStruct.date", "DATE"),
    "ResultsFirstPostDate": (
        "protocolSection.statusModule.resultsFirstPostDateStruct.date",
        "DATE",
    ),
    "LastUpdateSubmitDate": ("protocolSection.statusModule.lastUpdateSubmitDate", "DATE"),
    "LastUpdatePostDate": ("protocolSection.statusModule.lastUpdatePostDateStruct.date", "DATE"),
    "LeadSponsorName": ("protocolSection.sponsorCollaboratorsModule.leadSponsor.name", "TEXT"),
    "Condition": ("protocolSection.conditionsModule.conditions", "TEXT"),
    "Phase": ("protocolSection.designModule.phases", "TEXT"),
    "StudyType": ("protocolSection.designModule.studyType", "TEXT"),
    "EnrollmentCount": ("protocolSection.designModule.enrollmentInfo.count", "NUMERIC"),
    "HasResults": ("hasResults", "BOOLEAN"),
    "ProtocolSection": ("protocolSection", "STRUCT"),
    "ResultsSection": ("resultsSection", "STRUCT"),
    "DerivedSection": ("derivedSection", "STRUCT"),
}


@dataclass(frozen=True)
class Piece:
    """One field of the data model: its piece name, JSON key path and source type."""

    name: str
    path: tuple[str, ...]
    source_type: str

    @property
    def is_date(self) -> bool:
        """Dates can be sorted and RANGE-filtered."""
        return self.source_type == "DATE"

    @property
    def is_numeric(self) -> bool:
        """Numbers can be sorted and RANGE-filtered."""
        return self.source_type == "NUMERIC"


class PieceIndex:
    """Resolves piece names, alternative piece names, unique JSON key names and dotted paths."""

    def __init__(self, pieces: Sequence[Piece], aliases: Mapping[str, Piece]) -> None:
        self._by_key: dict[str, Piece] = {}
        for piece in pieces:
            self._by_key.setdefault(".".join(piece.path).lower(), piece)
        self._by_key.update({k.lower(): v for k, v in aliases.items()})
        self._by_key.update({p.name.lower(): p for p in pieces})

    @classmethod
    def from_metadata(cls, nodes: Sequence[Mapping[str, Any]]) -> PieceIndex:
        """Build the index from a `/studies/metadata` response (a `FieldNode[]` tree)."""
        pieces: list[Piece] = []
        aliases: dict[str, Piece] = {}
        name_counts: dict[str, int] = {}
        for node, path in _walk(nodes, ()):
            piece = Piece(str(node["piece"]), path, str(node.get("sourceType", "TEXT")))
            pieces.append(piece)
            for alt in node.get("altPieceNames") or ():
                aliases[str(alt)] = piece
            name_counts[path[-1]] = name_counts.get(path[-1], 0) + 1
        # A bare JSON key (`identificationModule`) is accepted only where it names one node.
        for piece in pieces:
            if name_counts[piece.path[-1]] == 1:
                aliases.setdefault(piece.path[-1], piece)
        return cls(pieces, aliases)

    @classmethod
    def fallback(cls) -> PieceIndex:
        """The built-in table of common pieces, for servers started without a metadata file."""
        pieces = [Piece(n, tuple(p.split(".")), t) for n, (p, t) in _FALLBACK.items()]
        return cls(pieces, {})

    def get(self, name: str) -> Piece | None:
        """The piece called `name` (case-insensitive), or None."""
        return self._by_key.get(name.strip().lower())


def _walk(
    nodes: Sequence[Mapping[str, Any]], prefix: tuple[str, ...]
) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...]]]:
    for node in nodes:
        path = (*prefix, str(node["name"]))
        yield node, path
        yield from _walk(node.get("children") or (), path)


def values_at(record: Any, path: Sequence[str]) -> list[Any]:
    """Every leaf value at `path`, descending through lists on the way (missing → empty list)."""
    current: list[Any] = [record]
    for key in path:
        nxt: list[Any] = []
        for item in current:
            for obj in item if isinstance(item, list) else (item,):
                if isinstance(obj, Mapping) and obj.get(key) is not None:
                    nxt.append(obj[key])
        current = nxt
    flat: list[Any] = []
    for value in current:
        flat.extend(value if isinstance(value, list) else (value,))
    return flat
