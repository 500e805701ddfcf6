"""Reference.row_sample: the rows a baseline keeps for whole-row checks, saved and versioned
with it."""

from __future__ import annotations

import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError, DataError
from driftscope.store import EmbeddedStore


@pytest.fixture
def data(rng):
    n = 30_000
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "plan": rng.choice(["basic", "pro", None], n),
            "label": rng.integers(0, 2, n),
            "timestamp": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC"),
        }
    )


def test_sample_is_seeded_uniform_in_order_and_survives_a_round_trip(data, tmp_path):
    ref = Reference.fit(data, keep_rows=5000)
    rows = ref.row_sample
    assert len(rows) == 5000 and list(rows.columns) == list(data.columns)
    assert rows["timestamp"].is_monotonic_increasing  # the data's order is kept
    position = (rows["timestamp"] - data["timestamp"].iloc[0]) // pd.Timedelta(minutes=1)
    pd.testing.assert_series_equal(
        rows["x"], data["x"].iloc[position.to_numpy()].reset_index(drop=True), check_names=False
    )
    assert abs(position.mean() - len(data) / 2) < 0.03 * len(data)  # spread over the data
    again = Reference.fit(data, keep_rows=5000)
    assert again.version == ref.version  # the same data, the same sample, the same version
    loaded = Reference.from_bytes(ref.to_bytes())
    assert loaded.version == ref.version
    pd.testing.assert_frame_equal(loaded.row_sample, rows)
    with EmbeddedStore(tmp_path / "home") as store:
        store.save_reference("m", ref)
        stored = Reference.from_blob(store.load_reference("m"))
        pd.testing.assert_frame_equal(stored.row_sample, rows)


def test_the_sample_is_part_of_the_version(data):
    kept = Reference.fit(data, keep_rows=5000)
    none = Reference.fit(data, keep_rows=0)
    assert none.row_sample is None and none.version != kept.version
    assert Reference.fit(data.iloc[:100]).row_sample.shape == (100, 4)
    with pytest.raises(ConfigError, match="keep_rows"):
        Reference.fit(data, keep_rows=-1)


def test_subset_keeps_the_rows(data):
    ref = Reference.fit(data, keep_rows=1000)
    part = ref.subset(["x"])
    assert list(part.columns) == ["x"] and len(part.row_sample) == 1000
    with pytest.raises(DataError, match="label2"):
        ref.subset(["label2"])
