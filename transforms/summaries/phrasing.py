"""Helpers the planners share: filling templates, slots, lists, dates, ages, what is tested."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from transforms.summaries.facts import Fact, Facts, Intervention
from transforms.summaries.model import Sentence, SentenceKind, Slot
from transforms.summaries.readability import words
from transforms.summaries.templates import MONTHS, PHRASES, TEMPLATES

_AGE = re.compile(r"^(\d{1,3}) (Years?|Months?|Weeks?|Days?|Hours?|Minutes?)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Comparators are not "what is being tested" (plain-language §3.2, pitfalls).
_COMPARATOR = re.compile(
    r"\b(?:placebo|sham|usual care|standard (?:of )?care|standard treatment|no intervention"
    r"|vehicle|control)\b",
    re.IGNORECASE,
)


def say(
    template_id: str,
    fills: dict[str, str] | None = None,
    slots: Sequence[Slot] = (),
    *,
    refs: Sequence[str] = (),
    kind: SentenceKind = "prose",
    label: str = "",
) -> Sentence:
    """A sentence from a template, its holes filled with the given texts."""
    # Registry values may hold line breaks or runs of spaces: a sentence has single spaces.
    text = " ".join(TEMPLATES[template_id].format(**(fills or {})).split())
    text = text[:1].upper() + text[1:]
    if text.endswith("..") and not text.endswith("..."):
        text = text[:-1]  # a value ending in "Inc." before the template's full stop
    return Sentence(text, template_id, tuple(slots), tuple(refs), kind, label)


def slot(name: str, fact: Fact[Any], text: str | None = None) -> Slot:
    """A slot holding a fact's value; `text` is how it reads (default: the value itself)."""
    shown = str(fact.value) if text is None else text
    # Registry text may hold line breaks or runs of spaces; a sentence shows single spaces.
    return Slot(name, fact.value, fact.pointer, " ".join(shown.split()))


def count_slot(name: str, count: int, ptr: str, derive: str = "count") -> Slot:
    """A slot holding a number derived from a list (its length, or distinct values in it)."""
    return Slot(name, count, ptr, f"{count:,}", derive)


def join(texts: Sequence[str], last: str = "and") -> str:
    """A list in words: "A", "A and B", "A, B and C"."""
    if len(texts) <= 1:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} {PHRASES[last]} {texts[-1]}"


def date_text(value: str) -> str | None:
    """A PartialDate at its own precision: "2021" → "2021", "2021-03" → "March 2021"."""
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    name = MONTHS[int(month) - 1]
    return f"{name} {int(day)}, {year}" if day else f"{name} {year}"


@dataclass(frozen=True)
class Age:
    """An age limit such as "18 Years"."""

    number: int
    unit: str  # lower case, as in the record: "years", "month"
    fact: Fact[str]


def age(fact: Fact[str] | None) -> Age | None:
    """A parsed age limit, or None when absent or not of the registry's form."""
    if fact is None or not (match := _AGE.match(fact.value.strip())):
        return None
    return Age(int(match.group(1)), match.group(2).lower(), fact)


def tested_interventions(facts: Facts) -> list[Intervention]:
    """Interventions of experimental arms (all, if no arm says), minus comparators, deduplicated."""
    experimental = {
        a.label.value for a in facts.arms if a.label and a.type and a.type.value == "EXPERIMENTAL"
    }
    linked = [i for i in facts.interventions if set(i.arm_labels) & experimental]
    chosen = linked or list(facts.interventions)
    seen: set[str] = set()
    out = []
    for item in chosen:
        key = item.name.value.strip().lower()
        if key not in seen and not _COMPARATOR.search(item.name.value):
            seen.add(key)
            out.append(item)
    return out


def names_fill(
    items: Sequence[Intervention], *, other_names: bool = False
) -> tuple[str, list[Slot]]:
    """Intervention names joined for a sentence, with one slot per name used."""
    texts, slots = [], []
    for n, item in enumerate(items):
        text = item.name.value.strip()
        slots.append(slot(f"interventions[{n}]", item.name, text))
        other = _short_other_name(item) if other_names else None
        if other is not None:
            text = f"{text} ({PHRASES['also_called']} {other.value.strip()})"
            slots.append(slot(f"interventions[{n}].other", other))
        texts.append(text)
    return join(texts), slots


def _short_other_name(item: Intervention) -> Fact[str] | None:
    """A plain other name for a code name ("JAB-21822" → "Glecirasib"); brand names are left out."""
    if not any(ch.isdigit() for ch in item.name.value):
        return None
    for other in item.other_names:
        value = other.value.strip()
        plain = not any(ch in value for ch in ";()[]")
        if plain and value.lower() != item.name.value.strip().lower() and len(value.split()) <= 3:
            return other
    return None


def conditions_fill(facts: Facts) -> tuple[str, list[Slot]]:
    """Up to two conditions, then "other conditions" (all are listed under Conditions)."""
    shown = facts.conditions[:2]
    slots = [slot(f"conditions[{n}]", c, c.value.strip()) for n, c in enumerate(shown)]
    texts = [c.value.strip() for c in shown]
    if len(facts.conditions) > 2:
        texts.append(PHRASES["other_conditions"])
    return join(texts), slots


MAX_SENTENCE_WORDS = 25  # Australian Government Style Manual maximum (plain-language §1.1)


def word_count(text: str) -> int:
    """Words in a sentence, counted as the readability scores count them."""
    return len(words(text))


def fits(sentence: Sentence) -> bool:
    """True when a sentence is short enough to publish."""
    return word_count(sentence.text) <= MAX_SENTENCE_WORDS
