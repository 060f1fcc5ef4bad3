"""A small subset of the Essie search expression language, enough for the replay server.

Supported (API reference, section 3.2): `AND`, `OR`, `NOT` (and juxtaposition as AND), parentheses,
`AREA[Piece]RANGE[a,b]` (inclusive, `MIN`/`MAX`, dates as `yyyy-MM-dd` or `MM/dd/yyyy`, numbers),
`AREA[Piece]MISSING`, `AREA[Piece]word` and `AREA[Piece]"phrase"`, and bare words or phrases.

Text matching is an approximation, documented here because full Essie search (stemming, MeSH
expansion, synonyms, scoring) cannot be reproduced offline: a word or phrase matches when it occurs
case-insensitively as whole words in one of the area's values. A partial date (`2024-05`) compares
as the first day of its period. Anything else gives a 400 naming the unsupported construct.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from replay.pieces import Piece, PieceIndex, values_at

Study = Mapping[str, Any]
Predicate = Callable[[Study], bool]
# Reads the text values a bare word is matched against (the search area of the parameter).
AreaText = Callable[[Study], Sequence[str]]


class ExpressionError(ValueError):
    """An expression the replay server cannot evaluate; the message is the 400 body."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\()|(?P<rp>\))
        |(?P<unsupported>(?:SEARCH|EXPANSION|COVERAGE|TILT|DISTANCE)\[)
        |AREA\[(?P<area>[^\]\[]*)\]
        |RANGE\[(?P<range>[^\]\[]*)\]
        |"(?P<phrase>[^"]*)"
        |(?P<word>[^\s()"\[\]]+)
        |(?P<bad>\S)
    )""",
    re.VERBOSE,
)
_OPERATORS = {"AND", "OR", "NOT"}


def _tokenize(text: str, where: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None or match.lastgroup == "bad":
            raise ExpressionError(
                f"Error parsing query in {where}: no viable alternative at input "
                f"'{text[pos:].strip()[:20]}'"
            )
        kind = match.lastgroup
        if kind == "unsupported":
            raise ExpressionError(
                f"the replay server does not support the {match.group(kind)}...] operator "
                f"(in {where})"
            )
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over the token list; builds a predicate closure."""

    def __init__(self, text: str, index: PieceIndex, area: AreaText, where: str) -> None:
        self.tokens = _tokenize(text, where)
        self.pos = 0
        self.index = index
        self.area = area
        self.where = where

    def parse(self) -> Predicate:
        if not self.tokens:
            raise ExpressionError(f"Error parsing query in {self.where}: empty expression")
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise self._error()
        return predicate

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _error(self) -> ExpressionError:
        tok = self._peek()
        near = tok[1] if tok else "<EOF>"
        return ExpressionError(f"Error parsing query in {self.where}: mismatched input '{near}'")

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek() == ("word", "OR"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda s: any(p(s) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._not()]
        while (tok := self._peek()) is not None and tok not in {("rp", ")"), ("word", "OR")}:
            if tok == ("word", "AND"):
                self.pos += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda s: all(p(s) for p in parts))

    def _not(self) -> Predicate:
        if self._peek() == ("word", "NOT"):
            self.pos += 1
            inner = self._not()
            return lambda s: not inner(s)
        return self._primary()

    def _primary(self) -> Predicate:
        tok = self._peek()
        if tok is None:
            raise self._error()
        kind, value = tok
        self.pos += 1
        if kind == "lp":
            inner = self._or()
            if self._peek() != ("rp", ")"):
                raise self._error()
            self.pos += 1
            return inner
        if kind == "area":
            return self._area(value)
        if kind == "word" and value == "ALL":
            return lambda s: True
        if kind in {"word", "phrase"} and value not in _OPERATORS:
            return _text_predicate(value, self.area)
        self.pos -= 1
        raise self._error()

    def _area(self, name: str) -> Predicate:
        piece = self.index.get(name)
        if piece is None:
            raise ExpressionError(
                f"Error parsing query in {self.where}: Unknown area name: `{name.strip()}`"
            )
        tok = self._peek()
        if tok is None:
            raise self._error()
        kind, value = tok
        self.pos += 1
        if kind == "range":
            return _range_predicate(piece, value, self.where)
        if kind == "word" and value == "MISSING":
            return lambda s: not values_at(s, piece.path)
        if kind in {"word", "phrase"} and value not in _OPERATORS:
            return _text_predicate(value, _piece_text(piece))
        raise ExpressionError(
            f"the replay server does not support this expression in {self.where} after "
            f"AREA[{name}]: only RANGE[a,b], MISSING, a word or a quoted phrase"
        )


def _piece_text(piece: Piece) -> AreaText:
    return lambda s: [str(v) for v in values_at(s, piece.path)]


def _text_predicate(term: str, area: AreaText) -> Predicate:
    words = term.split()
    if not words:
        return lambda s: True
    pattern = re.compile(
        r"(?<![\w])" + r"\W+".join(re.escape(w) for w in words) + r"(?![\w])", re.IGNORECASE
    )
    return lambda s: any(pattern.search(text) for text in area(s))


def parse_date_literal(text: str) -> date:
    """`yyyy-MM-dd`, `yyyy-MM`, `yyyy` or `MM/dd/yyyy` → the first day of that period."""
    text = text.strip()
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if us:
        return date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
    iso = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2) or 1), int(iso.group(3) or 1))
    raise ValueError(text)


def _bound(text: str, piece: Piece, where: str) -> Any:
    text = text.strip()
    if text.upper() in {"MIN", "MAX"}:
        return None
    try:
        return parse_date_literal(text) if piece.is_date else float(text)
    except ValueError:
        raise ExpressionError(
            f"Error parsing query in {where}: cannot read `{text}` as a "
            f"{'date' if piece.is_date else 'number'} for AREA[{piece.name}]"
        ) from None


def _range_predicate(piece: Piece, body: str, where: str) -> Predicate:
    if not (piece.is_date or piece.is_numeric):
        raise ExpressionError(
            f"the replay server supports RANGE only on date and numeric fields, "
            f"not on AREA[{piece.name}] ({where})"
        )
    parts = body.split(",")
    if len(parts) != 2:
        raise ExpressionError(f"Error parsing query in {where}: RANGE needs two bounds")
    low, high = (_bound(p, piece, where) for p in parts)
    convert = comparable_value(piece)

    def matches(study: Study) -> bool:
        # RANGE never matches a record without a value (API reference, section 3.2).
        for raw in values_at(study, piece.path):
            value = convert(raw)
            if value is None:
                continue
            if (low is None or value >= low) and (high is None or value <= high):
                return True
        return False

    return matches


def comparable_value(piece: Piece) -> Callable[[Any], Any]:
    """A converter from a raw record value to a comparable one (date, float), None if unreadable."""

    def convert(raw: Any) -> Any:
        try:
            if piece.is_date:
                return parse_date_literal(str(raw)[:10])
            return float(raw)
        except (TypeError, ValueError):
            return None

    return convert


def compile_expression(text: str, index: PieceIndex, area: AreaText, where: str) -> Predicate:
    """Compile an Essie expression into a predicate over study records.

    Args:
        text: The expression as sent by the client.
        index: Resolves `AREA[...]` names.
        area: Supplies the texts that bare words are matched against.
        where: Names the parameter in error messages (for example `advanced filter`).
    """
    return _Parser(text, index, area, where).parse()
