"""Column helpers for building tables from Arrow arrays: ranges, repeats, reorders, per-value rules.

Split from `transforms.batch` (which keeps `Level`, the batch conversion and `table_of`): these
work on plain arrays and know nothing of the record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def constant(value: Any, length: int, arrow_type: pa.DataType | None = None) -> pa.Array:
    """`value` repeated `length` times (of `arrow_type`, or the type Arrow infers for it)."""
    return pa.repeat(pa.scalar(value, arrow_type), length)


def taken(parts: Sequence[pa.Array], indices: pa.Array) -> pa.Array:
    """`pa.concat_arrays(parts).take(indices)`, each row copied once, straight from its part.

    Stacked tables reorder long texts (outcome descriptions): concatenating first copied them
    twice.
    """
    rows = pa.chunked_array(parts).take(indices)
    return rows.chunk(0) if rows.num_chunks == 1 else rows.combine_chunks()


def positions(keys: pa.Array) -> pa.Array:
    """Each row's position in its run of equal consecutive `keys` (0, 1, ... again at each change).

    With `keys` the study of rows in study order, this is each row's position in its study.
    """
    n = len(keys)
    if n == 0:
        return pa.array([], pa.int32())
    starts = pa.concat_arrays([pa.array([True]), pc.not_equal(keys[1:], keys[:-1])])
    row = arange(n)
    run = pc.subtract(pc.cumulative_sum(starts.cast(pa.int64())), 1)
    return pc.subtract(row, row.filter(starts).take(run))


def arange(n: int, start: int = 0) -> pa.Array:
    """start, start+1, ... as int32 (row positions, like list offsets), as a zero-copy slice.

    Every unnested list needs one (~90 per batch); building each took four kernel calls, so one
    counting array is kept and grown as needed.
    """
    counting = _COUNTING[0]
    if start + n > len(counting):
        counting = _COUNTING[0] = _counting(max(start + n, 2 * len(counting)))
    return counting.slice(start, n)


def _counting(n: int) -> pa.Array:
    """0, 1, ..., n - 1 as int32, built in C++ (there is no arange kernel)."""
    ones = pa.nulls(n, pa.int32()).fill_null(pa.scalar(1, pa.int32()))
    return pc.subtract(pc.cumulative_sum(ones), pa.scalar(1, pa.int32()))


# Read and replaced whole (never changed in place), so a batch in another thread is unaffected.
_COUNTING = [_counting(1 << 16)]


def per_value(
    fn: Callable[[Any], tuple[Any, ...]], values: pa.Array, types: Sequence[pa.DataType]
) -> tuple[pa.Array, ...]:
    """`fn` applied to each value, one output array per element of its result tuple.

    `fn` runs once per distinct value (null included): registry columns repeat a few values
    (dates, units, roles) many times, and a plain-Python parser stays the one definition.
    """
    encoded = values.dictionary_encode()
    distinct = [*encoded.dictionary.to_pylist(), None]
    indices = encoded.indices.fill_null(len(distinct) - 1)
    results = [fn(v) for v in distinct]
    return tuple(
        pa.array([r[k] for r in results], type=t).take(indices) for k, t in enumerate(types)
    )


def per_value_across(
    fn: Callable[[Any], tuple[Any, ...]],
    arrays: Sequence[pa.Array],
    types: Sequence[pa.DataType],
) -> list[tuple[pa.Array, ...]]:
    """`per_value` over several equally long arrays in one call, split back: a tuple per array.

    Each `per_value` call has a fixed cost larger than a short column's values (a study's dates),
    and the same value repeated across the columns is computed once.
    """
    n = len(arrays[0])
    results = per_value(fn, pa.concat_arrays(arrays), types)
    return [tuple(out.slice(i * n, n) for out in results) for i in range(len(arrays))]


def mapped(fn: Callable[[Any], Any], values: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """`fn` applied to each value (once per distinct value), as an array of `arrow_type`."""
    (out,) = per_value(lambda v: (fn(v),), values, (arrow_type,))
    return out
