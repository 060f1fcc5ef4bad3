"""The GC pause is process-wide, and a load pauses it in two threads at once."""

from __future__ import annotations

import gc
import threading

from transforms.normalize import gc_paused


def test_overlapping_pauses_in_two_threads_keep_the_gc_off_until_the_last_ends() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        with gc_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other_thread)
    with gc_paused():
        worker.start()
        assert inside.wait(10)
    # This thread's pause ended first: the other one still holds the GC off.
    assert not gc.isenabled()
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_pause_inside_a_gc_already_off_leaves_it_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
