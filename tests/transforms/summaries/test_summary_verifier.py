"""The verifier fails altered pages (APPLS-style perturbations) and passes every sample page."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from transforms.summaries import summarize
from transforms.summaries.verifier import verify_document, verify_sentences

NCT = "NCT05803083"  # randomized, placebo, healthy women, one site: many numbers and codes


@pytest.fixture(scope="module")
def base(sample_studies) -> tuple[dict[str, Any], dict[str, Any]]:
    record = sample_studies[NCT]
    summary = summarize(record, generated_on=dt.date(2026, 11, 24))
    assert summary.ok
    return summary.document, record


def _find(doc: dict[str, Any], template_prefix: str) -> dict[str, Any]:
    for section in doc["sections"]:
        for part in section["parts"]:
            for item in part["items"]:
                if item.get("template_id", "").startswith(template_prefix):
                    return item
    raise LookupError(template_prefix)


def _quote(doc: dict[str, Any]) -> dict[str, Any]:
    for section in doc["sections"]:
        for part in section["parts"]:
            for item in part["items"]:
                if item.get("type") == "quote":
                    return item
    raise LookupError("quote")


def _checks(doc, record) -> set[str]:
    verdict = verify_document(doc, record)
    assert not verdict.ok
    return {f.check for f in verdict.failures}


Mutation = Callable[[dict[str, Any]], None]


def _set_text(prefix: str, old: str, new: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        item = _find(doc, prefix)
        assert old in item["text"]
        item["text"] = item["text"].replace(old, new)

    return mutate


def _lede(old: str, new: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        assert old in doc["lede"]["text"]
        doc["lede"]["text"] = doc["lede"]["text"].replace(old, new)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "check"),
    [
        # A changed number: 66 planned people becomes 67.
        pytest.param(_set_text("facts.enrollment", "66", "67"), "number", id="changed-number"),
        # A changed age limit in Good fit.
        pytest.param(_set_text("who.fit.age.range", "30", "18"), "number", id="changed-age"),
        # A changed phase number in fixed text would need another template.
        pytest.param(_set_text("studies.groups", "3", "4"), "number", id="changed-count"),
        # An added drug name the record never mentions.
        pytest.param(
            _lede("Hyaluronic acid 75", "Metformin and Hyaluronic acid 75"), "word", id="added-drug"
        ),
        # An efficacy claim.
        pytest.param(
            _set_text(
                "why.no_claims",
                "This page does not judge how well any treatment works.",
                "This treatment may cure you.",
            ),
            "claim",
            id="cure",
        ),
        # A flipped meaning with only allowed words ("not" is a stop word): the template catches it.
        pytest.param(
            _set_text("how.status.RECRUITING", "is looking", "is not looking"),
            "template",
            id="negation",
        ),
        # A changed date.
        pytest.param(_set_text("how.start", "February", "March"), "date", id="changed-month"),
        # A placeholder leak.
        pytest.param(_set_text("fact.sex", "Female", "None"), "leak", id="none-leak"),
        pytest.param(_set_text("facts.enrollment", "66", "99999999"), "leak", id="sentinel-leak"),
    ],
)
def test_altered_text_fails(base, mutate, check):
    doc, record = copy.deepcopy(base[0]), base[1]
    mutate(doc)
    assert check in _checks(doc, record)


def test_a_sentence_for_another_code_fails(base):
    # The sentence of another masking value, with this study's slots: the code check catches it.
    doc, record = copy.deepcopy(base[0]), base[1]
    item = _find(doc, "how.status.RECRUITING")
    item["template_id"], item["text"] = (
        "how.status.COMPLETED",
        "The study has ended. It is not taking new people.",
    )
    assert "code" in _checks(doc, record)


def test_a_stale_or_wrong_citation_fails(base):
    doc, record = copy.deepcopy(base[0]), base[1]
    cell = _find(doc, "fact.enrollment")
    cell["slots"][0]["value"] = 67  # the record says 66
    assert "citation" in _checks(doc, record)
    doc = copy.deepcopy(base[0])
    _find(doc, "fact.sex")["slots"][0]["pointer"] = "/protocolSection/eligibilityModule/nope"
    assert "citation" in _checks(doc, record)


def test_an_edited_quote_fails(base):
    doc, record = copy.deepcopy(base[0]), base[1]
    quote = _quote(doc)
    quote["text"] = quote["text"] + " It works."
    assert "quote" in _checks(doc, record)


def test_a_page_checked_against_a_changed_record_fails(base):
    # The page is stale once the record changes: numbers and citations no longer match.
    doc, record = base[0], copy.deepcopy(base[1])
    record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 70
    assert "citation" in _checks(doc, record)


def test_llm_sentences_need_cited_names_and_no_promotion(base):
    doc, record = base
    ptr = "/protocolSection/identificationModule/briefTitle"
    title = record["protocolSection"]["identificationModule"]["briefTitle"]

    def lede(text):
        return {
            "type": "sentence",
            "text": text,
            "template_id": "llm.lede",
            "kind": "prose",
            "slots": [{"name": "F1", "value": title, "pointer": ptr}],
        }

    assert verify_sentences(
        [lede("This study looks at hyaluronic acid and the skin.")], record, llm=True
    ).ok
    assert not verify_sentences(
        [lede("This study looks at hyaluronic acid and Botox.")], record, llm=True
    ).ok
    assert not verify_sentences(
        [lede("Hyaluronic acid is a safe way to help the skin.")], record, llm=True
    ).ok
    # Template ids are not for LLM text, and LLM ids are refused on template pages.
    assert not verify_sentences(
        [lede("This study looks at the skin in 2 ways.")], record, llm=True
    ).ok
    assert not verify_sentences([lede("This study looks at the skin.")], record, llm=False).ok


def test_every_sample_page_passes(sample_summaries):
    failures = {n: s.verdict.failures[:2] for n, s in sample_summaries.items() if not s.ok}
    assert failures == {}
    total = sum(s.verdict.sentences for s in sample_summaries.values())
    assert total > 30_000
