"""The compiled count of short labels answers exactly as Arrow's ``value_counts``."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from driftscope.data import ColumnKind
from driftscope.data._short_labels import count_short_labels
from driftscope.data.categorical import count_categories
from driftscope.data.storage import Storage

ALPHABET = ["a", "b", "é", "\0", " ", "Z", "日"]  # multi-byte UTF-8 and NUL bytes too


def _labels(rng: np.random.Generator, k: int, longest: int) -> list[str]:
    labels: set[str] = set()
    while len(labels) < k:
        size = int(rng.integers(0, longest + 1))
        labels.add("".join(rng.choice(ALPHABET, size=size)))
    return [s for s in sorted(labels) if len(s.encode()) <= 8] or [""]


def _arrow_counts(column: pa.ChunkedArray) -> dict[str, int]:
    counted = pc.value_counts(column)
    return {
        v: c
        for v, c in zip(
            counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
        )
        if v is not None
    }


@pytest.mark.parametrize("seed", range(25))
def test_counts_equal_arrow_value_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = _labels(rng, int(rng.integers(1, 300)), 4)
    rows = int(rng.integers(1, 5000))
    values = [labels[i] for i in rng.integers(0, len(labels), size=rows)]
    values = [None if rng.random() < 0.1 else v for v in values]
    kind = pa.large_string() if seed % 2 else pa.string()
    whole = pa.array(values, kind)
    cut = sorted(int(c) for c in rng.integers(0, rows + 1, size=int(rng.integers(0, 4))))
    bounds = [0, *cut, rows]
    column = pa.chunked_array([whole.slice(a, b - a) for a, b in itertools.pairwise(bounds)], kind)
    counted = count_short_labels(column, 100_000)
    assert counted is not None
    got_values, got_counts = counted
    got = dict(zip(got_values.to_pylist(), got_counts.tolist(), strict=True))
    assert len(got) == len(got_values)  # each label once
    assert got == _arrow_counts(column)


def test_long_labels_and_too_many_labels_go_back_to_arrow() -> None:
    assert count_short_labels(pa.chunked_array([["short", "nine bytes"]]), 10) is None
    assert count_short_labels(pa.chunked_array([[str(i) for i in range(300)]]), 200) is None
    assert count_short_labels(pa.chunked_array([[str(i) for i in range(300)]]), 300) is not None


def test_categories_are_the_same_through_either_path() -> None:
    rng = np.random.default_rng(7)
    short = np.array(["red", "green", "blue", ""], dtype=object)[rng.integers(0, 4, 10_000)]
    long_ = np.char.add(short.astype(str), " and more text").astype(object)
    for values in (short, long_):
        column = pa.chunked_array([pa.array(values, pa.large_string())])
        counts = count_categories(
            column, Storage.STRING, name="c", role="data", kind=ColumnKind.CATEGORICAL
        )
        expected = _arrow_counts(column)
        assert counts.as_dict() == dict(sorted(expected.items(), key=lambda kv: (-kv[1], kv[0])))
