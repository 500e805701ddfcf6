"""Labels joined by hashed ids (store/label_join.py) equal the DuckDB join, row for row."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.store import EmbeddedStore
from driftscope.store._unique_ids import hash_ids
from driftscope.store.embedded import _label_join as lj
from tests.store.batches import T0, label_batch, prediction_batch


def _both(home):
    return EmbeddedStore(home), EmbeddedStore(home, label_cache_rows=0)


def _same(hashed, duck, **window):
    a = hashed.read_predictions("m", **window)
    b = duck.read_predictions("m", **window)
    pd.testing.assert_frame_equal(a, b)
    return a


def test_random_labels_relabels_and_ties_join_as_duckdb_does(tmp_path):
    rng = np.random.default_rng(4)
    hashed, duck = _both(tmp_path / "home")
    for k in range(4):  # interleaving writers, some ids shared between them
        batch = prediction_batch(
            300, start=T0 + k * timedelta(seconds=1), step=timedelta(seconds=3),
            id_prefix=f"w{k % 3}-", seed=k,
        )  # fmt: skip
        hashed.write_predictions("m", batch)
    for _ in range(6):
        ids = [f"w{rng.integers(0, 4)}-{rng.integers(0, 320)}" for _ in range(200)]
        at = T0 + timedelta(days=1 + int(rng.integers(0, 3)))  # equal labeled_at: ties
        hashed.write_labels("m", label_batch(ids, rng.integers(0, 5, 200).tolist(), at=at))
    for _ in range(2):  # the second time from the kept hashes
        full = _same(hashed, duck)
        part = _same(
            hashed, duck, since=T0 + timedelta(seconds=100), until=T0 + timedelta(seconds=500)
        )
    assert full["label"].notna().sum() > 100 and len(part) < len(full)
    hashed.compact()
    assert _same(hashed, duck)["label"].equals(full["label"])


def test_no_label_in_the_window_keeps_the_label_type(tmp_path):
    hashed, duck = _both(tmp_path / "home")
    hashed.write_predictions("m", prediction_batch(50))
    hashed.write_labels("m", label_batch(["p3"], [1]))
    part = _same(hashed, duck, since=T0 + timedelta(seconds=10))
    assert part["label"].isna().all()


def test_label_types_that_differ_between_batches_go_through_duckdb(tmp_path):
    hashed, duck = _both(tmp_path / "home")
    hashed.write_predictions("m", prediction_batch(20))
    hashed.write_labels("m", label_batch(["p1", "p2"], [1, 0]))
    hashed.write_labels("m", label_batch(["p2", "p5"], ["yes", "no"]))
    hashed.write_labels("m", label_batch(["p7"], [0.5]))
    assert hashed._label_hashes.get([]) == []
    df = _same(hashed, duck)
    assert df.set_index("prediction_id").loc["p5", "label"] == "no"


def test_the_row_limit_falls_back_to_duckdb(tmp_path):
    home = tmp_path / "home"
    small = EmbeddedStore(home, label_cache_rows=3)
    duck = EmbeddedStore(home, label_cache_rows=0)
    small.write_predictions("m", prediction_batch(20))
    small.write_labels("m", label_batch(["p1", "p2", "p3", "p4"], [1, 0, 1, 1]))
    assert (
        small._label_hashes.get(
            [str(p) for p in (home / "segments").rglob("*.parquet") if "labels" in str(p)]
        )
        is None
    )
    _same(small, duck)


@pytest.mark.parametrize("n", [0, 1, 5, 3000])
def test_candidates_find_every_equal_hash(n):
    rng = np.random.default_rng(n)
    window = rng.integers(0, 50, n).astype(np.uint64)  # many repeats
    labels = [rng.integers(0, 80, m).astype(np.uint64) for m in (0, 7, 4000)]
    pos, found = lj.candidates(window, labels)
    got = sorted(
        (int(p), i, int(j))
        for (i, rows), start in zip(
            found.items(), np.cumsum([0] + [len(v) for v in found.values()]), strict=False
        )
        for p, j in zip(pos[start : start + len(rows)], rows, strict=True)
    )
    want = sorted(
        (p, i, j)
        for i, hashes in enumerate(labels)
        for j, h in enumerate(hashes)
        for p in np.flatnonzero(window == h).tolist()
    )
    assert got == want


def test_hash_ids_reads_every_string_layout():
    ids = ["a", "", "é", "prediction-0001"]
    expected = hash_ids(pa.array(ids))
    assert len(set(expected.tolist())) == 4
    for variant in (
        pa.array(ids, pa.large_string()),
        pa.array(ids).dictionary_encode(),
        pa.chunked_array([pa.array(ids[:1]), pa.array(ids[1:])]),
        pa.array(["x", *ids]).slice(1),
    ):
        assert hash_ids(variant).tolist() == expected.tolist()


def test_models_keep_their_hashes_apart_and_the_oldest_make_room(tmp_path):
    home = tmp_path / "home"
    duck = EmbeddedStore(home, label_cache_rows=0)
    for limit, both in ((1000, True), (5, False)):
        store = EmbeddedStore(home, label_cache_rows=limit)
        for model in ("a", "b"):
            if limit == 1000:
                store.write_predictions(model, prediction_batch(30))
                store.write_labels(model, label_batch(["p1", "p2", "p3", "p4"], [1, 0, 1, 0]))
        for model in ("a", "b", "a"):
            expected = duck.read_predictions(model)
            pd.testing.assert_frame_equal(store.read_predictions(model), expected)
        kept = {scope for scope, entries in store._label_hashes._scopes.items() if entries}
        assert kept == ({"a", "b"} if both else {"a"})


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10"])
def test_a_bad_label_cache_size_is_refused(tmp_path, bad):
    from driftscope.errors import ConfigError

    with pytest.raises(ConfigError, match="label_cache_rows"):
        EmbeddedStore(tmp_path / "home", label_cache_rows=bad)
