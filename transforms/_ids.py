"""Stable surrogate ids: AACT-style integer `id` columns derived from natural keys, never counters.

AACT analysts join on `outcome_id`, `result_group_id` and friends. Deriving each id from the row's
natural key keeps those joins working while loads stay idempotent and a rebuild stays identical.
"""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> int:
    """A positive 63-bit integer determined only by `parts` (e.g. `("NCT01234567", "outcome", 3)`)."""
    key = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") & (2**63 - 1)
