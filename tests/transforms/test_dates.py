"""transforms/_dates.py: the Arrow column parsers give what the per-text parsers give."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms._dates import full_dates, parse_date, parse_partial_date, partial_dates

# Well-shaped texts (impossible months and days included), near misses, and anything at all.
_TEXTS = st.one_of(
    st.from_regex(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", fullmatch=True),
    st.from_regex(r"\s?[0-9]{4}-[0-9]{1,3}(-[0-9]{1,3})?\s?", fullmatch=True),
    st.text(max_size=12),
    st.none(),
)


def _partial(raw: str | None) -> tuple[object, object]:
    if raw is None:
        return None, None
    parsed = parse_partial_date(raw)
    return parsed.last, parsed.precision


@pytest.mark.parametrize(
    "texts",
    [
        # Leap days, the first and last representable days, and year 0 (no `datetime.date`).
        pytest.param(["2020-02-29", "2020-02", "0001-01-01", "9999-12", "9999"], id="edges"),
        pytest.param(["0000", "0000-01", "0000-01-01", "2021-1", "2021-01-01\n"], id="not-dates"),
        # A well-shaped text that is no calendar day sends the column to the per-text parser.
        pytest.param(["2021-02-29", "2021-13", "2021-04-31", "2021-06-15"], id="impossible"),
        pytest.param(["٢٠٢١-٠١-٠١", "２０２１"], id="non-ascii-digits"),
    ],
)
def test_columns_parse_as_the_text_parsers(texts: list[str | None]) -> None:
    _assert_column_parses_as_each_text(texts)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_TEXTS, max_size=20))
def test_columns_equal_the_text_parsers_row_by_row(texts: list[str | None]) -> None:
    _assert_column_parses_as_each_text(texts)


def _assert_column_parses_as_each_text(texts: list[str | None]) -> None:
    column = pa.array(texts, pa.string())
    assert full_dates(column).to_pylist() == [parse_date(t) for t in texts]
    last, precision = partial_dates(column)
    assert list(zip(last.to_pylist(), precision.to_pylist(), strict=True)) == [
        _partial(t) for t in texts
    ]
