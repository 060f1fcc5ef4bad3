"""The optional LLM backend: any OpenAI-compatible `/chat/completions` endpoint, off by default.

It may rewrite only the headline and the lede, from a numbered list of record fields, and must
cite the fields it used. Its output passes the same verifier as template text (plus LLM-only rules:
no promotional words, names and codes only from cited fields) and a readability gate, or the
template text is kept. Building the request and checking the reply are pure; the HTTP call is
the injected `post(url, json) -> dict`, which the flows layer supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from transforms.summaries.facts import Fact, Facts
from transforms.summaries.model import Sentence, Slot, sentence_json
from transforms.summaries.phrasing import tested_interventions
from transforms.summaries.pointers import resolve
from transforms.summaries.readability import score
from transforms.summaries.verifier import verify_sentences

PROMPT_VERSION = "lede-headline-1"
MAX_LEDE_WORDS = 25
MAX_HEADLINE_CHARS = 80
MAX_LEDE_GRADE = 8.0

Post = Callable[[str, dict[str, Any]], Mapping[str, Any]]

SYSTEM_PROMPT = (
    "You write plain-language headlines and one-sentence summaries of clinical trials for the "
    "public. Use only facts from the numbered fields. Use short, everyday words (grade 6 to 8) "
    "and at most 15 words per sentence. Do not give advice. Do not promise anything. Never say "
    "a treatment is safe, effective, proven, a cure, a breakthrough, or the best. Do not add "
    "numbers, names or facts that are not in the fields. Cite every field you used by its key."
)

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["headline", "lede"],
    "properties": {
        key: {
            "type": "object",
            "additionalProperties": False,
            "required": ["text", "fields"],
            "properties": {
                "text": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            },
        }
        for key in ("headline", "lede")
    },
}


@dataclass(frozen=True)
class PromptField:
    """One record field offered to the model, under a short key such as `F2`."""

    key: str
    name: str
    value: Any
    pointer: str


@dataclass(frozen=True)
class OpenAICompatBackend:
    """Settings of an OpenAI-compatible endpoint; `base_url` includes the version, e.g. `.../v1`."""

    base_url: str
    model: str
    post: Post
    max_tokens: int = 300
    temperature: float = 0.0
    seed: int = 0

    @property
    def name(self) -> str:
        """How pages written with this backend are labelled (`generated_by`)."""
        return f"llm:{self.model}"


@dataclass(frozen=True)
class Rewrite:
    """An accepted headline and lede."""

    headline: Sentence
    lede: Sentence


def prompt_fields(facts: Facts) -> list[PromptField]:
    """The fields the model may use, numbered in a fixed order."""
    named: list[tuple[str, Fact[Any] | None]] = [
        ("briefTitle", facts.brief_title),
        ("briefSummary", facts.brief_summary),
    ]
    if facts.conditions:
        ptr = facts.conditions[0].pointer.rsplit("/", 1)[0]
        named.append(("conditions", Fact(resolve(facts.record, ptr), ptr)))
    named += [("interventionName", i.name) for i in tested_interventions(facts)[:3]]
    present = [(n, f) for n, f in named if f is not None]
    return [PromptField(f"F{k + 1}", n, f.value, f.pointer) for k, (n, f) in enumerate(present)]


def chat_request(backend: OpenAICompatBackend, fields: Sequence[PromptField]) -> dict[str, Any]:
    """The `/chat/completions` request body (deterministic settings, JSON-schema output)."""
    listing = "\n".join(f"{f.key} {f.name}: {_show(f.value)}" for f in fields)
    user = (
        "Fields:\n" + listing + "\n\nWrite a headline of at most 80 characters and a lede of one "
        "sentence of at most 25 words. Return JSON: "
        '{"headline": {"text": ..., "fields": ["F1"]}, "lede": {"text": ..., "fields": ["F2"]}}.'
    )
    return {
        "model": backend.model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
        ],
        "temperature": backend.temperature,
        "seed": backend.seed,
        "max_tokens": backend.max_tokens,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "summary", "strict": True, "schema": _SCHEMA},
        },
    }


def _show(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else " ".join(str(value).split())


def _reply(response: Mapping[str, Any]) -> dict[str, Any] | str:
    try:
        content = response["choices"][0]["message"]["content"]
        reply = orjson.loads(content)
    except (KeyError, IndexError, TypeError, orjson.JSONDecodeError):
        return "reply is not a chat completion with JSON content"
    if not isinstance(reply, dict):
        return "reply JSON is not an object"
    return reply


def _sentence(
    reply: Mapping[str, Any], key: str, fields: Mapping[str, PromptField]
) -> Sentence | str:
    part = reply.get(key)
    if (
        not isinstance(part, Mapping)
        or not isinstance(part.get("text"), str)
        or not part["text"].strip()
    ):
        return f"{key}: missing text"
    cited = part.get("fields")
    if not isinstance(cited, list) or not cited or any(c not in fields for c in cited):
        return f"{key}: must cite one or more of the given fields"
    slots = tuple(Slot(c, fields[c].value, fields[c].pointer) for c in dict.fromkeys(cited))
    text = " ".join(part["text"].split())
    if key == "headline":
        return Sentence(text, "llm.headline", slots, (), "title")
    return Sentence(text, "llm.lede", slots, (), "prose")


def check_reply(
    response: Mapping[str, Any], fields: Sequence[PromptField], record: Mapping[str, Any]
) -> Rewrite | str:
    """The accepted rewrite, or why it was rejected (schema, verifier, readability)."""
    reply = _reply(response)
    if isinstance(reply, str):
        return reply
    by_key = {f.key: f for f in fields}
    headline, lede = _sentence(reply, "headline", by_key), _sentence(reply, "lede", by_key)
    for part in (headline, lede):
        if isinstance(part, str):
            return part
    assert isinstance(headline, Sentence) and isinstance(lede, Sentence)
    verdict = verify_sentences([sentence_json(headline), sentence_json(lede)], record, llm=True)
    if not verdict.ok:
        checks = ", ".join(sorted({f.check for f in verdict.failures}))
        return f"verifier ({checks}): {verdict.failures[0].detail}"
    scores = score([lede.text])
    if len(headline.text) > MAX_HEADLINE_CHARS or len(lede.text.split()) > MAX_LEDE_WORDS:
        return "too long"
    if scores is None or scores.fk_grade > MAX_LEDE_GRADE:
        return f"lede reads above grade {MAX_LEDE_GRADE:g}"
    return Rewrite(headline, lede)


def rewrite(backend: OpenAICompatBackend, facts: Facts, record: Mapping[str, Any]) -> Rewrite | str:
    """Ask the endpoint for a headline and lede; the accepted rewrite or the reason to fall back."""
    fields = prompt_fields(facts)
    if not fields:
        return "no fields to rewrite"
    try:
        response = backend.post(
            backend.base_url.rstrip("/") + "/chat/completions", chat_request(backend, fields)
        )
    except Exception as err:  # any transport failure means: keep the template text
        return f"endpoint error: {type(err).__name__}: {err}"
    return check_reply(response, fields, record)
