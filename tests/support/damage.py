"""Random damage to real records, for the property tests that transforms never raise."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import strategies as st

Record = dict[str, Any]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def node_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += node_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += node_paths(child, (*prefix, index))
    return found


def mutate(record: Record, data: st.DataObject) -> Record:
    """A copy of `record` with a few nodes removed or replaced by random JSON, or keys added."""
    record = orjson.loads(orjson.dumps(record))
    for _ in range(data.draw(st.integers(1, 4))):
        paths = node_paths(record)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        path = path[: data.draw(st.integers(1, len(path)))]  # cut short: modules get hit often
        parent: Any = record
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["remove", "replace", "add-key"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(JSON)
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=6))] = data.draw(JSON)
    return record


# What a damaged node becomes: junk of every JSON shape, or DELETE (removed; null inside a list).
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just({})), max_size=3),
    st.dictionaries(
        st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=3
    ),
)
DELETE = object()
Edit = tuple[tuple[Any, ...], Any]


def edits(paths: list[tuple[Any, ...]], junk: st.SearchStrategy[Any] = JUNK) -> st.SearchStrategy:
    """Up to six (path, junk or DELETE) edits at the given paths, for `with_edits`."""
    return st.lists(st.tuples(st.sampled_from(paths), st.one_of(st.just(DELETE), junk)), max_size=6)


def with_edits(record: Record, changes: list[Edit]) -> Record:
    """A copy of `record` with each edit applied in turn; an edit whose path an earlier one
    removed is skipped."""
    damaged: Record = orjson.loads(orjson.dumps(record))
    for path, junk in changes:
        parent: Any = damaged
        for key in path[:-1]:
            parent = parent[key] if _has(parent, key) else None
        if not _has(parent, path[-1]):
            continue
        if junk is DELETE and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = None if junk is DELETE else junk
    return damaged


def _has(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and key < len(container)
