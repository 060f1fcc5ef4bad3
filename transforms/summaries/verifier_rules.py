"""The verifier's rules as small functions: leaks, template patterns, allowed words, quotes.

Kept apart from the checker so each rule can be read (and tested) on its own; nothing here knows
how pages are planned.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence, Set
from functools import lru_cache
from typing import Any

from transforms.summaries import glossary
from transforms.summaries.lexicon import (
    COMMON_WORDS,
    STOPWORDS,
    fixed_text,
    is_number,
    lexicon_words,
    numbers_in,
    word_forms,
)
from transforms.summaries.templates import MONTHS

# Placeholder leaks: (name, cheap substring guard, pattern). The guard skips the regex for the
# vast majority of sentences, which contain none of the guard strings.
_LEAKS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "placeholder word",
        ("None", "null", "NULL", "nan", "NaN", "undefined", "N/A"),
        re.compile(r"\b(?:None|null|NULL|nan|NaN|undefined|N/A)\b"),
    ),
    ("unknown-count sentinel", ("99999999",), re.compile("99999999")),
    ("unfilled template hole", ("{",), re.compile(r"\{[a-z_]+\}")),
    (
        "plural after 1",
        ("1 ",),
        re.compile(r"\b1 (?:sites|groups|people|countries|results|places|persons)\b"),
    ),
    ("empty brackets", ("(",), re.compile(r"\(\s*\)")),
    ("double full stop", ("..",), re.compile(r"(?<!\.)\.\.(?!\.)")),
    ("stray whitespace", ("  ", "\n", "\t", "\r"), re.compile(r"\s{2,}|[\n\t\r]")),
)


def leaks(text: str, cited: Sequence[str] = ()) -> list[str]:
    """The names of the placeholder leaks in a generated sentence.

    A match that is part of a cited value is registry text shown as written, not a leak.
    """
    if not text.strip():
        return ["empty text"]
    found = ["stray whitespace"] if text[0].isspace() or text[-1].isspace() else []
    for name, guards, pattern in _LEAKS:
        if any(g in text for g in guards):
            for match in pattern.finditer(text):
                if not any(match.group(0) in value for value in cited):
                    found.append(name)
                    break
    return sorted(set(found))


CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
ESCAPE = re.compile("\\\\([" + re.escape(string.punctuation) + "])")
DATE_TEXT = re.compile(rf"\b({'|'.join(MONTHS)})(?: (\d{{1,2}}),)? (\d{{4}})\b")
DATE_VALUE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
MONTH_WORDS = frozenset(m.lower() for m in MONTHS)
SPLIT = re.compile(r"[-'’./@,:_]+")
DIGIT = re.compile(r"\d")


def flat(value: Any) -> Iterator[str]:
    """Every scalar inside a value, as text (booleans and nulls carry no words or numbers)."""
    if type(value) is str:
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, list):
        for item in value:
            yield from flat(item)
    elif isinstance(value, dict | Mapping):
        for item in value.values():
            yield from flat(item)
    else:
        yield str(value)


def codes_of(value: Any) -> set[str]:
    """The codes a cited value stands for (booleans as TRUE/FALSE)."""
    if isinstance(value, bool):
        return {"TRUE" if value else "FALSE"}
    return set(flat(value))


@lru_cache(maxsize=1024)
def glossary_forms(refs: tuple[str, ...]) -> frozenset[str]:
    """Words of the cited glossary entries: definitions, terms and source names."""
    entries = glossary.entries()
    forms: set[str] = set()
    for ref in refs:
        forms |= word_forms(f"{entries[ref].definition} {entries[ref].source_name}")
        for term in entries[ref].terms:
            forms |= word_forms(term)
    return frozenset(forms)


@lru_cache(maxsize=4096)
def template_codes(tid: str) -> tuple[str, ...]:
    """The registry codes a template id names ("how.status.RECRUITING" → RECRUITING)."""
    return tuple(p for p in tid.split(".")[1:] if CODE.match(p))


@lru_cache(maxsize=4096)
def fixed_numbers(template: str) -> frozenset[str]:
    """Numbers written in a template's fixed text ("Phase 2 studies ...")."""
    return numbers_in(fixed_text(template))


@lru_cache(maxsize=1024)
def template_pattern(template: str) -> re.Pattern[str]:
    """A template as a pattern: fixed text literal, each hole any text."""
    pieces = re.split(r"\{[a-z_]+\}", template)
    flags = re.DOTALL | (re.IGNORECASE if template[:1] == "{" else 0)  # a value may open the text
    return re.compile("(.+?)".join(re.escape(p) for p in pieces), flags)


@lru_cache(maxsize=65536)
def fixed_word(token: str, llm: bool) -> bool:
    """True when a word is in the template lexicon or the stop words (or, for LLM text, common)."""
    sets = (lexicon_words(), STOPWORDS, COMMON_WORDS) if llm else (lexicon_words(), STOPWORDS)
    return known(token, *sets)


def known(token: str, *allowed: Set[str]) -> bool:
    """True when the token, or each of its joined parts, is in one of the word sets."""
    low = token.lower()
    if any(low in a for a in allowed):
        return True
    parts = [p for p in SPLIT.split(low) if p]
    return bool(parts) and all(is_number(p) or any(p in a for a in allowed) for p in parts)


@lru_cache(maxsize=256)
def unescaped(source: str) -> str:
    """Registry markdown without its backslash escapes (CommonMark: any ASCII punctuation)."""
    return ESCAPE.sub(r"\1", source)


@lru_cache(maxsize=256)
def spaced(source: str) -> str:
    """The unescaped source with whitespace runs as one space (criteria items are parts of it)."""
    return " ".join(unescaped(source).split())


def quote_matches(text: str, source: str, mode: Any) -> bool:
    """Whether a quote equals its source (`exact`, `unescaped`) or is part of it (`substring`)."""
    if mode == "exact":
        return text.strip() == source.strip()
    if mode == "unescaped":
        return text.strip() == unescaped(source).strip()
    if mode == "substring":
        return " ".join(text.split()) in spaced(source)
    return False
