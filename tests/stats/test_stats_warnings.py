"""A warning silenced in one worker thread never escapes because another thread left its
own silenced block first (found while probing issue 10's "no RuntimeWarning leaks": about one
Anderson-Darling check in a hundred on four columns let SciPy's "p-value capped" through)."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd

import driftscope as ds
from driftscope.stats._warnings import silenced


def test_a_thread_leaving_first_does_not_unsilence_another():
    """The interleaving that leaked with bare ``warnings.catch_warnings``: A enters, B
    enters, A leaves, B warns. With the lock B cannot enter before A leaves (A's wait for
    B times out), so B's filter is in place when it warns."""
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with silenced(UserWarning, "capped"):
            a_inside.set()
            b_inside.wait(timeout=0.5)  # never set under the lock: A leaves on its own
        a_left.set()

    def b() -> None:
        a_inside.wait()
        with silenced(UserWarning, "capped"):
            b_inside.set()
            a_left.wait()
            warnings.warn("capped: from B", UserWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [str(w.message) for w in caught] == []


def test_parallel_anderson_darling_columns_leak_no_warning():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({f"c{i}": rng.normal(size=400) for i in range(4)})
    cur = pd.DataFrame({f"c{i}": rng.normal(size=400) for i in range(4)})
    detector = ds.DriftDetector(ref, detection_methods=[ds.AndersonDarlingTest()], workers=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(20):
            detector.detect_feature_drift(cur)
    assert not caught
