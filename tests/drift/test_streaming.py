"""Streaming feature drift: exact windows, valid p-values, controlled repeated checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from driftscope.drift.reference import Reference
from driftscope.drift.streaming import StreamingDriftMonitor, incremental_drift_monitoring
from driftscope.drift.window_tests import (
    js_pvalues,
    js_statistics,
    psi_pvalues,
    psi_statistics,
)
from driftscope.errors import ConfigError, DataError
from driftscope.stats import psi
from driftscope.stats.binning import bin_counts, quantile_edges


def _frame(rng, n, shift=0.0, features=5):
    data = {f"x{i}": rng.normal(shift if i == 0 else 0.0, 1, n) for i in range(features - 1)}
    data["plan"] = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    return pd.DataFrame(data)


@pytest.fixture
def reference(rng):
    return Reference.fit(_frame(rng, 20_000))


def test_binned_statistics_equal_the_reference_implementations(rng):
    ref = rng.integers(1, 200, size=(6, 8)).astype(float)
    cur = rng.integers(0, 50, size=(6, 8)).astype(float)
    for i in range(6):
        assert psi_statistics(ref, cur)[i] == pytest.approx(psi(ref[i], cur[i]), rel=1e-12)
        assert js_statistics(ref, cur)[i] == pytest.approx(
            jensenshannon(ref[i], cur[i], base=2), rel=1e-9
        )


@pytest.mark.parametrize("pvalues", [psi_pvalues, js_pvalues])
def test_binned_pvalues_are_valid_under_the_null(rng, pvalues):
    """Multinomial windows of 1,000 from 10 reference bins: P(p < a) <= a (approximately)."""
    shares = rng.dirichlet(np.ones(10) * 3)
    ref = rng.multinomial(20_000, shares)[None, :].astype(float)
    cur = rng.multinomial(1000, shares, size=4000).astype(float)
    p = pvalues(np.repeat(ref, len(cur), axis=0), cur)
    for level in (0.01, 0.05, 0.2):
        rate = (p < level).mean()
        assert rate <= level + 3 * np.sqrt(level * (1 - level) / len(p)), (level, rate)
        assert rate >= 0.6 * level, (level, rate)  # not uselessly conservative


def test_window_counts_equal_a_brute_force_recount(rng, reference):
    monitor = StreamingDriftMonitor(
        reference, window_size=250, check_frequency=100, method="psi", emit="all"
    )
    data = _frame(rng, 1070)
    events = monitor.update_many(data.iloc[:530])
    events += [e for _, row in data.iloc[530:].iterrows() if (e := monitor.update(row.to_dict()))]
    assert [e.position for e in events] == [300, 400, 500, 600, 700, 800, 900, 1000]
    last = data.iloc[1000 - 250 : 1000]
    edges = quantile_edges(reference.columns["x1"].sample, 10)
    from driftscope.stats.binning import bin_counts_sorted

    ref_counts = bin_counts_sorted(reference.columns["x1"].sample, edges)
    expected = psi(ref_counts, bin_counts(last["x1"].to_numpy(), edges))
    assert events[-1].scores["x1"] == pytest.approx(expected, rel=1e-12)


def test_update_and_update_many_give_the_same_events(rng, reference):
    data = _frame(rng, 3000, shift=0.4)
    one = StreamingDriftMonitor(reference, window_size=500, check_frequency=100, emit="all")
    many = StreamingDriftMonitor(reference, window_size=500, check_frequency=100, emit="all")
    by_record = [e for r in data.to_dict("records") if (e := one.update(r))]
    by_frame = many.update_many(data.iloc[:1234]) + many.update_many(data.iloc[1234:])
    assert [(e.position, e.drifted_features) for e in by_record] == [
        (e.position, e.drifted_features) for e in by_frame
    ]
    assert by_record[-1].scores == pytest.approx(by_frame[-1].scores)


def test_a_one_sigma_shift_is_found_in_the_first_full_window(rng, reference):
    events = list(
        incremental_drift_monitoring(_frame(rng, 2000, shift=1.0).to_dict("records"), reference)
    )
    assert events and events[0].position == 1000
    assert events[0].drifted_features == ("x0",)


@pytest.mark.parametrize("method", ["psi", "js", "ks"])
def test_repeated_checks_keep_the_promised_false_alarm_rate(method):
    """Stationary streams: expected false alarms per record <= 1/ert, whatever the overlap."""
    ert, records, seeds = 20_000, 20_000, 25
    alarms = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        reference = Reference.fit(_frame(rng, 20_000))
        monitor = StreamingDriftMonitor(reference, method=method, ert=ert)
        alarms += len(monitor.update_many(_frame(rng, records)))
    promised = seeds * records / ert  # 25 expected false alarms at most
    assert alarms <= promised + 3 * np.sqrt(promised), alarms


def test_fixed_threshold_mode_and_ks_method(rng, reference):
    fixed = StreamingDriftMonitor(reference, threshold=0.2, window_size=500)
    assert fixed.ert is None
    events = fixed.update_many(_frame(rng, 2000, shift=2.0))
    assert events and events[0].p_values == {} and events[0].threshold == 0.2
    ks = StreamingDriftMonitor(reference, method="ks", window_size=500)
    assert "plan" not in ks.features
    assert ks.update_many(_frame(rng, 1000, shift=0.5))[0].drifted_features == ("x0",)


def test_bad_values_are_counted_not_fatal(rng, reference):
    monitor = StreamingDriftMonitor(reference, window_size=100, check_frequency=50, emit="all")
    records = _frame(rng, 300).to_dict("records")
    records[3]["x1"] = "oops"
    records[4]["x2"] = None
    records[5]["x3"] = float("inf")
    del records[6]["plan"]
    records[7] = "not a record"
    events = [e for r in records if (e := monitor.update(r))]
    assert len(events) == 5
    assert monitor.invalid_counts["x1"] == 2 and monitor.invalid_counts["x2"] == 2


def test_configuration_errors(reference):
    with pytest.raises(ConfigError, match="method"):
        StreamingDriftMonitor(reference, method="chi")
    with pytest.raises(ConfigError, match="window_size"):
        StreamingDriftMonitor(reference, window_size=0)
    with pytest.raises(ConfigError, match="not both"):
        StreamingDriftMonitor(reference, ert=1e5, threshold=0.2)
    with pytest.raises(DataError, match="nope"):
        StreamingDriftMonitor(reference, features=["nope"])
    with pytest.raises(ConfigError, match="ks"):
        StreamingDriftMonitor(reference, features=["plan"], method="ks")
    assert stats.chi2  # scipy is the reference for the chi-square law used above


@pytest.mark.parametrize("discrete", [False, True])
def test_window_ks_equals_scipy_with_and_without_ties(rng, discrete):
    from driftscope.drift.window_tests import ks_keys, ks_window_statistics
    from driftscope.stats.ecdf import SortedSample

    draw = (
        (lambda n: rng.poisson(3, n).astype(float)) if discrete else (lambda n: rng.normal(size=n))
    )
    refs = [draw(500 + 100 * j) for j in range(4)]
    window = np.column_stack([draw(300) + (0.3 if j == 1 else 0) for j in range(4)])
    window[::7, 2] = np.nan  # missing values leave the window's size per column
    keys = np.vstack(
        [ks_keys(SortedSample.from_array(r), window[:, j]) for j, r in enumerate(refs)]
    )
    got, m = ks_window_statistics(keys, np.array([r.size for r in refs]))
    for j, r in enumerate(refs):
        x = window[:, j][np.isfinite(window[:, j])]
        assert m[j] == x.size
        assert got[j] == pytest.approx(stats.ks_2samp(r, x).statistic, abs=1e-12)
