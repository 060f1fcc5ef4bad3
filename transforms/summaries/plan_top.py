"""The top of the page: headline, official title and the one-sentence lede (plain-language §3.3)."""

from __future__ import annotations

import re

from transforms.summaries.facts import Facts
from transforms.summaries.model import Quote, Sentence, Slot
from transforms.summaries.phrasing import (
    conditions_fill,
    names_fill,
    say,
    slot,
    tested_interventions,
    word_count,
)
from transforms.summaries.templates import TEMPLATES

_HEALTHY = re.compile(r"\bhealthy\b", re.IGNORECASE)
MAX_LEDE_WORDS = 25
MAX_HEADLINE_CHARS = 80
MAX_HEADLINE_WORDS = 12
# Purposes with a lede grammar of their own; others get the neutral "This study is about ...".
PURPOSE_LEDES = frozenset(
    k.split(".", 1)[1] for k in TEMPLATES if k.startswith("lede.") and k[5:].isupper()
)


def _by_purpose(facts: Facts, fills: dict[str, str], slots: list[Slot]) -> Sentence | None:
    """The per-purpose lede ("This study is testing if X can help treat Y"), when it applies."""
    purpose, study_type = facts.purpose, facts.study_type
    if study_type is None or study_type.value != "INTERVENTIONAL":
        return None
    if purpose is None or purpose.value not in PURPOSE_LEDES:
        return None
    return say(f"lede.{purpose.value}", fills, [slot("purpose", purpose, ""), *slots])


def _expanded_access(facts: Facts, names: str, slots: list[Slot]) -> Sentence | None:
    study_type = facts.study_type
    if study_type is None or study_type.value != "EXPANDED_ACCESS" or not slots:
        return None
    return say(
        "lede.EXPANDED_ACCESS",
        {"interventions": names},
        [slot("study_type", study_type, ""), *slots],
    )


def lede(facts: Facts) -> Sentence | None:
    """The lede: a per-purpose sentence when the design allows it, else a neutral one."""
    conditions, cond_slots = conditions_fill(facts)
    tested = tested_interventions(facts)
    names, name_slots = names_fill(tested[:3])
    few = 1 <= len(tested) <= 3
    # "can help treat Healthy Volunteers" would be nonsense: a "condition" naming healthy people
    # gets the lede about the treatments instead.
    healthy = any(_HEALTHY.search(c.value) for c in facts.conditions[:2])
    fills = {"interventions": names, "conditions": conditions}
    about_names = say("lede.about_interventions", fills, name_slots) if few else None
    candidates = [
        _expanded_access(facts, names, name_slots),
        _by_purpose(facts, fills, name_slots + cond_slots)
        if few and cond_slots and not healthy
        else None,
        about_names if healthy else None,
        say("lede.about", fills, cond_slots) if cond_slots else None,
        about_names,
    ]
    return next((c for c in candidates if c and word_count(c.text) <= MAX_LEDE_WORDS), None)


def headline(facts: Facts, lede_sentence: Sentence | None) -> Sentence:
    """The headline: "{intervention} for {condition}" when both are short, else the brief title."""
    if lede_sentence is not None and lede_sentence.template_id.split(".")[1] in PURPOSE_LEDES:
        tested = tested_interventions(facts)
        if len(tested) <= 2 and len(facts.conditions) == 1:
            names, name_slots = names_fill(tested)
            condition, cond_slots = conditions_fill(facts)
            short = say(
                "headline.for",
                {"interventions": names, "conditions": condition},
                [*name_slots, *cond_slots],
                kind="title",
            )
            if (
                len(short.text) <= MAX_HEADLINE_CHARS
                and word_count(short.text) <= MAX_HEADLINE_WORDS
            ):
                return short
    title = facts.brief_title or facts.official_title or facts.nct_id
    assert title is not None, "summaries are only made for records with an NCT id"
    return say(
        "headline.title",
        {"title": title.value.strip()},
        [slot("title", title, title.value.strip())],
        kind="title",
    )


def official_title(facts: Facts, shown: Sentence) -> Quote | None:
    """The official title as written, unless the headline already shows it."""
    title = facts.official_title
    if title is None or title.value.strip().lower() == shown.text.lower():
        return None
    return Quote(title.value.strip(), title.pointer, "exact")
