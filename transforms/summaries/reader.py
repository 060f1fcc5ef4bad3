"""Typed reads of a study record: every value comes back with the JSON Pointer it was read from.

Missing keys, wrong types and placeholder text ("None Selected") read as absent, so nothing
downstream ever sees a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeGuard, TypeVar

from transforms.summaries.pointers import pointer

T = TypeVar("T")
# Free-text values that mean "no value" ("None Selected" is a real `locations[].state`).
_PLACEHOLDER = re.compile(
    r"(?:none(?: selected)?|n/?a|null|nil|nan|undefined|unknown|not applicable|not specified"
    r"|-+|\.+|\?+|9{8})",
    re.IGNORECASE,
)


def present(value: Any) -> TypeGuard[str]:
    """True for a non-empty string that is not a placeholder such as "None Selected"."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    # Placeholders are short; longer text never is one (most values take this path).
    return bool(text) and (len(text) > 14 or not _PLACEHOLDER.fullmatch(text))


@dataclass(frozen=True)
class Fact(Generic[T]):
    """A typed record value and the pointer it came from."""

    value: T
    pointer: str


class Reader:
    """Typed reads of one record; every read names its path, so the pointer is always right."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record

    def raw(self, *keys: str | int) -> Any:
        """The value at the path, or None (missing or not of the container type the path needs)."""
        cur: Any = self.record
        for key in keys:
            if isinstance(key, int):
                cur = cur[key] if type(cur) is list and key < len(cur) else None
            else:
                cur = cur.get(key) if isinstance(cur, dict) else None
            if cur is None:
                return None
        return cur

    def text(self, *keys: str | int) -> Fact[str] | None:
        """Non-placeholder text."""
        value = self.raw(*keys)
        return Fact(value, pointer(*keys)) if present(value) else None

    def enum(self, *keys: str | int) -> Fact[str] | None:
        """A registry code such as `PHASE2` (letters, digits, underscores)."""
        value = self.raw(*keys)
        ok = isinstance(value, str) and value.replace("_", "").isalnum()
        return Fact(value, pointer(*keys)) if ok else None

    def boolean(self, *keys: str | int) -> Fact[bool] | None:
        """A JSON boolean."""
        value = self.raw(*keys)
        return Fact(value, pointer(*keys)) if isinstance(value, bool) else None

    def integer(self, *keys: str | int) -> Fact[int] | None:
        """A JSON integer (not a boolean)."""
        value = self.raw(*keys)
        ok = isinstance(value, int) and not isinstance(value, bool)
        return Fact(value, pointer(*keys)) if ok else None

    def items(self, *keys: str | int) -> list[int]:
        """Positions of the object items of the list at the path."""
        value = self.raw(*keys)
        return (
            [i for i, v in enumerate(value) if isinstance(v, Mapping)]
            if isinstance(value, list)
            else []
        )

    def texts(self, *keys: str | int) -> tuple[Fact[str], ...]:
        """The text items of the list at the path (positions kept in their pointers)."""
        value = self.raw(*keys)
        if not isinstance(value, list):
            return ()
        return tuple(f for i in range(len(value)) if (f := self.text(*keys, i)) is not None)

    def enums(self, *keys: str | int) -> tuple[Fact[str], ...]:
        """The code items of the list at the path."""
        value = self.raw(*keys)
        if not isinstance(value, list):
            return ()
        return tuple(f for i in range(len(value)) if (f := self.enum(*keys, i)) is not None)

    def list_len(self, *keys: str | int) -> Fact[int] | None:
        """How many items the (non-empty) list at the path has, cited by the list's pointer."""
        value = self.raw(*keys)
        return Fact(len(value), pointer(*keys)) if isinstance(value, list) and value else None
