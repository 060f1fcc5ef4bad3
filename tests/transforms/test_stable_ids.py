"""transforms/_ids.py: the stable id recipe; `stable_ids` gives the same ids for whole columns."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms._ids import stable_id, stable_ids

# Every kind of value a key part takes: table names, NCT ids, positions, codes, AACT's None.
_PARTS = st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False))


def _reference_recipe(*parts: Any) -> int:
    """The recipe as first written: every id already in a warehouse was computed this way."""
    joined = "\x1f".join(map(str, parts))
    return xxhash.xxh3_64_intdigest(joined.encode()) & (2**63 - 1)


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(("facilities", "NCT04267848", 180), id="facility"),  # the common shape
        pytest.param(("result_groups", "NCT02513394", "Outcome", 3, "OG000"), id="group-code"),
        pytest.param(("result_groups", "NCT02513394", "Baseline", -1, None, 2), id="none-part"),
        pytest.param(("responsible_parties", "NCT00000001"), id="two-parts"),
        pytest.param((), id="no-parts"),
        pytest.param(tuple(range(12)), id="more-parts-than-formats"),  # takes the join path
        pytest.param(("x", True, 2.5, "é≤", 10**30), id="odd-types"),  # str() of each
    ],
)
def test_stable_id_keeps_the_recipe(parts: tuple[Any, ...]) -> None:
    assert stable_id(*parts) == _reference_recipe(*parts)


@given(st.lists(_PARTS, max_size=10))
def test_stable_id_keeps_the_recipe_for_any_parts(parts: list[Any]) -> None:
    assert stable_id(*parts) == _reference_recipe(*parts)


def test_ids_are_positive_63_bit() -> None:
    ids = [stable_id("facilities", "NCT04267848", i) for i in range(1000)]
    assert all(0 <= i < 2**63 for i in ids)
    assert len(set(ids)) == 1000


_PART = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.floats()


@settings(max_examples=200, deadline=None)
@given(
    constant=st.text(max_size=8),
    texts=st.lists(st.none() | st.text(max_size=12), min_size=1, max_size=20),
    data=st.data(),
)
def test_stable_ids_equal_stable_id_row_by_row(
    constant: str, texts: list[str | None], data: st.DataObject
) -> None:
    n = len(texts)
    numbers = data.draw(st.lists(st.none() | st.integers(0, 10**6), min_size=n, max_size=n))
    mixed = data.draw(st.lists(_PART, min_size=n, max_size=n))
    got = stable_ids(constant, pa.array(texts, pa.string()), pa.array(numbers, pa.int32()), mixed)
    assert got.type == pa.int64()
    assert got.to_pylist() == [
        stable_id(constant, *row) for row in zip(texts, numbers, mixed, strict=True)
    ]
