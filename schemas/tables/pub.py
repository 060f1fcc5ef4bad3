"""Publisher outputs: the plain-language summary page of every study (transforms/summaries)."""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import nct_id, text
from schemas.table import Column, Table

_SCHEMA = "pub"

SUMMARIES = Table(
    "summaries",
    nct_id(),
    text(
        "headline",
        None,
        "Plain headline: '<treatment> for <condition>' or the brief title.",
        nullable=False,
    ),
    text("lede", None, "One-sentence plain summary; NULL when no field supports one."),
    Column(
        "sections",
        pa.string(),
        "Page sections with every sentence's template id and cited JSON Pointers.",
        is_json=True,
        nullable=False,
    ),
    Column(
        "document",
        pa.string(),
        "The whole page as JSON (text, provenance, meta); the file "
        "published as summaries/<nct_id>.json.",
        is_json=True,
        nullable=False,
    ),
    text("markdown", None, "The page as Markdown (registry text escaped).", nullable=False),
    text(
        "html",
        None,
        "The page as a self-contained HTML document (registry text escaped).",
        nullable=False,
    ),
    Column(
        "fk_grade",
        pa.float64(),
        "Flesch-Kincaid grade of the generated prose (verbatim registry text excluded).",
    ),
    Column("reading_ease", pa.float64(), "Flesch reading ease of the same prose."),
    Column("words_per_sentence", pa.float64(), "Mean words per generated sentence."),
    Column("max_sentence_words", pa.int32(), "Words in the longest generated sentence."),
    Column(
        "prose_sentences",
        pa.int32(),
        "Generated sentences the scores are computed on.",
        nullable=False,
    ),
    text(
        "readability_impl",
        None,
        "Which readability formula and syllable counter produced the "
        "scores (scores from different implementations are not comparable).",
        nullable=False,
    ),
    Column(
        "is_verified",
        pa.bool_(),
        "True when every sentence and quote passed the traceability verifier.",
        nullable=False,
    ),
    Column(
        "verification_failures",
        pa.string(),
        "Failed verifier checks as JSON (empty list when verified).",
        is_json=True,
        nullable=False,
    ),
    text(
        "eligibility_status",
        None,
        "How the criteria text split: ok, pdq, inclusion_only, "
        "exclusion_only, combined, no_sections or empty.",
        nullable=False,
    ),
    text(
        "input_hash",
        None,
        "Hash of the record fields the page uses plus the generator version; "
        "a page is regenerated only when it changes.",
        nullable=False,
    ),
    text(
        "content_hash",
        None,
        "content_hash of the source record (transforms/hashing.py).",
        nullable=False,
    ),
    text(
        "page_sha256",
        None,
        "sha256 of the HTML page (byte-identical reruns give the same value).",
        nullable=False,
    ),
    text(
        "generator_version",
        None,
        "Summary generator version (includes the template set).",
        nullable=False,
    ),
    text("template_set_version", None, "Version of the fixed wording.", nullable=False),
    text("backend", None, "Configured backend: 'template' or 'openai'.", nullable=False),
    text(
        "generated_by",
        None,
        "Who wrote the headline and lede: 'template' or 'llm:<model>' "
        "(an LLM rewrite that fails the verifier falls back to 'template').",
        nullable=False,
    ),
    text("backend_note", None, "Why an LLM rewrite was rejected, when it was."),
    Column(
        "last_update_post_date",
        pa.date32(),
        "lastUpdatePostDate of the record the page was generated from.",
    ),
    Column("generated_on", pa.date32(), "Date the page was generated.", nullable=False),
    primary_key=("nct_id",),
    schema=_SCHEMA,
    grain="one row per study: its current plain-language summary page",
)

TABLES = (SUMMARIES,)
