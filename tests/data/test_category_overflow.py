"""More distinct values than ``max_categories``: the most frequent levels keep their labels,
the rest are kept as their counts only (``other_counts``), and no row is lost."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.data import ColumnKind, read_table


def expected(values: list[object], max_categories: int) -> tuple[dict[str, int], list[int]]:
    """The oracle: kept levels by count descending then label, the rest's counts."""
    ranked = sorted(
        Counter(v for v in values if v is not None).items(), key=lambda c: (-c[1], c[0])
    )
    return dict(ranked[:max_categories]), [n for _, n in ranked[max_categories:]]


def test_three_kept_levels_and_the_counts_of_the_rest():
    values = [*"aaaaabbbbcccddde", None, "f", "f", None, "g", "c"]  # c 4, b 4, a 5, d 3, f 2
    counts = read_table({"x": np.array(values, dtype=object)}).categories("x", max_categories=3)
    kept, others = expected(values, 3)
    assert counts.as_dict() == kept == {"a": 5, "b": 4, "c": 4}
    assert counts.other_counts.tolist() == others == [3, 2, 1, 1]
    assert counts.other_counts.dtype == np.int64 and counts.left_out == 4
    assert (counts.rows, counts.missing, counts.valid) == (len(values), 2, len(values) - 2)


def test_nothing_left_out_is_an_empty_array():
    counts = read_table({"x": ["a", "b", "a"]}).categories("x", max_categories=2)
    assert counts.as_dict() == {"a": 2, "b": 1}
    assert counts.other_counts.dtype == np.int64 and counts.other_counts.size == 0


def test_ties_at_the_cut_go_by_label():
    counts = read_table({"x": ["d", "c", "b", "a"]}).categories("x", max_categories=2)
    assert counts.categories == ("a", "b") and counts.other_counts.tolist() == [1, 1]


def test_merged_labels_are_counted_before_the_cut():
    # 1.0 and 1 share the label "1": three values of it, then 2.5 and 3.5 once each
    values = pa.array([1.0, 1.0, 2.5, 3.5, 1.0, None])
    counts = read_table(pa.table({"x": values})).categories("x", max_categories=1)
    assert counts.as_dict() == {"1": 3}
    assert counts.other_counts.tolist() == [1, 1] and counts.missing == 1


def test_booleans_never_overflow_two_levels():
    counts = read_table({"ok": [True, False, True]}).categories(
        "ok", kind=ColumnKind.BOOLEAN, max_categories=2
    )
    assert counts.as_dict() == {"True": 2, "False": 1} and counts.left_out == 0


def test_a_million_distinct_values_keep_the_most_frequent_hundred_thousand():
    ids = np.arange(1_000_000)
    ids[:3] = 7  # 7 four times, then 999,996 values once each
    counts = read_table({"user_id": ids}, role="reference").categories("user_id")
    assert counts.categories[:2] == ("7", "10") and counts.counts[0] == 4
    assert len(counts.categories) == 100_000 and counts.left_out == 899_997
    assert counts.valid == 1_000_000 and counts.missing == 0
    assert not set(counts.other_counts.tolist()) - {1}


def test_short_and_long_labels_agree():
    short = [f"s{i % 50}" for i in range(500)] + ["s0"] * 5
    long = [f"a much longer label {i % 50}" for i in range(500)] + ["a much longer label 0"] * 5
    for values in (short, long):
        counts = read_table({"x": values}).categories("x", max_categories=10)
        kept, others = expected(values, 10)
        assert counts.as_dict() == kept and counts.other_counts.tolist() == others


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(list("abcdefgh"))), min_size=1, max_size=80),
    st.integers(1, 9),
)
def test_kept_levels_and_other_counts_match_a_counter(values, max_categories):
    if all(v is None for v in values):
        return  # an entirely missing column is an error of its own
    counts = read_table({"x": np.array(values, dtype=object)}).categories(
        "x", max_categories=max_categories
    )
    kept, others = expected(values, max_categories)
    assert counts.as_dict() == kept
    assert counts.other_counts.tolist() == others
    assert counts.valid + counts.missing == counts.rows == len(values)
