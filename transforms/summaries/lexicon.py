"""The words a summary may use without citing a record value, and the one tokenizer.

Allowed without citation: every word of every fixed string, a stop-word list, and (for LLM text
only) a list of everyday words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.summaries.templates import HEADINGS, LABELS, MONTHS, PHRASES, TEMPLATES

# A token is a run of letters/digits, possibly joined by - ' ’ . / @ (so "look-alike", "HbA1c",
# "COVID-19", "x@y.org" and "1,200" stay whole).
TOKEN = re.compile(r"\w+(?:[-'’./@,:]\w+)*", re.UNICODE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SPLIT = re.compile(r"[-'’./@,:_]+")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can cannot could did do does doing down during
    each few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours yourself yourselves s t don may might must shall us per via
    """.split()  # noqa: SIM905 - a word list reads best as text
)

# Everyday words an LLM rewrite may use on top of the template lexicon. Deliberately no body
# parts, populations, diseases, drugs or amounts: those must come from the cited fields.
COMMON_WORDS = frozenset(
    """
    able about across add added adds affect affects after again against ago aim aims allow
    allows along already also among amount another answer ask asked asking asks away back
    based become becomes begin begins better between big bigger both bring brings called can
    cannot care cared cares case cases cause causes change changed changes changing check
    checked checking checks choice choose chosen come comes common compare compared compares
    comparing control could daily day days decide different do does doing done during each
    early easier easy effect effects either end ends enough even every example extra fact
    facts far feel feeling feels few find finding finds first follow followed following
    follows found from full get gets getting give given gives giving go goes going good got
    great group groups half happen happens health help helped helping helps high how idea if
    improve improves include includes including information instead joins keep keeps kind
    kinds know known large larger last later learn learning learns least less level levels
    life like likely little live lives long longer look looked looking looks lot low lower
    lowers main make makes making many matter may mean means measure measured measures might
    more most much need needed needs new next normal often old one only open order other
    others over own part parts people person place plan planned plans possible problem
    problems process program put quality question questions rate reach ready real reason
    reduce reduced reduces related result results right risk risks role run same see seen
    set several short should show shown shows side sign signs simple since small some
    something soon start started starts state stay step steps still stop stopped study
    studied studies studying such sure take taken takes taking team test tested testing
    tests than that then these thing things those time times together toward treat treated
    treating treatment treatments try trying two type types under understand until use used
    uses using usual very want way ways well what when whether which while who whole why
    will with within without work working works year years yet
    """.split()  # noqa: SIM905 - a word list reads best as text
)

# Promotional or efficacy words no page may add (GLSP and CISCRP: non-promotional text).
OVERCLAIM = re.compile(
    r"\b(?:cures?|cured|curing|safe|safer|safest|effective|proven|guaranteed?|breakthrough"
    r"|best|miracle|will\s+(?:help|work))\b",
    re.IGNORECASE,
)


def tokens(text: str) -> list[str]:
    """The tokens of `text` (words, numbers and codes), in order."""
    return TOKEN.findall(text)


def is_number(token: str) -> bool:
    """True for a plain number token such as `18`, `1,200` or `2.5`."""
    return NUMBER.fullmatch(token) is not None


def number_value(token: str) -> str:
    """A number token in canonical form: "1,200" → "1200", "03" → "3", "2.50" → "2.5"."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        token = token.replace(",", "")
    if token.isdigit():
        return str(int(token))
    if re.fullmatch(r"\d+\.\d+", token):
        return repr(float(token))
    return token  # dotted codes such as "1.2.3" compare as written


@lru_cache(maxsize=65536)
def numbers_in(text: str) -> frozenset[str]:
    """Every number that occurs in `text`, normalised."""
    return frozenset(number_value(n) for n in NUMBER.findall(text))


@lru_cache(maxsize=65536)
def word_forms(text: str) -> frozenset[str]:
    """Lower-cased tokens of `text` plus their parts split at joining characters."""
    out: set[str] = set()
    for token in tokens(text):
        low = token.lower()
        out.add(low)
        out.update(p for p in SPLIT.split(low) if p)
    return frozenset(out)


def fixed_text(template: str) -> str:
    """A template's fixed words (its `{slot}` holes removed)."""
    return _PLACEHOLDER.sub(" ", template)


@lru_cache(maxsize=1)
def lexicon_words() -> frozenset[str]:
    """Every word form of every fixed string: templates, headings, labels, phrases, months."""
    texts = [fixed_text(t) for t in TEMPLATES.values()]
    texts += list(HEADINGS.values()) + list(LABELS.values()) + list(PHRASES.values()) + list(MONTHS)
    words: set[str] = set()
    for text in texts:
        words |= word_forms(text)
    return frozenset(w for w in words if not is_number(w))


@lru_cache(maxsize=1)
def phrase_words() -> frozenset[str]:
    """Word forms of the fragments that may fill a joined slot (list glue, roles, age groups)."""
    words: set[str] = set()
    for text in PHRASES.values():
        words |= word_forms(text)
    return frozenset(words)
