"""The project-owned glossary (glossary.toml): terms, plain definitions and the source of each.

Used for added definitions next to a term's first use in generated text, never to replace words
inside registry text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType


@dataclass(frozen=True)
class Entry:
    """One glossary term with its definition and where its meaning comes from."""

    id: str
    terms: tuple[str, ...]
    definition: str
    source: str
    source_name: str
    source_url: str


@lru_cache(maxsize=1)
def entries() -> Mapping[str, Entry]:
    """Every glossary entry by id (read once from the package's glossary.toml)."""
    data = tomllib.loads(files("transforms.summaries").joinpath("glossary.toml").read_text("utf-8"))
    sources = data["sources"]
    out = {}
    for raw in data["entry"]:
        source = sources[raw["source"]]
        out[raw["id"]] = Entry(
            id=raw["id"],
            terms=tuple(raw["terms"]),
            definition=raw["definition"],
            source=raw["source"],
            source_name=source["name"],
            source_url=source["url"],
        )
    return MappingProxyType(out)


@lru_cache(maxsize=1)
def _by_term() -> tuple[Mapping[str, str], frozenset[str], int]:
    by_term = {term.lower(): e.id for e in entries().values() for term in e.terms}
    firsts = frozenset(t.split()[0] for t in by_term)
    return MappingProxyType(by_term), firsts, max(len(t.split()) for t in by_term)


# Words as the matcher sees them: a hyphen or dot joins ("Phase-2b", "ClinicalTrials.gov" are one
# word, so "phase" is not found inside them); a final dot is the full stop.
_WORDS = re.compile(r"[\w.-]+")


@lru_cache(maxsize=16384)
def terms_in(text: str) -> tuple[str, ...]:
    """Ids of the glossary entries whose terms occur in `text` as whole words, in order."""
    by_term, firsts, longest = _by_term()
    words = [w.rstrip(".").lower() for w in _WORDS.findall(text)]
    seen: dict[str, None] = {}
    for i, word in enumerate(words):
        if word not in firsts:
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            entry = by_term.get(" ".join(words[i : i + n]))
            if entry is not None:
                seen.setdefault(entry, None)
                break
    return tuple(seen)
