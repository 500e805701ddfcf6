"""Huge finite values and infinities never hide a verdict (issue 10, finding 8).

A reference column holding ±1e308 used to give eight NumPy RuntimeWarnings and "ok" for a
column whose KS p-value was ~1e-57 (the Wasserstein gate overflowed to n/a and counted as
"no drift"); with infinities as well the check failed with "edges must be finite", naming
no column. SciPy is the oracle for the tests on the same data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats._morestats import _anderson_ksamp_midrank

import driftscope as ds
from driftscope.drift.methods import METHODS, distances
from driftscope.errors import ConfigError, DataError
from tests.no_warnings import no_warnings

BIG = 1e308


def issue_data(seed: int = 0, n: int = 1000, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The probe's shape: a reference with k values at +1e308 and k at -1e308, a current
    batch whose bulk moved by 0.8 standard deviations."""
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=n)
    ref[:k], ref[k : 2 * k] = BIG, -BIG
    return ref, rng.normal(0.8, 1.0, size=n)


def detect(ref: Any, cur: Any, **kwargs: Any) -> ds.DriftResult:
    detector = no_warnings(ds.DriftDetector, baseline_data={"x": ref}, **kwargs)
    return no_warnings(detector.detect_feature_drift, production_data={"x": cur})


@pytest.mark.parametrize("k", [1, 2, 5, 50])
def test_extreme_reference_values_do_not_hide_drift(k):
    ref, cur = issue_data(k=k)
    want = scipy.stats.ks_2samp(ref, cur)
    assert want.pvalue < 1e-30  # SciPy's verdict on the same data: certainly drift
    col = detect(ref, cur).features["x"]
    ks, gate = col.methods
    assert ks.p_value == pytest.approx(want.pvalue, rel=1e-9)
    assert math.isfinite(gate.statistic) and gate.drifted
    assert col.drifted


def test_extremes_in_both_samples_do_not_hide_a_shift_of_the_bulk():
    rng = np.random.default_rng(1)
    bulk = rng.normal(size=3000)
    ref = np.concatenate([bulk, [BIG, -BIG, BIG]])
    cur = np.concatenate([rng.normal(0.5, 1.0, 3000), [BIG, -BIG, BIG]])
    assert scipy.stats.ks_2samp(ref, cur).pvalue < 1e-20
    col = detect(ref, cur).features["x"]
    # half a sigma moves 2 Φ(0.25) - 1 = 19.7 % of the data, whatever the extremes
    assert col.drifted and col.methods[1].interval[0] > 0.1
    assert col.score == pytest.approx(scipy.stats.ks_2samp(ref, cur).statistic, rel=1e-12)


def test_extreme_values_without_change_are_not_drift():
    """At the 5 % level one trial in twenty may be flagged; the extremes must not add any."""
    flagged = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        ref = np.concatenate([rng.normal(size=2000), [BIG, -BIG]])
        cur = np.concatenate([rng.normal(size=2000), [BIG, -BIG]])
        flagged += detect(ref, cur).features["x"].drifted
    assert flagged <= 3


def test_large_samples_take_the_exact_path_and_agree_with_scipy():
    ref, cur = issue_data(n=20_000, k=50)
    col = detect(ref, cur).features["x"]
    want = scipy.stats.ks_2samp(ref, cur)
    assert col.methods[0].statistic == pytest.approx(want.statistic, rel=1e-12)
    assert col.drifted


NUMERIC_ORACLES = {
    "ks": lambda x, y: scipy.stats.ks_2samp(x, y),
    "cramer_von_mises": lambda x, y: scipy.stats.cramervonmises_2samp(x, y),
    "mann_whitney": lambda x, y: scipy.stats.mannwhitneyu(x, y, alternative="two-sided"),
}


@pytest.mark.parametrize("name", sorted(METHODS))
@pytest.mark.parametrize("where", ["reference", "current", "both"])
def test_every_method_alone_on_extreme_values(name, where):
    cls = METHODS[name]
    if name in ("chi_square", "sparse_chi_square", "z_test", "fisher_exact"):
        pytest.skip("categorical only")
    method = cls(n_permutations=50) if name == "mmd" else cls()
    ref, cur = issue_data(seed=3)
    if where == "reference":
        cur = np.random.default_rng(4).normal(0.8, 1.0, size=1000)
    elif where == "current":
        ref, cur = np.random.default_rng(5).normal(size=1000), ref + 0.8
    else:
        cur = cur.copy()
        cur[:3] = [BIG, -BIG, 1.79e308]
    r = no_warnings(method.test, ref, cur)
    assert not math.isnan(r.statistic)
    if r.p_value is not None:
        assert 0.0 <= r.p_value <= 1.0
    if name in NUMERIC_ORACLES:
        want = NUMERIC_ORACLES[name](ref, cur)
        assert r.p_value == pytest.approx(float(want.pvalue), rel=1e-9, abs=1e-300)
    if name == "anderson_darling":  # SciPy's own A2akN, before it standardises it
        pooled = np.sort(np.concatenate([ref, cur]))
        want = _anderson_ksamp_midrank(
            [ref, cur], pooled, np.unique(pooled), 2, np.array([ref.size, cur.size]), pooled.size
        )
        assert r.statistic == pytest.approx(want, rel=1e-9)
    assert r.drifted  # every method sees a 0.8-sigma shift of the bulk on 1000 rows


def test_the_combination_treats_an_uncomputable_gate_as_unknown(monkeypatch):
    """The issue's failure mode, forced: the gate is n/a while the test rejects. The
    column must be drifted, with a note saying the gate could not be computed."""
    rng = np.random.default_rng(6)
    ref, cur = rng.normal(size=1000), rng.normal(1.0, 1.0, size=1000)
    monkeypatch.setattr(
        distances, "share_moved", lambda pair: (math.nan, pair.reference.n, pair.current.size, None)
    )
    col = detect(ref, cur).features["x"]
    assert col.methods[0].drifted and math.isnan(col.methods[1].statistic)
    assert col.drifted
    assert any("share_moved could not be computed" in note for note in col.notes)


def test_a_gate_that_was_computed_still_vetoes():
    rng = np.random.default_rng(7)
    n = 200_000  # the test rejects a 0.02-sigma shift, the gate does not
    result = detect(rng.normal(size=n), rng.normal(0.02, 1.0, n))
    assert result.features["x"].methods[0].drifted and not result.has_drift


def test_a_column_no_method_could_compute_is_skipped_with_the_reason():
    rng = np.random.default_rng(8)
    result = detect(rng.normal(size=500), [3.0], detection_methods=[ds.CramerVonMisesTest()])
    assert "x" not in result.features
    assert "no method could be computed" in result.skipped["x"]


def test_an_uncomputable_method_among_several_is_noted():
    rng = np.random.default_rng(9)
    methods = [ds.KSTest(), ds.CramerVonMisesTest()]
    result = detect(rng.normal(size=500), [30.0], detection_methods=methods, combine="all")
    col = result.features["x"]  # KS: 30 is above every reference value, p = 2/501
    assert col.methods[0].drifted and math.isnan(col.methods[1].p_value)
    assert col.drifted
    assert any("cramer_von_mises could not be computed" in n for n in col.notes)


def with_infinities(values: np.ndarray, plus: int, minus: int) -> np.ndarray:
    out = values.copy()
    out[:plus] = np.inf
    out[plus : plus + minus] = -np.inf
    return out


def test_reference_infinities_are_counted_and_compared(tmp_path):
    ref, cur = issue_data(seed=10)
    ref = with_infinities(ref[::-1].copy(), 20, 10)  # extremes at the end, infinities first
    result = detect(ref, cur)
    col = result.features["x"]
    assert col.reference.positive_infinite == 20 and col.reference.negative_infinite == 10
    assert col.reference.valid == 970
    assert col.drifted  # the finite values are compared as before
    assert "share of +inf values fell from 2.0% to 0.0%" in col.notes


def test_infinities_with_extreme_values_fit_and_compare_the_same_way_after_saving(tmp_path):
    """The issue's second probe: ±inf and ±1e308 together; reference fit and drift agree."""
    rng = np.random.default_rng(11)
    ref = np.array([-np.inf, -BIG, -1.0, 0.0, 1.0, BIG, np.inf, 2.0, -2.0, 0.5] * 30)
    frame = pd.DataFrame({"x": ref, "y": rng.normal(size=300)})
    current = pd.DataFrame({"x": rng.normal(5.0, 1.0, 300), "y": rng.normal(size=300)})
    detector = no_warnings(ds.DriftDetector, frame)
    direct = no_warnings(detector.detect_feature_drift, current)
    path = tmp_path / "ref.dsref"
    detector.save(path)
    loaded = no_warnings(ds.DriftDetector.load, path)
    again = no_warnings(loaded.detect_feature_drift, current)
    assert direct.features["x"].drifted and again.features["x"].drifted
    a, b = direct.to_dict(), again.to_dict()
    for d in (a, b):
        d.pop("computed_at")
    assert a == b


def test_an_error_while_comparing_a_column_names_it(monkeypatch):
    rng = np.random.default_rng(12)

    def fails(self, pair):
        raise ConfigError("edges must be finite (the outer bins are open-ended)")

    monkeypatch.setattr(ds.AndersonKSTest, "compute", fails)
    with pytest.raises(DataError, match=r"column 'age': cannot be compared: edges must be"):
        detect_frame = ds.DriftDetector(pd.DataFrame({"age": rng.normal(size=50)}))
        detect_frame.detect_feature_drift(pd.DataFrame({"age": rng.normal(size=50)}))


def test_concept_drift_on_huge_regression_targets_is_the_same_test():
    """Squared errors of targets near 1e308 overflowed to inf/NaN and the p-value became
    0.5 ("no drift"); the test does not depend on the units of y, so y * 2**1000 (exact)
    must give the p-value of y."""
    from driftscope.drift.concept import detect_concept_drift

    rng = np.random.default_rng(13)

    def period(n: int, extra: float) -> pd.DataFrame:
        x = rng.normal(size=(n, 2))
        y = x[:, 0] + extra * x[:, 1] + rng.normal(0, 0.3, n)
        return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})

    ref, cur = period(1500, 0.0), period(600, 1.0)
    plain = detect_concept_drift(ref, cur, target="y")
    big_ref, big_cur = (
        ref.assign(y=np.ldexp(ref["y"], 1000)),
        cur.assign(y=np.ldexp(cur["y"], 1000)),
    )
    big = no_warnings(detect_concept_drift, big_ref, big_cur, target="y")
    assert plain.drifted and big.drifted
    assert big.p_value == pytest.approx(plain.p_value, rel=1e-6, abs=1e-300)
    assert big.loss_ratio == pytest.approx(plain.loss_ratio, rel=1e-6)
    with pytest.raises(DataError, match="column 'y': holds infinite values"):
        detect_concept_drift(ref, cur.assign(y=np.inf), target="y")


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.integers(5, 60), elements=st.floats(-100, 100)),
    y=arrays(np.float64, st.integers(5, 60), elements=st.floats(-100, 100)),
    e=st.sampled_from([900, 1015, -1000, -1040]),
)
def test_the_verdict_does_not_depend_on_the_units(x, y, e):
    """Multiplying both samples by 2**e (exact) changes no verdict and no p-value: huge and
    tiny magnitudes are checked exactly like ordinary ones."""
    with np.errstate(all="ignore"):
        bx, by = np.ldexp(x, e), np.ldexp(y, e)
        exact = np.array_equal(np.ldexp(bx, -e), x) and np.array_equal(np.ldexp(by, -e), y)
    if not exact:
        return
    plain = detect(x, y).features["x"]
    big = detect(bx, by).features["x"]
    assert big.methods[0].p_value == pytest.approx(plain.methods[0].p_value, rel=1e-9)
    gate, want = big.methods[1].statistic, plain.methods[1].statistic
    assert gate == pytest.approx(want, rel=1e-9, abs=1e-12)
    if abs(want - 0.1) > 1e-6:  # not on the gate's threshold itself
        assert big.drifted == plain.drifted
