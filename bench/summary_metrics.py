"""The measurements behind bench/summaries.py: every figure of plain-language.md §5.2, per record.

Shared with the gate tests (tests/transforms/summaries/test_summary_gates.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transforms.summaries import Summary, glossary, prose_sentences, summarize
from transforms.summaries.eligibility import normalize_space, split_criteria, unescape
from transforms.summaries.lexicon import fixed_text, tokens
from transforms.summaries.model import Page, Sentence
from transforms.summaries.readability import score, words
from transforms.summaries.templates import TEMPLATES

GENERATED_ON = dt.date(2026, 11, 24)
RARE_ZIPF = 3.5
_LEAK_TEXT = re.compile(
    r"\b(?:None|null|nan|NaN|N/A|undefined)\b|99999999|\b1 (?:sites|groups|people|countries)\b"
)
_EMPTY_BULLET = re.compile(r"^\s*(?:[-*]|\d+\.)\s*$|<li>\s*</li>", re.MULTILINE)
# Template names are not jargon; glossary terms (defined on the page) are allowed to be rare.
_NAME_TEMPLATES = ("contacts.", "where.place", "fact.sponsor", "fact.nct_id", "fact.places")


def zipf(word: str) -> float:
    """Word frequency on the Zipf scale (wordfreq, English; dev dependency, offline)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _has(record: Mapping[str, Any], *path: str) -> bool:
    cur: Any = record
    for key in path:
        cur = cur.get(key) if isinstance(cur, dict) else None
    return cur not in (None, "", [], {})


def applicable(record: Mapping[str, Any]) -> set[str]:
    """The sections whose source fields exist (C1), decided from the record alone."""
    p = ("protocolSection",)
    d, e, c = (*p, "designModule"), (*p, "eligibilityModule"), (*p, "contactsLocationsModule")
    out = {"facts"}
    studies = [
        (*p, "descriptionModule", "briefSummary"),
        (*p, "armsInterventionsModule", "armGroups"),
        (*p, "armsInterventionsModule", "interventions"),
        (*d, "designInfo", "allocation"),
        (*d, "designInfo", "maskingInfo", "masking"),
        (*d, "designInfo", "interventionModel"),
    ]
    rules: dict[str, list[tuple[str, ...]]] = {
        "studies": studies,
        "who": [
            (*e, "minimumAge"),
            (*e, "maximumAge"),
            (*e, "stdAges"),
            (*e, "sex"),
            (*e, "healthyVolunteers"),
        ],
        "why": [
            (*p, "outcomesModule", "primaryOutcomes"),
            (*p, "outcomesModule", "secondaryOutcomes"),
        ],
        "eligibility": [(*e, "eligibilityCriteria")],
        "where": [(*c, "locations")],
        "contacts": [(*c, "centralContacts"), (*c, "overallOfficials")],
        "how": [(*p, "statusModule", "overallStatus")],
        "conditions": [(*p, "conditionsModule", "conditions")],
    }
    out |= {key for key, paths in rules.items() if any(_has(record, *path) for path in paths)}
    if record.get("hasResults") is True:
        out.add("why")  # "The study team has posted results"
    return out


def template_words(page: Page) -> list[str]:
    """Words of the fixed text on a page (J1): templates and glossary definitions, not values."""
    words = []
    for s in page.sentences():
        if s.template_id.startswith("glossary."):
            entry = glossary.entries()[s.template_id.split(".", 1)[1]]
            terms = {w for t in entry.terms for w in t.lower().split()}
            words += [w for w in tokens(s.text) if w.lower() not in terms]
        elif s.template_id in TEMPLATES:
            words += tokens(fixed_text(TEMPLATES[s.template_id]))
    return [w for w in words if w.isalpha() and w.lower() not in ("clinicaltrials",)]


def undefined_jargon(page: Page) -> list[str]:
    """Glossary terms used (outside names) before any definition in the same or next part (J3)."""
    defined: set[str] = set()
    missing: list[str] = []
    blocks: list[list[Sentence]] = [[x for x in [page.lede, *page.lede_notes] if x is not None]]
    for section in page.sections:
        blocks += [[i for i in part.items if isinstance(i, Sentence)] for part in section.parts]
    for n, block in enumerate(blocks):
        nxt = blocks[n + 1] if n + 1 < len(blocks) else []
        defined |= {r for s in block + nxt for r in s.glossary_refs}
        for s in block:
            if s.kind in ("prose", "cell") and not s.template_id.startswith(_NAME_TEMPLATES):
                missing += [t for t in glossary.terms_in(f"{s.label} {s.text}") if t not in defined]
    return missing


def _template_only(page: Page) -> list[str]:
    """Prose with every slot value replaced by a one-syllable word (R2)."""
    out = []
    for text, s in ((s.text, s) for s in page.sentences() if s.kind == "prose"):
        for slot in sorted(s.slots, key=lambda x: -len(x.text)):
            if slot.text:
                text = text.replace(slot.text, "thing")
        out.append(text)
    return out


@dataclass
class Totals:
    """Per-record figures collected over the sample."""

    fk: list[float] = field(default_factory=list)
    fk_template: list[float] = field(default_factory=list)
    fre: list[float] = field(default_factory=list)
    wps: list[float] = field(default_factory=list)
    max_words: int = 0
    prose_words: list[int] = field(default_factory=list)
    lede_words: list[int] = field(default_factory=list)
    headline_chars: list[int] = field(default_factory=list)
    template_tokens: int = 0
    template_rare: int = 0
    all_rare: list[float] = field(default_factory=list)
    undefined: int = 0
    sentences: int = 0
    failed_sentences: int = 0
    quotes: int = 0
    failed_quotes: int = 0
    numbers: int = 0
    numbers_ok: int = 0
    coverage_ok: int = 0
    coverage_total: int = 0
    coverage_miss: Counter[str] = field(default_factory=Counter)
    leaks: int = 0
    split: Counter[str] = field(default_factory=Counter)
    items: int = 0
    items_verbatim: int = 0
    digests: list[str] = field(default_factory=list)
    rerun_identical: int = 0
    seconds_core: float = 0.0
    seconds_render: float = 0.0
    failures: list[str] = field(default_factory=list)


def _digest(summary: Summary) -> str:
    body = summary.html.encode() + b"\0" + summary.markdown.encode() + b"\0" + summary.json_bytes()
    return hashlib.sha256(body).hexdigest()


def _readability(t: Totals, summary: Summary) -> None:
    page, scores = summary.page, summary.scores
    if scores is not None:
        t.fk.append(scores.fk_grade)
        t.fre.append(scores.reading_ease)
        t.wps.append(scores.words_per_sentence)
        t.max_words = max(t.max_words, scores.max_sentence_words)
        t.prose_words.append(scores.words)
    if (template := score(_template_only(page))) is not None:
        t.fk_template.append(template.fk_grade)
    if page.lede is not None:
        t.lede_words.append(len(words(page.lede.text)))
    t.headline_chars.append(len(page.headline.text))
    fixed = template_words(page)
    t.template_tokens += len(fixed)
    t.template_rare += sum(1 for w in fixed if zipf(w) < RARE_ZIPF)
    allw = [w for s in prose_sentences(page) for w in tokens(s) if w.isalpha()]
    t.all_rare.append(sum(1 for w in allw if zipf(w) < RARE_ZIPF) / len(allw) if allw else 0.0)
    t.undefined += len(undefined_jargon(page))


def _trace(t: Totals, summary: Summary, record: Mapping[str, Any]) -> None:
    v = summary.verdict
    t.sentences += v.sentences
    t.failed_sentences += v.failed_sentences
    t.quotes += v.quotes
    t.failed_quotes += v.failed_quotes
    t.numbers += v.numbers
    t.numbers_ok += v.numbers_ok
    t.failures += [f"{summary.nct_id} {f.where} {f.check}: {f.detail}" for f in v.failures]
    want, have = applicable(record), {s.key for s in summary.page.sections}
    t.coverage_total += 1
    t.coverage_ok += want == have
    t.coverage_miss.update(f"missing {k}" for k in want - have)
    t.coverage_miss.update(f"extra {k}" for k in have - want)
    generated = " ".join(s.text for s in summary.page.sentences())
    t.leaks += sum(1 for f in v.failures if f.check == "leak")
    t.leaks += len(_LEAK_TEXT.findall(generated)) + len(_EMPTY_BULLET.findall(summary.markdown))
    t.leaks += len(_EMPTY_BULLET.findall(summary.html))


def _eligibility(t: Totals, record: Mapping[str, Any]) -> None:
    text = (record.get("protocolSection", {}).get("eligibilityModule", {}) or {}).get(
        "eligibilityCriteria"
    )
    split = split_criteria(text)
    t.split[split.status] += 1
    source = normalize_space(unescape(text or ""))
    for item in (*split.preamble, *split.inclusion, *split.exclusion):
        for piece in (item.text, *item.children):
            t.items += 1
            t.items_verbatim += normalize_space(piece) in source


def measure(records: Sequence[Mapping[str, Any]]) -> Totals:
    """Generate, verify and score every record (twice, for determinism)."""
    t = Totals()
    for record in records:
        start = time.process_time()
        summary = summarize(record, generated_on=GENERATED_ON)
        t.seconds_core += time.process_time() - start  # generate + verify + FK (+ render, below)
        again = summarize(record, generated_on=GENERATED_ON)
        t.digests.append(_digest(summary))
        t.rerun_identical += _digest(again) == t.digests[-1]
        _readability(t, summary)
        _trace(t, summary, record)
        _eligibility(t, record)
    return t


def core_ms(records: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    """ms/study of generate + verify + metrics, and of rendering HTML + Markdown (best of 3)."""
    from transforms.summaries.facts import facts_of
    from transforms.summaries.inputs import summary_inputs
    from transforms.summaries.model import document
    from transforms.summaries.render import render_html, render_markdown
    from transforms.summaries.sections import plan_page
    from transforms.summaries.verifier import verify_document

    best_core = best_render = float("inf")
    for _ in range(3):
        core = render = 0.0
        for record in records:
            start = time.process_time()
            page = plan_page(facts_of(summary_inputs(record)), GENERATED_ON).page
            doc = document(page)
            verify_document(doc, record)
            score(prose_sentences(page))
            mid = time.process_time()
            render_html(doc)
            render_markdown(doc)
            render += time.process_time() - mid
            core += mid - start
        best_core, best_render = min(best_core, core), min(best_render, render)
    return best_core / len(records) * 1000, best_render / len(records) * 1000


def digest_all(records: Sequence[Mapping[str, Any]]) -> str:
    """One sha256 over every page of the sample (compared across processes)."""
    h = hashlib.sha256()
    for record in records:
        h.update(_digest(summarize(record, generated_on=GENERATED_ON)).encode())
    return h.hexdigest()
