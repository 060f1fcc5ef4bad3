"""Splitting `eligibilityCriteria` into inclusion and exclusion items, verbatim (§3.6).

A line-based state machine: headings switch the current list, list markers at the list's base
indent start items, deeper markers and continuation lines stay with their item (so "one of the
following" lists stay whole). Items keep the registry's words exactly, minus markdown escapes.
When no heading can be found the caller shows the whole text as written; nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

Status = Literal[
    "ok", "pdq", "inclusion_only", "exclusion_only", "combined", "no_sections", "empty"
]
Kind = Literal["preamble", "inclusion", "exclusion"]

# CommonMark: any ASCII punctuation character may be backslash-escaped.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MARKER = re.compile(
    r"^(?P<indent>[ ]*)(?:[*\-+•●▪◦·‣–—]|o(?=\s)|\d{1,3}\\?[.)]|\(\d{1,3}\)|[a-zA-Z][.)]"
    r"|\([a-zA-Z]\)|[ivxIVX]{1,4}[.)])\s+(?P<content>\S.*)$"
)
_LEAD = re.compile(
    r"^(?:\*\*|__)?\s*(?:[*\-+•●–]\s+|(?:[IVX]+|\d+)(?:\.\d+)*\.?\s+)?(?:\*\*|__)?\s*"
)
_BARE = re.compile(
    r"(?:key |main |major |primary |general |patient |subject )?(?:inclusion|exclusion)s?"
    r"(?: criteria| criterion)?"
)
_BOILERPLATE = re.compile(r"\b(?:apply|applies|may|might|could|see|refer|must|should)\b")
_PDQ = ("disease characteristics", "patient characteristics", "prior concurrent therapy")
_ONLY_MARKER = re.compile(r"^(?:[-•*–]+|\d{1,3}[.)])?$")


def unescape(text: str) -> str:
    r"""Registry markdown with its backslash escapes removed (`\>` → `>`)."""
    return _ESCAPE.sub(r"\1", text)


def normalize_space(text: str) -> str:
    """Every run of whitespace as one space (how verbatim items are compared with the source)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Criterion:
    """One item as written: its text, nested items, and whether it is a sub-heading."""

    text: str
    children: tuple[str, ...] = ()
    is_heading: bool = False


@dataclass(frozen=True)
class CriteriaSplit:
    """The split of one criteria text."""

    status: Status
    preamble: tuple[Criterion, ...] = ()
    inclusion: tuple[Criterion, ...] = ()
    exclusion: tuple[Criterion, ...] = ()

    @property
    def is_split(self) -> bool:
        """True when the text was split into lists (both sections, or the PDQ layout)."""
        return self.status in ("ok", "pdq")


@dataclass(frozen=True)
class _Heading:
    kind: Literal["inclusion", "exclusion", "pdq", "combined"]
    title: str  # the heading text when it says more than "Inclusion Criteria", else ""
    inline: str  # a criterion written on the heading line


def heading(line: str) -> _Heading | None:
    """The heading a line is, or None (tolerant of case, prefixes, bullets, bold, no colon)."""
    text = _LEAD.sub("", line.strip(), count=1).strip()
    head, colon, inline = text.partition(":")
    head = head.strip().strip("*_").strip()
    low = head.lower().strip(" .-–")
    inline = inline.strip().strip("*_").strip() if colon else ""
    if low in _PDQ:
        return _Heading("pdq", "", inline)
    has_inc = re.search(r"\binclusions?\b", low) is not None
    has_exc = re.search(r"\bexclusions?\b", low) is not None
    if not (has_inc or has_exc) or len(low.split()) > 10 or _BOILERPLATE.search(low):
        return None
    if not colon and not re.search(r"\bcriteri(?:a|on)\b|^(?:inclusion|exclusion)s?$", low):
        return None
    if has_inc and has_exc:
        return _Heading("combined", head, inline)
    if _ONLY_MARKER.match(inline):
        inline = ""
    elif marker := _MARKER.match(inline):
        inline = marker.group("content")
    title = "" if _BARE.fullmatch(low) else head
    return _Heading("inclusion" if has_inc else "exclusion", title, inline)


@dataclass
class _Builder:
    lists: dict[str, list[Criterion]] = field(
        default_factory=lambda: {"preamble": [], "inclusion": [], "exclusion": []}
    )
    current: str = "preamble"
    base: dict[str, int] = field(default_factory=dict)
    blank: bool = False
    open_item: bool = False
    seen: set[str] = field(default_factory=set)

    def add(self, text: str, *, is_heading: bool = False) -> None:
        self.lists[self.current].append(Criterion(unescape(text).strip(), (), is_heading))
        self.open_item = not is_heading

    def child(self, text: str) -> None:
        items = self.lists[self.current]
        items[-1] = replace(items[-1], children=(*items[-1].children, unescape(text).strip()))

    def extend(self, text: str) -> None:
        items = self.lists[self.current]
        last = items[-1]
        addition = unescape(text).strip()
        if last.children:
            kids = (*last.children[:-1], f"{last.children[-1]} {addition}")
            items[-1] = replace(last, children=kids)
        else:
            items[-1] = replace(last, text=f"{last.text} {addition}")

    def switch(self, head: _Heading) -> None:
        if head.kind in ("inclusion", "exclusion"):
            self.current = head.kind
        elif head.kind == "pdq":
            self.current = "inclusion"
        self.seen.add(head.kind)
        self.open_item = False
        if head.title:
            self.add(head.title, is_heading=True)
        if head.inline:
            self.add(head.inline)

    def line(self, raw: str) -> None:
        if not raw.strip():
            self.blank = True
            return
        marker = _MARKER.match(raw)
        indent = len(raw) - len(raw.lstrip(" "))
        base = self.base.get(self.current)
        if marker:
            if base is None or indent <= base or not self.open_item:
                self.base.setdefault(self.current, indent)
                self.add(marker.group("content"))
            else:
                self.child(marker.group("content"))
        elif self.open_item and (not self.blank or (base is not None and indent > base)):
            self.extend(raw)
        else:
            self.add(raw, is_heading=raw.rstrip().endswith(":"))
        self.blank = False


def split_criteria(text: str | None) -> CriteriaSplit:
    """Split a criteria text into preamble, inclusion and exclusion items."""
    if not text or not text.strip():
        return CriteriaSplit("empty")
    builder = _Builder()
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n"):
        head = heading(raw) if raw.strip() else None
        if head is None or head.kind == "combined":
            # "Inclusion and Exclusion Criteria:" cannot say which list follows: kept as text.
            builder.seen.update(["combined"] if head else [])
            builder.line(raw)
        else:
            builder.switch(head)
            builder.blank = False
    lists = builder.lists
    return CriteriaSplit(
        _status(builder.seen, bool(lists["inclusion"]), bool(lists["exclusion"])),
        tuple(lists["preamble"]),
        tuple(lists["inclusion"]),
        tuple(lists["exclusion"]),
    )


def _status(seen: set[str], inclusion: bool, exclusion: bool) -> Status:
    if "inclusion" in seen and "exclusion" in seen:
        return "ok" if inclusion and exclusion else _one_side(inclusion, exclusion)
    if "pdq" in seen and not ("inclusion" in seen or "exclusion" in seen):
        return "pdq"
    if "inclusion" in seen or "exclusion" in seen:
        return _one_side(inclusion, exclusion)
    return "combined" if "combined" in seen else "no_sections"


def _one_side(inclusion: bool, exclusion: bool) -> Status:
    if inclusion and not exclusion:
        return "inclusion_only"
    if exclusion and not inclusion:
        return "exclusion_only"
    return "no_sections"
