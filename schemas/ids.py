"""NCT ids: the one place that decides what a valid id is, before it reaches a path or query."""

from __future__ import annotations

import re

# The API's own pattern (OAS 2.0.5): case-insensitive prefix, optional leading zeros.
# ASCII-only and matched with fullmatch: `\d` would accept any Unicode digit, `$` a final newline.
_API_PATTERN = re.compile(r"[Nn][Cc][Tt]0*[1-9][0-9]{0,7}", re.ASCII)
_CANONICAL = re.compile(r"NCT[0-9]{8}", re.ASCII)


class InvalidNctId(ValueError):
    """An NCT id that the registry could never have issued."""


def normalize_nct_id(value: str) -> str:
    """Return the canonical form `NCT` + 8 digits, or raise `InvalidNctId`.

    Accepts what the API accepts (`nct123`, `NCT0001234`), so users may paste either form.
    """
    if not isinstance(value, str) or not _API_PATTERN.fullmatch(value.strip()):
        raise InvalidNctId(f"not a valid NCT id: {value!r} (expected NCT followed by 8 digits)")
    digits = value.strip()[3:].lstrip("0")
    if len(digits) > 8:
        raise InvalidNctId(f"not a valid NCT id: {value!r} (more than 8 digits)")
    return f"NCT{int(digits):08d}"


def is_canonical_nct_id(value: object) -> bool:
    """True for exactly `NCT` + 8 digits, the form every stored record uses."""
    return isinstance(value, str) and bool(_CANONICAL.fullmatch(value))


def parse_nct_id_list(text: str) -> list[str]:
    """Split a comma-, pipe- or space-separated list and normalize each id (order kept, deduped)."""
    seen: dict[str, None] = {}
    for part in re.split(r"[,|\s]+", text.strip()):
        if part:
            seen[normalize_nct_id(part)] = None
    return list(seen)
