"""driftscope.performance metrics equal scikit-learn's, on random and awkward inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from driftscope.performance import metrics as m


def _data(seed: int, n: int = 200, k: int = 2, ties: bool = False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    if ties:
        logits = np.round(logits, 0)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    w = rng.uniform(1, 20, n)
    return y, p, w


def close(ours, theirs):
    assert ours.defined
    assert ours.value == pytest.approx(theirs, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_binary_metrics(seed, weighted, ties):
    y, p, w = _data(seed, ties=ties)
    w = w if weighted else None
    s = p[:, 1]
    pred = (s > 0.5).astype(int)
    close(m.accuracy(y, pred, sample_weight=w), skm.accuracy_score(y, pred, sample_weight=w))
    for name, fn in (
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
    ):
        for avg in ("binary", "micro", "macro", "weighted"):
            ours = m.compute(name, y, pred, sample_weight=w, average=avg)
            close(ours, fn(y, pred, sample_weight=w, average=avg))
    close(m.roc_auc(y, s, sample_weight=w), skm.roc_auc_score(y, s, sample_weight=w))
    close(m.pr_auc(y, s, sample_weight=w), skm.average_precision_score(y, s, sample_weight=w))
    close(m.log_loss(y, s, sample_weight=w), skm.log_loss(y, s, sample_weight=w))
    close(m.brier_score(y, s, sample_weight=w), skm.brier_score_loss(y, s, sample_weight=w))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_multiclass_metrics(seed, weighted, ties):
    y, p, w = _data(seed, n=300, k=4, ties=ties)
    w = w if weighted else None
    labels = np.array(["ant", "bee", "cat", "dog"])[y]
    pred = np.array(["ant", "bee", "cat", "dog"])[p.argmax(axis=1)]
    close(
        m.accuracy(labels, pred, sample_weight=w), skm.accuracy_score(labels, pred, sample_weight=w)
    )
    for name, fn in (
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
    ):
        for avg in ("micro", "macro", "weighted"):
            ours = m.compute(name, labels, pred, sample_weight=w, average=avg)
            close(ours, fn(labels, pred, sample_weight=w, average=avg))
    for avg in ("macro", "weighted"):
        close(
            m.roc_auc(labels, p, average=avg, sample_weight=w),
            skm.roc_auc_score(labels, p, multi_class="ovr", average=avg, sample_weight=w),
        )
        close(
            m.pr_auc(labels, p, average=avg, sample_weight=w),
            skm.average_precision_score(y, p, average=avg, sample_weight=w),
        )
    close(m.log_loss(labels, p, sample_weight=w), skm.log_loss(labels, p, sample_weight=w))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics(seed, weighted):
    rng = np.random.default_rng(seed)
    y = rng.normal(5, 2, 150)
    y[:3] = 0.0  # MAPE with zero labels
    pred = y + rng.normal(0, 1, 150)
    w = rng.uniform(1, 5, 150) if weighted else None
    close(m.mae(y, pred, sample_weight=w), skm.mean_absolute_error(y, pred, sample_weight=w))
    close(m.rmse(y, pred, sample_weight=w), skm.root_mean_squared_error(y, pred, sample_weight=w))
    close(
        m.mape(y, pred, sample_weight=w),
        skm.mean_absolute_percentage_error(y, pred, sample_weight=w),
    )
    close(m.r2(y, pred, sample_weight=w), skm.r2_score(y, pred, sample_weight=w))


def test_all_identical_predictions():
    y = np.array([0, 1, 1, 0, 1])
    const = np.zeros(5, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn in (("precision", skm.precision_score), ("f1", skm.f1_score)):
            ours = m.compute(name, y, const)
            close(ours, fn(y, const))
        assert "zero_division" in m.precision(y, const).reason
    close(m.recall(y, const), 0.0)
    close(m.roc_auc(y, np.full(5, 0.3)), 0.5)
    close(m.pr_auc(y, np.full(5, 0.3)), skm.average_precision_score(y, np.full(5, 0.3)))
    close(m.r2([1.0, 2.0], [1.5, 1.5]), skm.r2_score([1.0, 2.0], [1.5, 1.5]))


def test_one_class_window():
    y = np.ones(6, dtype=int)
    s = np.linspace(0.1, 0.9, 6)
    auc = m.roc_auc(y, s)
    assert not auc.defined and "one class" in auc.reason and auc.n == 6
    close(m.pr_auc(y, s), skm.average_precision_score(y, s))
    assert not m.pr_auc(np.zeros(6, int), s).defined
    close(m.log_loss(y, s), skm.log_loss(y, s, labels=[0, 1]))
    close(m.brier_score(y, s), skm.brier_score_loss(y, s))
    close(m.accuracy(y, y), 1.0)
    # one-vs-rest leaves out a class absent from the labels and says which
    p = np.full((4, 3), 1 / 3) + np.array([[0.1, -0.1, 0]] * 2 + [[-0.1, 0.1, 0]] * 2)
    r = m.roc_auc(["a", "a", "b", "b"], p, classes=["a", "b", "c"])
    assert r.value == 1.0 and "'c'" in r.reason
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r2 = m.r2([3.0, 3.0], [3.0, 3.0])
    assert r2.value == skm.r2_score([3.0, 3.0], [3.0, 3.0]) and "constant" in r2.reason


def test_empty_and_missing_labels():
    for name in m.METRICS:
        r = m.compute(name, [], [])
        assert not r.defined and r.reason == "no labelled rows" and r.n == 0
    y = np.array([1.0, np.nan, 0.0, np.nan, 1.0])
    s = np.array([0.9, 0.5, 0.2, 0.1, 0.4])
    r = m.roc_auc(y, s)
    assert (r.n, r.n_dropped, r.value) == (3, 2, 1.0)
    r = m.accuracy(np.array(["a", None, "b"], dtype=object), ["a", "b", "a"])
    assert (r.n, r.n_dropped, r.value) == (2, 1, 0.5)
    r = m.accuracy([np.nan, np.nan], [1.0, 0.0])
    assert not r.defined and "2 without a label" in r.reason
    assert not m.accuracy([1, 0], [1, 0], sample_weight=[0, 0]).defined
