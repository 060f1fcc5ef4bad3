"""Registry ages ("18 Years", "6 Months") as a number and AACT's lowercase singular unit."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

# The spec's pattern is `^\d+ (Year|Years|Month|Months|...)$`; we also accept other letter case and
# extra spaces, since AACT's rule (first token as integer, last token lowercased and singularized)
# does too. ASCII digits only: `\d` would also take other scripts' digits.
_AGE = re.compile(r"^\s*([0-9]+)\s+([A-Za-z]+)\s*$")
UNITS = frozenset({"year", "month", "week", "day", "hour", "minute"})


class Age(NamedTuple):
    """A parsed age: both parts, or neither."""

    num: int | None
    unit: str | None


NO_AGE = Age(None, None)


def parse_age(raw: Any) -> Age:
    """`"18 Years"` -> `Age(18, "year")`; anything else (missing, `"N/A"`, `"abc"`) -> `NO_AGE`.

    AACT's calculated_values take the first token as the number and the last one, lowercased and
    singularized, as the unit. Its Ruby `to_i` turns a legacy `"N/A"` into 0; here a text that is
    not `<number> <unit>` with a known time unit gives no number and no unit rather than a guess.
    """
    if not isinstance(raw, str):
        return NO_AGE
    return _parse_age_text(raw)


@lru_cache(maxsize=1024)
def _parse_age_text(raw: str) -> Age:
    # A few hundred distinct texts ("18 Years", "65 Years", ...) cover the registry.
    match = _AGE.match(raw)
    if match is None:
        return NO_AGE
    number, word = match.groups()
    unit = word.lower().removesuffix("s")
    if unit not in UNITS:
        return NO_AGE
    return Age(int(number), unit)
