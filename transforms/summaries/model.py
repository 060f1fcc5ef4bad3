"""The page model: sentences with provenance, verbatim quotes, parts, sections and the page itself.

Every piece of generated text is a `Sentence` that names its template and the record values it
uses (`Slot`, each with the JSON Pointer it came from). Registry text shown as written is a `Quote`.
The verifier and the renderers read only these objects (or their JSON form, `document()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

QuoteMode = Literal["exact", "unescaped", "substring"]
SentenceKind = Literal["prose", "cell", "title", "footer"]
PartKind = Literal["paragraph", "bullets", "steps", "table", "quotes", "criteria", "pre"]


@dataclass(frozen=True)
class Slot:
    """One record value used by a sentence.

    `value` equals the value at `pointer` in the record (or, with `derive="count"`, the length of
    the list there); `text` is how the value reads in the sentence. A slot without a pointer is a
    generation parameter (the generation date), allowed only in the footer.
    """

    name: str
    value: Any
    pointer: str | None
    text: str = ""
    derive: str = ""


@dataclass(frozen=True)
class Sentence:
    """One generated sentence (or table cell) and where every value in it came from."""

    text: str
    template_id: str
    slots: tuple[Slot, ...] = ()
    glossary_refs: tuple[str, ...] = ()
    kind: SentenceKind = "prose"
    label: str = ""


@dataclass(frozen=True)
class Quote:
    """Registry text shown as written (criteria items, the sponsor's summary, outcome measures).

    `mode` says how the verifier compares it with the value at `pointer`: equal (`exact`), equal
    after removing markdown escapes (`unescaped`), or a part of it (`substring`, criteria items).
    """

    text: str
    pointer: str
    mode: QuoteMode = "exact"
    children: tuple[Quote, ...] = ()
    label: str = ""
    is_heading: bool = False


Item = Sentence | Quote


@dataclass(frozen=True)
class Part:
    """A block inside a section: a paragraph, a list, a table, quotes or preformatted text."""

    kind: PartKind
    items: tuple[Item, ...]
    title: str = ""


@dataclass(frozen=True)
class Section:
    """One page section, e.g. `facts` ("Quick facts")."""

    key: str
    heading: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Page:
    """A whole summary page before rendering."""

    nct_id: str
    headline: Sentence
    lede: Sentence | None
    official_title: Quote | None
    sections: tuple[Section, ...]
    footer: tuple[Sentence, ...]
    lede_notes: tuple[Sentence, ...] = ()  # definitions of glossary terms the lede uses
    meta: dict[str, Any] = field(default_factory=dict)

    def sentences(self) -> list[Sentence]:
        """Every sentence in page order (headline, lede and its notes, sections, footer)."""
        out = [self.headline] + ([self.lede] if self.lede else []) + list(self.lede_notes)
        for section in self.sections:
            for part in section.parts:
                out.extend(i for i in part.items if isinstance(i, Sentence))
        return out + list(self.footer)

    def quotes(self) -> list[Quote]:
        """Every verbatim quote in page order (children after their parent)."""
        out: list[Quote] = [self.official_title] if self.official_title else []
        for section in self.sections:
            for part in section.parts:
                for item in part.items:
                    if isinstance(item, Quote):
                        out.extend(_flatten(item))
        return out


def _flatten(quote: Quote) -> list[Quote]:
    out = [quote]
    for child in quote.children:
        out.extend(_flatten(child))
    return out


def slot_json(slot: Slot) -> dict[str, Any]:
    """A slot as JSON-ready data."""
    out: dict[str, Any] = {"name": slot.name, "value": slot.value, "pointer": slot.pointer}
    if slot.text:
        out["text"] = slot.text
    if slot.derive:
        out["derive"] = slot.derive
    return out


def sentence_json(sentence: Sentence) -> dict[str, Any]:
    """A sentence with its provenance as JSON-ready data."""
    out: dict[str, Any] = {
        "type": "sentence",
        "text": sentence.text,
        "template_id": sentence.template_id,
        "kind": sentence.kind,
        "slots": [slot_json(s) for s in sentence.slots],
    }
    if sentence.glossary_refs:
        out["glossary_refs"] = list(sentence.glossary_refs)
    if sentence.label:
        out["label"] = sentence.label
    return out


def quote_json(quote: Quote) -> dict[str, Any]:
    """A verbatim quote as JSON-ready data."""
    out: dict[str, Any] = {
        "type": "quote",
        "text": quote.text,
        "pointer": quote.pointer,
        "mode": quote.mode,
    }
    if quote.label:
        out["label"] = quote.label
    if quote.is_heading:
        out["is_heading"] = True
    if quote.children:
        out["children"] = [quote_json(c) for c in quote.children]
    return out


def item_json(item: Item) -> dict[str, Any]:
    """A part item as JSON-ready data."""
    return sentence_json(item) if isinstance(item, Sentence) else quote_json(item)


def sections_json(page: Page) -> list[dict[str, Any]]:
    """The sections with every sentence's provenance (the `sections` column)."""
    return [
        {
            "key": s.key,
            "heading": s.heading,
            "parts": [
                {"kind": p.kind, "title": p.title, "items": [item_json(i) for i in p.items]}
                for p in s.parts
            ],
        }
        for s in page.sections
    ]


def document(page: Page) -> dict[str, Any]:
    """The whole page as one JSON document: text plus provenance, the input of the verifier."""
    return {
        "nct_id": page.nct_id,
        "headline": sentence_json(page.headline),
        "lede": sentence_json(page.lede) if page.lede else None,
        "lede_notes": [sentence_json(s) for s in page.lede_notes],
        "official_title": quote_json(page.official_title) if page.official_title else None,
        "sections": sections_json(page),
        "footer": [sentence_json(s) for s in page.footer],
        "meta": page.meta,
    }
