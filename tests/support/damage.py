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
