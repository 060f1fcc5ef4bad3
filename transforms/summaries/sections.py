"""The page planner: every section in the example's order, then definitions at first use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from transforms.summaries import glossary
from transforms.summaries.facts import Facts
from transforms.summaries.model import Item, Page, Part, Section, Sentence
from transforms.summaries.plan_facts import facts_section
from transforms.summaries.plan_people import eligibility_section, who_section
from transforms.summaries.plan_place import (
    conditions_section,
    contacts_section,
    footer,
    how_section,
    where_section,
)
from transforms.summaries.plan_study import studies_section, why_section
from transforms.summaries.plan_top import headline, lede, official_title
from transforms.summaries.templates import LABELS

SECTION_ORDER = (
    "facts",
    "studies",
    "who",
    "why",
    "eligibility",
    "where",
    "contacts",
    "how",
    "conditions",
)
_SCANNED = ("prose", "cell")
# Names are not jargon: "Alliance for Clinical Trials in Oncology" needs no definition.
_NAMES = ("contacts.", "where.place", "fact.sponsor", "fact.nct_id", "fact.places")


@dataclass(frozen=True)
class Plan:
    """A planned page and how its eligibility text was split."""

    page: Page
    eligibility_status: str


def _definition(entry_id: str) -> Sentence:
    entry = glossary.entries()[entry_id]
    return Sentence(entry.definition, f"glossary.{entry_id}", (), (entry_id,), "prose")


def _used(sentences: Sequence[Sentence]) -> list[str]:
    found: dict[str, None] = {}
    for s in sentences:
        if s.kind in _SCANNED and not s.template_id.startswith(_NAMES):
            for term in glossary.terms_in(f"{s.label} {s.text}"):
                found.setdefault(term, None)
    return list(found)


def _refs(part: Part | None) -> set[str]:
    if part is None:
        return set()
    return {r for i in part.items if isinstance(i, Sentence) for r in i.glossary_refs}


def _sentences(part: Part) -> list[Sentence]:
    return [i for i in part.items if isinstance(i, Sentence)]


def _definitions_for(sentences: Sequence[Sentence], defined: set[str]) -> list[str]:
    missing = [t for t in _used(sentences) if t not in defined]
    defined |= set(missing)
    return missing


def _define_in_paragraph(part: Part, defined: set[str]) -> Part:
    """Each new term's definition right after the sentence that first uses it."""
    items: list[Item] = []
    for item in part.items:
        items.append(item)
        if isinstance(item, Sentence):
            defined |= set(item.glossary_refs)
            items += [_definition(t) for t in _definitions_for([item], defined)]
    return Part(part.kind, tuple(items), part.title)


def _define_in_section(parts: Sequence[Part], defined: set[str]) -> list[Part]:
    out: list[Part] = []
    carry: list[str] = []  # terms of a list or table, defined at the start of the next paragraph
    for i, part in enumerate(parts):
        if part.kind == "paragraph":
            head = tuple(_definition(t) for t in carry if t not in _refs(part))
            defined |= _refs(part)
            out.append(
                _define_in_paragraph(Part(part.kind, head + part.items, part.title), defined)
            )
            carry = []
            continue
        if carry:
            out.append(Part("paragraph", tuple(_definition(t) for t in carry), LABELS["words"]))
            carry = []
        defined |= _refs(part)
        out.append(part)
        following = parts[i + 1] if i + 1 < len(parts) else None
        carry = _definitions_for(_sentences(part), defined)
        if following is None or following.kind != "paragraph":
            if carry:
                out.append(Part("paragraph", tuple(_definition(t) for t in carry), LABELS["words"]))
            carry = []
    return out


def define_terms(
    lede_sentence: Sentence | None, sections: Sequence[Section]
) -> tuple[tuple[Sentence, ...], tuple[Section, ...], list[str]]:
    """Define each glossary term at its first use (plain-language §3.4: added, never substituted).

    In a paragraph the definition follows the sentence that uses the term; after a table or a
    list it opens the next paragraph (or a short "Words to know" paragraph of its own).
    """
    defined: set[str] = set()
    notes = tuple(
        _definition(t) for t in _definitions_for([lede_sentence] if lede_sentence else [], defined)
    )
    out = [Section(s.key, s.heading, tuple(_define_in_section(s.parts, defined))) for s in sections]
    return notes, tuple(out), sorted(defined)


def _sections(facts: Facts) -> tuple[list[Section], str]:
    """The sections that apply, in the example's order, and the criteria split status."""
    eligibility, status = eligibility_section(facts)
    planned = {
        "facts": facts_section(facts),
        "studies": studies_section(facts),
        "who": who_section(facts),
        "why": why_section(facts),
        "eligibility": eligibility,
        "where": where_section(facts),
        "contacts": contacts_section(facts),
        "how": how_section(facts),
        "conditions": conditions_section(facts),
    }
    return [s for key in SECTION_ORDER if (s := planned[key]) is not None], status


def plan_page(
    facts: Facts,
    generated_on: dt.date,
    *,
    opening: Sentence | None = None,
    title: Sentence | None = None,
) -> Plan:
    """Plan every section that applies to the record, in the example's order.

    `opening` and `title` replace the template lede and headline (an accepted LLM rewrite).
    """
    nct = facts.nct_id
    assert nct is not None
    opening = opening or lede(facts)
    title = title or headline(facts, opening)
    present, status = _sections(facts)
    notes, sections, used = define_terms(opening, present)
    entries = glossary.entries()
    sources = sorted({entries[t].source_name for t in used})
    page = Page(
        nct_id=nct.value,
        headline=title,
        lede=opening,
        official_title=official_title(facts, title),
        sections=sections,
        footer=footer(facts, generated_on, used, sources),
        lede_notes=notes,
    )
    return Plan(page, status)
