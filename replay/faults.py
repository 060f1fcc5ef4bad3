"""Deterministic fault injection for the replay server: which request gets which failure.

A fault counts the requests whose path matches its pattern (1-based, in arrival order, from when
the fault is added) and fires on the numbers listed in `on`, or on every `every`-th one, at most
`count` times. The same plan against the same request sequence always fails the same requests.

Kinds (API reference, sections 6, 7, 13 and 15):
    429            status 429; with `Retry-After: <retry_after>` when `retry_after` is set
    500, 503, 403  that status with a short text/plain body
    slow           sleep `delay` seconds (longer than the client's read timeout), then answer
    truncated      declare the full Content-Length, send half of the body, close the connection
    html200        status 200 with an HTML page (`<!DOCTYPE html>…`), as a proxy might serve
    reset          close the socket abruptly (TCP RST), no response at all
    missing_studies  status 200, JSON without the `studies` key
    bad_json       status 200, a body shaped like a page (`{"studies":[` … `}`) that is not JSON
    zip_truncated  the bulk download stops half-way (truncated, for `/studies/download`)
    extra_studies  status 200, the real page with `records` appended to its `studies`: records the
                   server cannot index (a malformed or hostile `nctId`), as a broken upstream
                   could send them (planned from code only, not from `--faults`)
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "429",
        "500",
        "503",
        "403",
        "slow",
        "truncated",
        "html200",
        "reset",
        "missing_studies",
        "bad_json",
        "zip_truncated",
        "extra_studies",
    }
)


@dataclass
class Fault:
    """One planned failure."""

    kind: str
    path: str = "/studies"
    on: frozenset[int] = frozenset()
    every: int | None = None
    count: int | None = None
    retry_after: str | None = None
    delay: float = 2.0
    records: tuple[Any, ...] = ()
    seen: int = 0
    fired: int = 0

    def matches(self, path: str) -> bool:
        """True when `path` (below `/api/v2`) is one this fault counts."""
        return fnmatch.fnmatchcase(path, self.path)

    def take(self) -> bool:
        """Count one matching request; True if this fault fires on it."""
        self.seen += 1
        if self.count is not None and self.fired >= self.count:
            return False
        hit = self.seen in self.on or (self.every is not None and self.seen % self.every == 0)
        self.fired += hit
        return hit


@dataclass
class FaultPlan:
    """The faults of one server; thread-safe, since requests arrive on many threads."""

    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        kind: str,
        *,
        on: int | list[int] | tuple[int, ...] = (),
        every: int | None = None,
        path: str | None = None,
        count: int | None = None,
        retry_after: float | str | None = None,
        delay: float = 2.0,
        records: Sequence[Any] = (),
    ) -> Fault:
        """Plan a fault.

        Args:
            kind: One of `KINDS`.
            on: Request numbers to fail (1-based, among the requests matching `path` that
                arrive after the fault is added).
            every: Fail every N-th matching request instead (or as well).
            path: A glob over the path below `/api/v2` (default `/studies`, or
                `/studies/download` for `zip_truncated`).
            count: Fire at most this many times.
            retry_after: For `429`: the `Retry-After` value (seconds or an HTTP date).
            delay: For `slow`: seconds to wait before answering.
            records: For `extra_studies`: the records to add to the page (served as given).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {sorted(KINDS)}")
        numbers = frozenset([on] if isinstance(on, int) else on)
        if not numbers and every is None:
            raise ValueError("a fault needs `on` (request numbers) or `every`")
        default_path = "/studies/download" if kind == "zip_truncated" else "/studies"
        fault = Fault(
            kind,
            path or default_path,
            numbers,
            every,
            count,
            None if retry_after is None else _retry_after_text(retry_after),
            delay,
            tuple(records),
        )
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every planned fault."""
        with self._lock:
            self.faults.clear()

    def next_for(self, path: str) -> Fault | None:
        """The fault to apply to this request, if any (every matching fault counts it)."""
        chosen: Fault | None = None
        with self._lock:
            for fault in self.faults:
                if fault.matches(path) and fault.take() and chosen is None:
                    chosen = fault
        return chosen


def _retry_after_text(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_fault_spec(spec: str) -> list[tuple[str, dict[str, Any]]]:
    """Parse the CLI's `--faults` text into (kind, keyword arguments) for `FaultPlan.add`.

    Format: faults separated by `;`, each `KIND:key=value,key=value`; `on` takes numbers
    separated by `+`. Example: `429:on=2,retry_after=1; 500:every=5,count=2; slow:on=3,delay=5`.
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        kind, _, options = item.partition(":")
        kwargs: dict[str, Any] = {}
        for option in filter(None, (o.strip() for o in options.split(","))):
            key, sep, value = option.partition("=")
            if not sep:
                raise ValueError(f"fault option {option!r} is not key=value")
            kwargs[key.strip()] = _option_value(key.strip(), value.strip())
        out.append((kind.strip(), kwargs))
    return out


def _option_value(key: str, value: str) -> Any:
    if key == "on":
        return [int(n) for n in value.split("+") if n]
    if key in {"every", "count"}:
        return int(value)
    if key == "delay":
        return float(value)
    if key in {"path", "retry_after"}:
        return value
    raise ValueError(f"unknown fault option {key!r} (on, every, count, path, retry_after, delay)")
