"""Every fixed string and glossary definition is plain: short, few long or rare words, no claims."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from wordfreq import zipf_frequency

from bench.summaries import undefined_jargon
from transforms.summaries import GENERATOR_VERSION, TEMPLATE_SET_VERSION, glossary
from transforms.summaries.lexicon import OVERCLAIM, fixed_text
from transforms.summaries.readability import long_words, score, words
from transforms.summaries.templates import HEADINGS, LABELS, TEMPLATES

MAX_WORDS = 15
RARE = 3.5
# The footer's wording is set by the issue ("Generated automatically on <date> from the
# ClinicalTrials.gov record last updated <date> (NCT…). Not reviewed by a person.").
EXEMPT = {"footer.generated", "footer.generated.no_update"}
_SENTENCES = re.compile(r"(?<=[.!?:])\s+(?=[A-Z])")
_HOLE = re.compile(r"\{[a-z_]+\}")


def _glossary_words() -> set[str]:
    return {w.lower() for e in glossary.entries().values() for t in e.terms for w in words(t)}


def _proper(sentence: str) -> set[str]:
    """Capitalised words inside a sentence (names such as National Institutes of Health)."""
    return {w for w in words(sentence)[1:] if w[:1].isupper()}


def _problems(text: str) -> list[str]:
    problems = []
    defined, names = _glossary_words(), set()
    for sentence in _SENTENCES.split(_HOLE.sub("Sam", text)):
        names = _proper(sentence) | {"Sam"}
        count = len(words(sentence))
        if count > MAX_WORDS:
            problems.append(f"{count} words: {sentence!r}")
        long = [w for w in long_words(sentence) if w.lower() not in defined and w not in names]
        if len(long) > 1:
            problems.append(f"long words {long}: {sentence!r}")
        rare = [
            w
            for w in words(sentence)
            if not w.isdigit()
            and w.lower() not in defined
            and w not in names
            and w.lower() not in ("ext",)
            and zipf_frequency(w, "en") < RARE
        ]
        if rare:
            problems.append(f"rare words {rare}: {sentence!r}")
    return problems


@pytest.mark.parametrize("template_id", sorted(set(TEMPLATES) - EXEMPT))
def test_each_template_is_plain(template_id):
    assert _problems(TEMPLATES[template_id]) == []


@pytest.mark.parametrize("text", sorted(set(HEADINGS.values()) | set(LABELS.values())))
def test_each_heading_and_label_is_plain(text):
    assert _problems(text) == []


@pytest.mark.parametrize("entry_id", sorted(glossary.entries()))
def test_each_glossary_definition_is_plain_and_sourced(entry_id):
    entry = glossary.entries()[entry_id]
    assert entry.source in ("ctgov", "cdc")
    assert entry.source_url.startswith("https://") and entry.source_name
    assert _problems(entry.definition) == []
    # The definition names its own term, so the reader sees which word it explains.
    assert any(t.lower() in entry.definition.lower() for t in entry.terms)


def test_no_fixed_string_makes_a_claim():
    texts = [*TEMPLATES.values(), *HEADINGS.values(), *LABELS.values()]
    texts += [e.definition for e in glossary.entries().values()]
    assert [t for t in texts if OVERCLAIM.search(t)] == []


def test_each_sections_fixed_text_reads_at_grade_8_or_below():
    by_section: dict[str, list[str]] = defaultdict(list)
    for template_id, text in TEMPLATES.items():
        if template_id not in EXEMPT and "." in text:
            by_section[template_id.split(".")[0]].extend(_SENTENCES.split(fixed_text(text)))
    grades = {key: score(sentences).fk_grade for key, sentences in by_section.items()}
    assert grades and all(g <= 8 for g in grades.values()), grades


def test_versions_are_tied():
    assert TEMPLATE_SET_VERSION in GENERATOR_VERSION


def test_every_glossary_term_on_a_sample_page_is_defined_at_first_use(sample_summaries):
    assert {
        n: undefined_jargon(s.page) for n, s in sample_summaries.items() if undefined_jargon(s.page)
    } == {}


def test_a_definition_follows_the_sentence_that_first_uses_the_term(sample_summaries):
    page = sample_summaries["NCT05803083"].page
    items = [i for s in page.sections if s.key == "studies" for p in s.parts for i in p.items]
    texts = [i.text for i in items]
    placebo = texts.index("Another group gets a placebo.")
    assert items[placebo + 1].template_id == "glossary.placebo"
    assert texts.count(glossary.entries()["placebo"].definition) == 1
    # Defined once per page: later uses are not defined again.
    all_texts = [s.text for s in page.sentences()]
    assert all_texts.count(glossary.entries()["placebo"].definition) == 1


def test_the_footer_credits_the_glossary_sources_used(sample_summaries):
    footer = sample_summaries["NCT04267848"].page.footer
    assert footer[-1].template_id == "footer.sources"
    assert "U.S. National Library of Medicine" in footer[-1].text
