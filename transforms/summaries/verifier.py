"""The independent check that a page invents nothing (§3.7), for template and LLM text.

It reads only the page's JSON document and the record, never the planners. Per sentence:
numbers must equal a number in the fixed text or in a cited value; every other word must be in the
template lexicon, the stop words, a cited value or a cited glossary entry; every cited pointer must
resolve to the cited value; dates must match a cited date; the fixed text must be the template's;
coded templates must cite that code; and no placeholder may leak. Quotes must equal their source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from transforms.summaries import glossary
from transforms.summaries.lexicon import (
    COMMON_WORDS,
    OVERCLAIM,
    STOPWORDS,
    is_number,
    lexicon_words,
    number_value,
    numbers_in,
    phrase_words,
    tokens,
    word_forms,
)
from transforms.summaries.pointers import MISSING, resolve
from transforms.summaries.templates import MONTHS, TEMPLATES
from transforms.summaries.verifier_rules import (
    DATE_TEXT,
    DATE_VALUE,
    DIGIT,
    MONTH_WORDS,
    codes_of,
    fixed_numbers,
    fixed_word,
    flat,
    glossary_forms,
    known,
    leaks,
    quote_matches,
    template_codes,
    template_pattern,
)


@dataclass(frozen=True)
class Failure:
    """One failed check: where on the page, which check, and what was wrong."""

    where: str
    check: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    """The result of verifying one page (or one set of LLM sentences)."""

    sentences: int
    failed_sentences: int
    quotes: int
    failed_quotes: int
    numbers: int
    numbers_ok: int
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.failures


class _Checker:
    def __init__(self, record: Mapping[str, Any], meta: Mapping[str, Any], allow_llm: bool) -> None:
        self.record, self.meta, self.allow_llm = record, meta, allow_llm
        self.llm = False  # whether the sentence being checked is LLM text (stricter rules)
        self.failures: list[Failure] = []
        self.numbers = self.numbers_ok = 0

    def fail(self, where: str, check: str, detail: str) -> None:
        self.failures.append(Failure(where, check, detail))

    def citation(self, where: str, tid: str, slot: Mapping[str, Any]) -> None:
        """The cited pointer exists and holds the cited value (or that many items)."""
        ptr, value, derive = slot.get("pointer"), slot.get("value"), slot.get("derive", "")
        if ptr is None:
            param = tid.startswith("footer.") and slot.get("name") == "generated_on"
            if not (param and value == self.meta.get("generated_on")):
                self.fail(where, "citation", f"slot {slot.get('name')!r} cites no record field")
            return
        found = resolve(self.record, ptr)
        if found is MISSING:
            self.fail(where, "citation", f"{ptr} does not exist in the record")
        elif derive == "count":
            if not isinstance(found, list) or len(found) != value:
                self.fail(where, "citation", f"{ptr} does not hold {value!r} items")
        elif derive.startswith("count_distinct:"):
            key = derive.split(":", 1)[1]
            items = found if isinstance(found, list) else []
            distinct = {
                i[key].strip()
                for i in items
                if isinstance(i, Mapping) and isinstance(i.get(key), str)
            }
            if len(distinct - {""}) != value:
                self.fail(
                    where,
                    "citation",
                    f"{ptr} has {len(distinct - {''})} distinct {key}, not {value!r}",
                )
        elif derive:
            self.fail(where, "citation", f"unknown derivation {derive!r}")
        elif found != value:
            self.fail(where, "citation", f"{ptr} holds {found!r}, not {value!r}")

    def sentence(self, where: str, s: Mapping[str, Any]) -> int:
        """Run every sentence check; 1 when any failed."""
        before = len(self.failures)
        text, tid = str(s.get("text", "")), str(s.get("template_id", ""))
        self.llm = tid.startswith("llm.")
        slots = [x for x in s.get("slots", []) if isinstance(x, Mapping)]
        refs = tuple(r for r in s.get("glossary_refs", []) if r in glossary.entries())

        for slot in slots:
            self.citation(where, tid, slot)
        values: list[str] = []
        counts: list[str] = []
        for x in slots:
            value = x.get("value")
            target = counts if x.get("derive") else values
            if type(value) is str:
                target.append(value)
            else:
                target.extend(flat(value))
        for name in leaks(text, values):
            self.fail(where, "leak", f"{name}: {text!r}")
        cited = frozenset().union(*map(word_forms, values)) if values else frozenset()
        gloss = glossary_forms(refs) if refs else frozenset()
        template = self._template(where, tid)
        self._codes(where, tid, slots)
        holes = None
        if template is not None and not self.llm:
            holes = self._conforms(where, text, template, cited, gloss)
        toks = tokens(text)
        if DIGIT.search(text):  # numbers and dates need digits
            self._numbers(where, toks, template or "", values + counts)
            self._dates(where, text, values)
        # Text that follows its template has lexicon words outside the holes: only the holes (and
        # a table label) need the word check. Anything else is checked word by word.
        words = toks if holes is None else [t for h in holes for t in tokens(h)]
        label = str(s.get("label", ""))
        self._words(where, text, tokens(label) + words if label else words, cited, gloss)
        return int(len(self.failures) > before)

    def _template(self, where: str, tid: str) -> str | None:
        if tid.startswith("glossary."):
            entry = glossary.entries().get(tid.split(".", 1)[1])
            if entry is not None:
                return entry.definition
        elif tid in ("llm.headline", "llm.lede") and self.allow_llm:
            return ""
        elif tid in TEMPLATES:
            return TEMPLATES[tid]
        self.fail(where, "template", f"unknown template {tid!r}")
        return None

    def _codes(self, where: str, tid: str, slots: Sequence[Mapping[str, Any]]) -> None:
        codes = template_codes(tid)
        if not codes:
            return
        cited = set().union(*(codes_of(x.get("value")) for x in slots))
        for code in codes:
            if code not in cited:
                self.fail(where, "code", f"template {tid!r} cites no field with value {code}")

    def _conforms(
        self, where: str, text: str, template: str, cited: Set[str], gloss: frozenset[str]
    ) -> list[str] | None:
        """The texts filling the template's holes, or None when the text does not follow it."""
        if "{" not in template:  # fixed text: it must be exactly the template
            if text == template:
                return []
            self.fail(where, "template", f"text does not follow its template: {text!r}")
            return None
        match = template_pattern(template).fullmatch(text)
        if match is None:
            self.fail(where, "template", f"text does not follow its template: {text!r}")
            return None
        holes = list(match.groups())
        for hole in holes:
            extra = [
                t
                for t in tokens(hole)
                if not is_number(t)
                and not known(t, phrase_words(), STOPWORDS, MONTH_WORDS, cited, gloss)
            ]
            if extra:
                self.fail(where, "template", f"filled hole has words from nowhere: {extra}")
        return holes

    def _numbers(self, where: str, toks: Sequence[str], fixed: str, values: Sequence[str]) -> None:
        numbers = [t for t in toks if is_number(t)]
        if not numbers:
            return
        allowed = set(fixed_numbers(fixed)).union(*(numbers_in(v) for v in values))
        for token in numbers:
            self.numbers += 1
            if number_value(token) in allowed:
                self.numbers_ok += 1
            else:
                self.fail(where, "number", f"{token} is in no cited value or fixed text")

    def _dates(self, where: str, text: str, values: Sequence[str]) -> None:
        if not DATE_TEXT.search(text):
            return
        cited = [m.groups() for v in values if (m := DATE_VALUE.match(v))]
        for month, day, year in DATE_TEXT.findall(text):
            mm = f"{MONTHS.index(month) + 1:02d}"
            if not any(
                y == year and m == mm and (not day or (d and int(d) == int(day)))
                for y, m, d in cited
            ):
                self.fail(
                    where,
                    "date",
                    " ".join(p for p in (month, day, year) if p) + " matches no cited date",
                )

    def _words(
        self, where: str, text: str, toks: Sequence[str], cited: Set[str], gloss: frozenset[str]
    ) -> None:
        """Words of `toks` are allowed; promotional words of `text` come only from cited values."""
        for n, token in enumerate(toks):
            if is_number(token):
                continue
            # Codes ("AS2-1") and, in LLM text, capitalised words (names) come from cited values.
            if DIGIT.search(token) or (self.llm and n > 0 and token[:1].isupper()):
                ok = known(token, cited)
            else:
                common = COMMON_WORDS if self.llm else frozenset()
                ok = fixed_word(token, self.llm) or known(token, cited, gloss)
                ok = ok or known(token, lexicon_words(), STOPWORDS, cited, gloss, common)
            if not ok:
                self.fail(
                    where, "word", f"{token!r} is in no cited value, template or glossary entry"
                )
        for match in OVERCLAIM.finditer(text):
            if self.llm or not known(match.group(0), cited):
                self.fail(where, "claim", f"promotional or efficacy word {match.group(0)!r}")

    def quote(self, where: str, q: Mapping[str, Any]) -> int:
        """A verbatim quote equals (or is part of) the text at its pointer; 1 when it does not."""
        before = len(self.failures)
        text, ptr, mode = str(q.get("text", "")), str(q.get("pointer", "")), q.get("mode")
        found = resolve(self.record, ptr)
        if not text.strip():
            self.fail(where, "leak", "empty quote")
        elif not isinstance(found, str):
            self.fail(where, "citation", f"{ptr} holds no text")
        elif not quote_matches(text, found, mode):
            self.fail(where, "quote", f"quote ({mode}) differs from {ptr}")
        for n, child in enumerate(q.get("children", [])):
            self.quote(f"{where}.children[{n}]", child)
        return int(len(self.failures) > before)


def _walk(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key in ("headline", "lede", "official_title"):
        if isinstance(doc.get(key), Mapping):
            yield key, doc[key]
    for n, s in enumerate(doc.get("lede_notes", [])):
        yield f"lede_notes[{n}]", s
    for section in doc.get("sections", []):
        for j, part in enumerate(section.get("parts", [])):
            for k, item in enumerate(part.get("items", [])):
                yield f"{section.get('key')}.parts[{j}].items[{k}]", item
    for n, s in enumerate(doc.get("footer", [])):
        yield f"footer[{n}]", s


def _verdict(checker: _Checker, items: Sequence[tuple[str, Mapping[str, Any]]]) -> Verdict:
    counts = {"sentence": [0, 0], "quote": [0, 0]}
    for where, item in items:
        kind = "quote" if item.get("type") == "quote" else "sentence"
        failed = checker.quote(where, item) if kind == "quote" else checker.sentence(where, item)
        counts[kind][0] += 1
        counts[kind][1] += failed
    return Verdict(
        counts["sentence"][0],
        counts["sentence"][1],
        counts["quote"][0],
        counts["quote"][1],
        checker.numbers,
        checker.numbers_ok,
        tuple(checker.failures),
    )


def verify_document(doc: Mapping[str, Any], record: Mapping[str, Any]) -> Verdict:
    """Verify every sentence and quote of a page document against the record it came from.

    LLM sentences are accepted only on a page whose meta says an LLM wrote its headline and lede.
    """
    meta = doc.get("meta", {})
    allow_llm = str(meta.get("generated_by", "")).startswith("llm:")
    return _verdict(_Checker(record, meta, allow_llm=allow_llm), list(_walk(doc)))


def verify_sentences(
    sentences: Sequence[Mapping[str, Any]], record: Mapping[str, Any], *, llm: bool = False
) -> Verdict:
    """Verify loose sentences; `llm=True` accepts `llm.headline`/`llm.lede` under the LLM rules."""
    items = [(f"sentences[{n}]", s) for n, s in enumerate(sentences)]
    return _verdict(_Checker(record, {}, allow_llm=llm), items)
