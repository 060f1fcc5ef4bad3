"""How records are stored in history.study_versions: compressed alone or many at once, the same."""

from __future__ import annotations

import threading

from schemas.codec import compress_encoded, compress_record, decompress_record, encode_record


def test_compressing_many_at_once_gives_each_record_its_own_frame_in_order(sample_studies):
    records = list(sample_studies.values())[:40]
    frames = compress_encoded([encode_record(r) for r in records])
    assert frames == [compress_record(r) for r in records]
    assert [decompress_record(f) for f in frames] == records


def test_nothing_to_compress_gives_nothing():
    assert compress_encoded([]) == []


def test_compressing_on_another_thread_gives_the_same_bytes(sample_studies):
    # the load compresses new versions on a worker thread, with that thread's own compressor
    records = list(sample_studies.values())[:10]
    texts = [encode_record(r) for r in records]
    found: list[list[bytes]] = []
    worker = threading.Thread(target=lambda: found.append(compress_encoded(texts)))
    worker.start()
    worker.join()
    assert found == [[compress_record(r) for r in records]]
