"""Checks on very few rows say how little they can see (issue 10, finding 9: one-row files
got a verdict without a warning about power). SciPy is the oracle for the thresholds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.special
import scipy.stats

import driftscope as ds
from driftscope.drift.power import (
    MIN_DETECTABLE,
    detectable_gap,
    power_note,
    smallest_p_value,
)


@pytest.mark.parametrize("n, m", [(1, 1), (1, 5), (1, 39), (1, 40), (2, 8), (3, 3), (4, 4), (7, 9)])
def test_smallest_p_value_is_scipys_p_for_completely_separated_samples(n, m):
    x, y = np.arange(n, dtype=float), 100.0 + np.arange(m, dtype=float)
    want = scipy.stats.ks_2samp(x, y, method="exact").pvalue
    assert smallest_p_value(n, m) == pytest.approx(want, rel=1e-9)
    mw = scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="exact").pvalue
    assert smallest_p_value(n, m) == pytest.approx(mw, rel=1e-9)


def test_below_the_threshold_no_data_can_make_the_test_reject():
    """Every split of the 8 pooled ranks of a 3 + 5 sample: none reaches p < 0.05 exactly
    when 2/C(8,3) >= 0.05."""
    from itertools import combinations

    n, m, alpha = 3, 5, 0.05
    best = min(
        scipy.stats.ks_2samp(
            np.array(c, dtype=float),
            np.array([v for v in range(n + m) if v not in c], dtype=float),
            method="exact",
        ).pvalue
        for c in combinations(range(n + m), n)
    )
    assert best == pytest.approx(smallest_p_value(n, m))
    assert (best < alpha) == (smallest_p_value(n, m) < alpha)


def test_detectable_gap_is_the_ks_critical_distance():
    # c(alpha) = sqrt(-ln(alpha/2)/2) is the leading term of the Kolmogorov quantile
    assert math.sqrt(-math.log(0.025) / 2) == pytest.approx(scipy.special.kolmogi(0.05), rel=1e-3)
    n = m = 2000
    gap = detectable_gap(n, m, 0.05)
    # a KS distance a little above the gap is rejected, a little below is not (asymptotic)
    en = n * m / (n + m)
    assert scipy.stats.kstwo.sf(gap * 1.05, round(en)) < 0.05
    assert scipy.stats.kstwo.sf(gap * 0.95, round(en)) > 0.05


def test_thirty_values_against_many_is_the_edge_of_low_power():
    assert detectable_gap(29, 10**6, 0.05) > MIN_DETECTABLE
    assert detectable_gap(30, 10**6, 0.05) < MIN_DETECTABLE
    assert power_note(30, 10**6, 0.05) is None
    assert power_note(29, 10**6, 0.05).startswith("low power")


def frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"x": rng.normal(shift, 1.0, rows), "plan": rng.choice(["a", "b", "c"], rows)}
    )


@pytest.mark.parametrize("current_rows", [1, 2, 5])
def test_a_check_on_a_few_rows_carries_a_note(current_rows):
    result = ds.DriftDetector(frame(1000, 1)).detect_feature_drift(frame(current_rows, 2))
    assert len(result.notes) == 1 and "low power" in result.notes[0]
    assert f"{current_rows:,} current rows" in result.notes[0]
    assert result.to_dict()["notes"] == list(result.notes)


def test_a_one_row_reference_says_the_check_cannot_detect_anything():
    result = ds.DriftDetector(frame(1, 1)).detect_feature_drift(frame(3, 2, shift=50.0))
    assert result.notes[0].startswith("too few values to detect any drift")
    assert not result.has_drift  # and the note says why this means nothing


def test_enough_rows_give_no_note():
    result = ds.DriftDetector(frame(500, 1)).detect_feature_drift(frame(500, 2))
    assert result.notes == ()
    assert all(not c.notes for c in result.features.values())


def test_a_column_with_few_valid_values_gets_its_own_note():
    ref, cur = frame(1000, 1), frame(1000, 2)
    cur.loc[5:, "x"] = np.nan  # 5 valid values left in x, plan is complete
    result = ds.DriftDetector(ref).detect_feature_drift(cur)
    assert result.notes == ()
    assert any("low power" in n and "5 current values" in n for n in result.features["x"].notes)
    assert not any("low power" in n for n in result.features["plan"].notes)


def test_the_level_of_the_chosen_tests_is_used():
    det = ds.DriftDetector(frame(1000, 1), detection_methods=[ds.KSTest(0.001)])
    note = det.detect_feature_drift(frame(40, 2)).notes[0]
    assert "α=0.001" in note


def test_the_power_note_survives_next_to_the_sampling_note():
    """A weighted (sampled) batch gets the thinning note; a small one keeps its power note."""
    rng = np.random.default_rng(4)
    baseline = pd.DataFrame({"x": rng.normal(size=3000)})
    batch = pd.DataFrame({"x": rng.normal(size=12), "sampling_weight": [1.0, 10.0] * 6})
    result = ds.DriftDetector(baseline).detect_feature_drift(batch)
    assert any("equal-probability" in n for n in result.notes)
    assert any("low power" in n or "too few values" in n for n in result.notes)


def test_the_html_report_shows_the_power_warning():
    detector = ds.DriftDetector(frame(1000, 1))
    result = detector.detect_feature_drift(frame(3, 2))
    html = detector.generate_report(feature_drift=result).to_html()
    assert "<strong>Warning:</strong> low power" in html
