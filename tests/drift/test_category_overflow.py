"""Categorical columns with more distinct values than ``max_categories``: the most frequent
levels are compared by label, the rest by their counts only (one anonymous level each,
absent from the other side), and the reference file keeps those counts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import driftscope as ds
from driftscope.drift.pairs import CategoricalPair
from driftscope.drift.reference import Reference
from driftscope.drift.reference_file import FileLimits
from driftscope.drift.streaming import incremental_drift_monitoring
from driftscope.errors import ReferenceFileError
from tests.drift.test_reference_files import _build, manifest, members_of, put

N = 200_000


def near_unique(rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    """N ids, near-unique: ten rows share one id, the rest are distinct."""
    ids = np.array([f"{prefix}{i:07d}" for i in rng.permutation(2 * N)[:N]], dtype=object)
    ids[:10] = "shared"
    return pd.DataFrame({"x": ids})


@pytest.fixture(scope="module")
def ids_detector() -> tuple[ds.DriftDetector, pd.DataFrame]:
    rng = np.random.default_rng(11)
    return ds.DriftDetector(baseline_data=near_unique(rng, "u"), columns=["x"]), near_unique(
        rng, "u"
    )


def test_near_unique_ids_fit_and_detect(ids_detector):
    detector, production = ids_detector
    column = detector.reference_.columns["x"]
    assert len(column.categories) == 100_000 and column.categories[0] == "shared"
    assert column.counts[0] == 10 and column.other_counts.tolist() == [1] * (N - 9 - 100_000)
    assert column.summary.valid == N
    drift = detector.detect_feature_drift(production_data=production)
    notes = drift.features["x"].notes
    assert (
        "199,991 distinct values in the reference: the 100,000 most frequent are compared by "
        "label, the other 99,991 by their counts only; 199,991 distinct values in the production "
        "data: the 100,000 most frequent are compared by label, the other 99,991 by their counts "
        "only (max_categories; a left-out level is taken as absent from the other side)"
    ) in notes
    assert not any("(left-out level" in note for note in notes)
    labels = drift.features["x"].distribution.labels
    assert len(labels) == 20 and labels[-1].endswith(" others)")
    assert not any("left-out level" in label for label in labels)


def test_the_reference_file_round_trips_other_counts(ids_detector, tmp_path):
    detector, production = ids_detector
    path = detector.save(tmp_path / "ids.dsref")
    loaded = ds.DriftDetector.load(path)
    before, after = detector.reference_.columns["x"], loaded.reference_.columns["x"]
    assert loaded.reference_.version == detector.reference_.version
    assert after.categories == before.categories
    assert np.array_equal(after.other_counts, before.other_counts)
    assert after.other_counts.dtype == np.int64
    entry = manifest(members_of(Path(path).read_bytes()))["columns"][0]
    assert entry["other_counts"] == [[1, N - 9 - 100_000]]  # compact: count, levels
    again = loaded.detect_feature_drift(production).features["x"]
    first = detector.detect_feature_drift(production).features["x"]
    assert (again.statistic, again.p_value, again.notes) == (
        first.statistic,
        first.p_value,
        first.notes,
    )


def test_max_categories_three_keeps_exactly_the_top_three():
    values = [*"aaaaabbbbcccddde", None, "f", "f", None, "g", "c"]
    detector = ds.DriftDetector(pd.DataFrame({"x": values}), max_categories=3)
    column = detector.reference_.columns["x"]
    ranked = sorted(Counter(v for v in values if v).items(), key=lambda c: (-c[1], c[0]))
    assert column.categories == tuple(c for c, _ in ranked[:3]) == ("a", "b", "c")
    assert column.counts.tolist() == [5, 4, 4]
    assert column.other_counts.tolist() == [n for _, n in ranked[3:]] == [3, 2, 1, 1]
    assert (column.summary.rows, column.summary.missing) == (len(values), 2)


def test_the_unseen_categories_note_never_lists_synthetic_labels():
    reference = pd.DataFrame({"x": [*"aaabbc", "d", "e"]})
    production = pd.DataFrame({"x": [*"aaabb", "z", "z", "y", "w", "v"]})
    detector = ds.DriftDetector(reference, max_categories=3)
    column = detector.detect_feature_drift(production).features["x"]
    unseen = [note for note in column.notes if "not seen in the reference" in note]
    # z is kept by label on the production side; v, w, y are left out (counts only)
    assert unseen == [
        "1 categories not seen in the reference (20.0% of the production values): 'z'"
    ]
    assert any("the other 3 by their counts only" in note for note in column.notes)
    assert not any("left-out level" in label for label in column.distribution.labels)
    # a, b, c, z by label; d, e (reference) and y, w, v (production) fold into one bar
    assert column.distribution.labels == ("a", "b", "z", "c", "(5 others)")
    assert sum(column.distribution.reference) == pytest.approx(1.0)


def test_left_out_levels_are_appended_one_each_and_never_unseen():
    pair = CategoricalPair.align(
        ("a", "b"),
        np.array([5, 3]),
        ("b", "c"),
        np.array([4, 2]),
        ref_other=np.array([2, 1]),
        cur_other=np.array([1]),
    )
    assert pair.categories[:3] == ("a", "b", "c") and pair.left_out == 3
    assert pair.reference.tolist() == [5, 3, 0, 2, 1, 0]
    assert pair.current.tolist() == [0, 4, 2, 0, 0, 1]
    assert pair.unseen_categories == ("c",) and pair.unseen_share == pytest.approx(2 / 7)
    assert len(set(pair.categories)) == len(pair.categories)


def test_synthetic_labels_never_clash_with_real_ones():
    real = ("(left-out level 1)", "(left-out level 2)")
    pair = CategoricalPair.align(real, np.array([3, 2]), real, np.array([1, 1]), np.array([1]))
    assert pair.categories[2] not in real and len(set(pair.categories)) == 3


def test_a_file_without_other_counts_still_reads_and_keeps_its_version(tmp_path):
    frame = pd.DataFrame({"plan": ["a", "b", "a", "c", None], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    reference = Reference.fit(frame, keep_rows=0)
    assert reference.version == "c607dc66ad673e84"  # as before other_counts existed
    entry = manifest(members_of(reference.to_bytes()))["columns"][0]
    assert "other_counts" not in entry
    loaded = Reference.load(reference.save(tmp_path / "plain.dsref"))
    plan = loaded.columns["plan"]
    assert plan.other_counts.dtype == np.int64 and plan.other_counts.size == 0


@pytest.fixture(scope="module")
def overflowing() -> bytes:
    frame = pd.DataFrame({"x": [*"aaabbcdde"]})
    return Reference.fit(frame, max_categories=2, keep_rows=0).to_bytes()


@pytest.mark.parametrize(
    "value, fragment",
    [
        ([[1, 2], [2, 1]], "'columns[0].other_counts[1]': expected counts in descending order"),
        ([[0, 1]], "'columns[0].other_counts[0]': expected a count and a number of levels >= 1"),
        ([[2]], "'columns[0].other_counts[0]': expected a pair [count, levels]"),
        ([[2, "x"]], "'columns[0].other_counts[0][1]': expected an integer"),
        ({"2": 1}, "'columns[0].other_counts': expected a list"),
        ([[2, 10**12]], "'columns[0].other_counts': holds 1,000,000,000,000 left-out levels"),
        ([[2, 100]], "'columns[0].other_counts': counts more values than the column's rows"),
    ],
)
def test_malformed_other_counts_are_one_clear_error(overflowing, value, fragment):
    blob = _build(overflowing, put("columns.0.other_counts", value))
    with pytest.raises(ReferenceFileError) as caught:
        Reference.from_bytes(blob)
    assert fragment in str(caught.value)


def test_left_out_levels_are_capped_by_the_file_limits(overflowing):
    many = Reference.fit({"x": [*"aaabb", *map(str, range(200))]}, max_categories=2, keep_rows=0)
    blob = many.to_bytes()
    assert (
        Reference.from_bytes(blob, limits=FileLimits(max_entry_bytes=1600)).version == many.version
    )
    with pytest.raises(
        ReferenceFileError, match="holds 200 left-out levels, more than the 125 left"
    ):
        Reference.from_bytes(blob, limits=FileLimits(max_entry_bytes=1000))
    edited = _build(overflowing, put("columns.0.other_counts", [[1, 3]]))
    with pytest.raises(ReferenceFileError, match="was modified"):  # covered by the version
        Reference.from_bytes(edited)
    assert json.dumps(manifest(members_of(overflowing))["columns"][0]["other_counts"]) == (
        "[[2, 1], [1, 2]]"
    )


def test_streaming_counts_the_left_out_levels_in_the_bin_of_unlabelled_values(rng):
    def frame(n: int) -> pd.DataFrame:
        common = rng.choice(["a", "b", "c"], n)
        rare = np.array([f"r{i}" for i in rng.integers(0, 5_000, n)], dtype=object)
        return pd.DataFrame({"x": np.where(rng.random(n) < 0.3, rare, common)})

    reference = Reference.fit(frame(20_000), max_categories=3)
    assert reference.columns["x"].other_counts.sum() == pytest.approx(6_000, rel=0.1)
    events = list(incremental_drift_monitoring(frame(5_000).to_dict("records"), reference))
    assert events == []  # the same mix of rare values: no drift
