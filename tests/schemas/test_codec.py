"""The stored form of a record: compressed together or one by one, the same bytes, read back whole."""

from __future__ import annotations

from typing import Any

from schemas.codec import compress_record, compress_records, decompress_record


def test_a_batch_compresses_to_the_bytes_of_each_record_alone(
    sample_studies: dict[str, Any],
) -> None:
    records = [sample_studies[n] for n in sorted(sample_studies)[:50]]
    stored = compress_records(records)
    assert stored == [compress_record(r) for r in records]
    assert [decompress_record(blob) for blob in stored] == records


def test_small_and_empty_batches() -> None:
    assert compress_records([]) == []
    assert [decompress_record(b) for b in compress_records([{}, {"a": [1, 2.5, None]}])] == [
        {},
        {"a": [1, 2.5, None]},
    ]
