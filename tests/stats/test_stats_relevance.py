"""The share of the data that moved and its confidence bounds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from driftscope.stats import categorical_share_moved, share_moved_bounds


@pytest.mark.parametrize("n", [200, 2_000, 20_000])
@pytest.mark.parametrize("shift", [0.0, 0.05, 0.25])
def test_the_bounds_cover_the_true_distance(n, shift):
    """A normal mean shift moves exactly 2 Φ(shift / 2) - 1 of the data; each bound is on
    the right side of it in at least 95 % of 200 trials (binomial slack: 90 %)."""
    truth = 2 * scipy.stats.norm.cdf(shift / 2) - 1
    rng = np.random.default_rng(int(shift * 100) + n)
    below = above = 0
    for _ in range(200):
        ref, cur = rng.normal(size=n), rng.normal(shift, 1.0, n)
        estimate = scipy.stats.ks_2samp(ref, cur).statistic
        low, high = share_moved_bounds(estimate, n, n)
        below += truth <= high
        above += truth >= low
    assert below >= 180 and above >= 180


def test_the_upper_bound_narrows_like_one_over_root_n():
    widths = [share_moved_bounds(0.1, n, n)[1] - 0.1 for n in (1_000, 100_000)]
    assert widths[0] / widths[1] == pytest.approx(10.0)


def test_bounds_are_clipped_and_safe():
    assert share_moved_bounds(0.99, 10, 10) == (pytest.approx(0.0, abs=1.0), 1.0)
    assert share_moved_bounds(0.5, 0, 10) == (0.0, 1.0)


def test_categories_compare_frequent_levels_one_by_one():
    share, cells = categorical_share_moved([400, 250, 200, 100, 50], [350, 250, 250, 100, 50])
    assert share == pytest.approx(0.05) and cells == 5


def test_ids_all_new_before_and_after_moved_nothing():
    rng = np.random.default_rng(0)
    ref = np.r_[np.ones(5_000), np.zeros(5_000)]
    assert categorical_share_moved(ref, 1 - ref) == (0.0, 1)
    pool = 50_000  # ids from one pool: Good-Turing predicts production's share of new ids
    ref_ids, cur_ids = rng.integers(0, pool, 20_000), rng.integers(0, pool, 20_000)
    ref_counts = np.bincount(ref_ids, minlength=pool)
    cur_counts = np.bincount(cur_ids, minlength=pool)
    assert categorical_share_moved(ref_counts, cur_counts)[0] < 0.02


def test_ids_moving_to_another_range_or_one_id_taking_rows_move_that_much():
    rng = np.random.default_rng(1)
    ref_counts = np.bincount(rng.integers(0, 50_000, 20_000), minlength=95_000)
    cur_counts = np.bincount(rng.integers(45_000, 95_000, 20_000), minlength=95_000)
    # new ids: e^-0.4 = 67 % expected, about 97 % seen
    assert categorical_share_moved(ref_counts, cur_counts)[0] == pytest.approx(0.3, abs=0.03)
    ref = np.r_[np.ones(200), np.zeros(201)]
    cur = np.r_[np.zeros(200), np.ones(200), 0]
    cur[-1] = 18  # one id on 18 of 218 rows
    assert categorical_share_moved(ref, cur)[0] == pytest.approx(18 / 218)
