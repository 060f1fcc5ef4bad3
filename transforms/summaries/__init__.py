"""Plain-language trial pages: record → facts → sentences → verified page → HTML, Markdown, JSON.

Pure: the generation date comes in as a parameter, the optional LLM backend brings its own HTTP
callable. The same record and date always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from transforms.hashing import content_hash
from transforms.summaries import llm
from transforms.summaries.facts import Facts, facts_of
from transforms.summaries.inputs import summary_input_hash, summary_inputs
from transforms.summaries.llm import OpenAICompatBackend
from transforms.summaries.model import Page, document
from transforms.summaries.readability import READABILITY_IMPL, Scores, score
from transforms.summaries.render import render_html, render_markdown
from transforms.summaries.sections import Plan, plan_page
from transforms.summaries.templates import GENERATOR_VERSION, TEMPLATE_SET_VERSION
from transforms.summaries.verifier import Verdict, verify_document

__all__ = [
    "GENERATOR_VERSION",
    "TEMPLATE_SET_VERSION",
    "READABILITY_IMPL",
    "OpenAICompatBackend",
    "Summary",
    "prose_sentences",
    "summarize",
    "summary_input_hash",
    "summary_row",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Summary:
    """One generated page in every output form, with its scores and verification."""

    nct_id: str
    page: Page
    document: dict[str, Any]
    markdown: str
    html: str
    scores: Scores | None
    verdict: Verdict
    input_hash: str
    eligibility_status: str
    generated_by: str
    backend_note: str
    generated_on: dt.date

    @property
    def ok(self) -> bool:
        """True when the verifier passed every sentence and quote."""
        return self.verdict.ok

    def json_bytes(self) -> bytes:
        """The page document (text plus provenance) as pretty, stable JSON."""
        return orjson.dumps(self.document, option=orjson.OPT_INDENT_2)


def prose_sentences(page: Page) -> list[str]:
    """The generated prose FK is computed on: lede, definitions and section sentences.

    Table cells, titles, the footer and every verbatim quote are left out (plain-language §5.2 R1).
    """
    texts = [s.text for s in page.sentences() if s.kind == "prose"]
    return [part for text in texts for part in _SENTENCE_END.split(text) if part.strip()]


def _scores_json(scores: Scores | None) -> dict[str, Any] | None:
    if scores is None:
        return None
    return {
        "fk_grade": scores.fk_grade,
        "reading_ease": scores.reading_ease,
        "sentences": scores.sentences,
        "words": scores.words,
        "words_per_sentence": scores.words_per_sentence,
        "max_sentence_words": scores.max_sentence_words,
    }


def _plan(
    facts: Facts,
    generated_on: dt.date,
    backend: OpenAICompatBackend | None,
    inputs: Mapping[str, Any],
) -> tuple[Plan, str, str]:
    """The planned page, who wrote its headline and lede, and why an LLM rewrite was refused."""
    plan = plan_page(facts, generated_on)
    if backend is None:
        return plan, "template", ""
    outcome = llm.rewrite(backend, facts, inputs)
    if isinstance(outcome, str):
        return plan, "template", outcome
    rewritten = plan_page(facts, generated_on, opening=outcome.lede, title=outcome.headline)
    return rewritten, backend.name, ""


def summarize(
    record: Mapping[str, Any],
    *,
    generated_on: dt.date,
    backend: OpenAICompatBackend | None = None,
) -> Summary:
    """The plain-language page of one study record.

    Raises:
        ValueError: the record has no NCT id (nothing to name the page by).
    """
    inputs = summary_inputs(record)
    facts = facts_of(inputs)
    if facts.nct_id is None:
        raise ValueError("record has no protocolSection.identificationModule.nctId")
    plan, generated_by, note = _plan(facts, generated_on, backend, inputs)
    scores = score(prose_sentences(plan.page))
    input_hash = summary_input_hash(record)
    meta: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "template_set_version": TEMPLATE_SET_VERSION,
        "readability_impl": READABILITY_IMPL,
        "readability": _scores_json(scores),
        "generated_on": generated_on.isoformat(),
        "last_update_post_date": facts.last_update.value if facts.last_update else None,
        "input_hash": input_hash,
        "generated_by": generated_by,
        "backend_note": note,
        "eligibility_status": plan.eligibility_status,
    }
    page = replace(plan.page, meta=meta)
    doc = document(page)
    return Summary(
        nct_id=page.nct_id, page=page, document=doc, markdown=render_markdown(doc),
        html=render_html(doc), scores=scores, verdict=verify_document(doc, record),
        input_hash=input_hash, eligibility_status=plan.eligibility_status,
        generated_by=generated_by, backend_note=note, generated_on=generated_on,
    )  # fmt: skip


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def summary_row(summary: Summary, record: Mapping[str, Any], *, backend: str) -> dict[str, Any]:
    """The pub.summaries row of a summary (`backend` is the configured one, e.g. "template")."""
    doc, scores, verdict = summary.document, summary.scores, summary.verdict
    return {
        "nct_id": summary.nct_id,
        "headline": doc["headline"]["text"],
        "lede": doc["lede"]["text"] if doc.get("lede") else None,
        "sections": orjson.dumps(doc["sections"]).decode(),
        "document": summary.json_bytes().decode(),
        "markdown": summary.markdown,
        "html": summary.html,
        "fk_grade": scores.fk_grade if scores else None,
        "reading_ease": scores.reading_ease if scores else None,
        "words_per_sentence": scores.words_per_sentence if scores else None,
        "max_sentence_words": scores.max_sentence_words if scores else None,
        "prose_sentences": scores.sentences if scores else 0,
        "readability_impl": READABILITY_IMPL,
        "is_verified": verdict.ok,
        "verification_failures": orjson.dumps([f.__dict__ for f in verdict.failures]).decode(),
        "eligibility_status": summary.eligibility_status,
        "input_hash": summary.input_hash,
        "content_hash": content_hash(record),
        "page_sha256": hashlib.sha256(summary.html.encode()).hexdigest(),
        "generator_version": GENERATOR_VERSION,
        "template_set_version": TEMPLATE_SET_VERSION,
        "backend": backend,
        "generated_by": summary.generated_by,
        "backend_note": summary.backend_note or None,
        "last_update_post_date": _date(doc["meta"].get("last_update_post_date")),
        "generated_on": summary.generated_on,
    }
