"""Metrics per time or count window, with sample sizes and confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from driftscope.errors import ConfigError, DataError
from driftscope.performance.windows import windowed_metrics


def _frame(n=600, seed=0, hours=72, k=2, probs=False):
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2026-03-02", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, hours * 3600, n)), unit="s"
    )
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"timestamp": ts, "sampling_weight": rng.choice([1.0, 4.0], n)})
    names = np.array(["ant", "bee", "cat"])[:k] if k > 2 else np.arange(k)
    if probs:
        for c in range(k):
            frame[f"prediction.{names[c]}"] = p[:, c]
    else:
        frame["prediction"] = p[:, 1] if k == 2 else names[p.argmax(axis=1)]
    label = names[y].astype(object)
    label[rng.uniform(size=n) < 0.2] = None
    frame["label"] = label
    return frame, p


def test_daily_windows_match_sklearn():
    frame, _ = _frame()
    res = windowed_metrics(
        frame,
        {"auc": {}, "accuracy": {}, "log_loss": {}},
        window="day",
        threshold=0.5,
        n_boot=50,
    )
    out = res.to_frame()
    assert len(out) == 9 and list(out["metric"][:3]) == ["roc_auc", "accuracy", "log_loss"]
    assert out["start"].iloc[0] == pd.Timestamp("2026-03-02", tz="UTC")
    assert out["end"].iloc[0] == pd.Timestamp("2026-03-03", tz="UTC")
    day = frame["timestamp"].dt.floor("D")
    for w in res.windows:
        rows = frame[(day == w.start) & frame["label"].notna()]
        y, s, wt = rows["label"].astype(int), rows["prediction"], rows["sampling_weight"]
        expected = {
            "roc_auc": skm.roc_auc_score(y, s, sample_weight=wt),
            "accuracy": skm.accuracy_score(y, (s >= 0.5).astype(int), sample_weight=wt),
            "log_loss": skm.log_loss(y, s, sample_weight=wt),
        }[w.metric]
        assert w.value == pytest.approx(expected, rel=1e-9)
        assert w.n == len(rows) and w.n_unlabelled == int((day == w.start).sum()) - len(rows)
        assert w.ci_low <= w.value <= w.ci_high
        method = {"accuracy": "wilson", "roc_auc": "delong", "log_loss": "normal"}
        assert w.ci_method == method[w.metric]


def test_hour_week_custom_and_count_windows():
    frame, _ = _frame(n=300, hours=24 * 10)
    week = windowed_metrics(frame, ["mae"], window="week", n_boot=20).windows
    assert [w.start.day_name() for w in week] == ["Monday", "Monday"]
    assert sum(w.n + w.n_unlabelled for w in week) == 300
    hours = windowed_metrics(frame, ["mae"], window="hour", n_boot=20).windows
    assert all(w.end - w.start == pd.Timedelta(hours=1) for w in hours)
    six = windowed_metrics(frame, ["mae"], window=pd.Timedelta(hours=6), n_boot=20).windows
    assert all(w.start.hour % 6 == 0 for w in six)
    counted = windowed_metrics(frame, ["accuracy"], window=100, threshold=0.5).windows
    labelled = int(frame["label"].notna().sum())
    assert [w.n for w in counted] == [100, 100, labelled - 200]
    assert counted[0].start <= counted[0].end <= counted[1].start


def test_small_windows_have_wider_intervals():
    rng = np.random.default_rng(3)
    n = 30_030
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(np.r_[np.zeros(30), np.full(30_000, 86_400)], unit="s"),
            "label": rng.integers(0, 2, n),
        }
    )
    frame["prediction"] = np.where(rng.uniform(size=n) < 0.8, frame["label"], 1 - frame["label"])
    small, large = windowed_metrics(frame, ["accuracy"]).windows
    assert (small.n, large.n) == (30, 30_000)
    assert small.ci_high - small.ci_low > 0.2 > 0.02 > large.ci_high - large.ci_low


def test_probability_columns_multiclass():
    frame, p = _frame(n=400, k=3, probs=True)
    res = windowed_metrics(
        frame,
        {"accuracy": {}, "f1": {"average": "macro"}, "roc_auc": {}},
        window="week",
        n_boot=30,
    ).windows
    lab = frame["label"].notna().to_numpy()
    y = frame["label"][lab].astype(str)
    classes = np.array(["ant", "bee", "cat"])
    pred = classes[p[lab].argmax(axis=1)]
    wt = frame["sampling_weight"][lab]
    assert res[0].value == pytest.approx(skm.accuracy_score(y, pred, sample_weight=wt))
    assert res[1].value == pytest.approx(skm.f1_score(y, pred, average="macro", sample_weight=wt))
    assert res[2].value == pytest.approx(
        skm.roc_auc_score(y, p[lab], multi_class="ovr", sample_weight=wt)
    )


def test_one_class_window_and_unlabelled_window():
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(
                ["2026-01-01 01:00"] * 3 + ["2026-01-02 01:00"] * 2, utc=True
            ),
            "prediction": [0.2, 0.6, 0.9, 0.3, 0.4],
            "label": [1, 1, 1, None, None],
        }
    )
    first, second = windowed_metrics(frame, ["roc_auc"]).windows
    assert not np.isfinite(first.value) and "one class" in first.reason and first.n == 3
    assert (second.n, second.n_unlabelled, second.reason) == (0, 2, "no labelled rows")
    assert second.ci_method == "none"


def test_bad_frames():
    frame, _ = _frame(n=50)
    with pytest.raises(DataError, match="column 'label'"):
        windowed_metrics(frame.drop(columns="label"))
    with pytest.raises(DataError, match="column 'timestamp'"):
        windowed_metrics(frame.drop(columns="timestamp"), ["mae"])
    bad = frame.copy()
    bad.loc[7, "prediction"] = 1.5
    bad.loc[7, "label"] = 1
    with pytest.raises(DataError, match="column 'prediction', row 7"):
        windowed_metrics(bad, ["log_loss"])
    probs, _ = _frame(n=50, k=3, probs=True)
    probs.loc[4, "label"] = "dog"
    with pytest.raises(DataError, match=r"column 'label', row 4: label 'dog' is not one"):
        windowed_metrics(probs, ["accuracy"])
    with pytest.raises(ConfigError, match="window"):
        windowed_metrics(frame, ["mae"], window="fortnightly")
    with pytest.raises(ConfigError, match="unknown metric"):
        windowed_metrics(frame, ["gini"])


def test_text_labels_with_pos_label_match_sklearn():
    labels = ["yes", "no", "yes", None, "no", "yes", "no", "no", "yes"]
    preds = ["yes", "yes", "no", "no", "no", "yes", "no", "yes", "yes"]
    frame = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(range(9), unit="h"),
            "label": labels,
            "prediction": preds,
        }
    )
    spec = {"precision": {"pos_label": "yes"}, "recall": {"pos_label": "yes"}}
    res = windowed_metrics(frame, spec, window=4).windows
    y = [v for v in labels if v is not None]
    p = [q for v, q in zip(labels, preds, strict=True) if v is not None]
    for w, sl in zip(res, [slice(0, 4), slice(0, 4), slice(4, 8), slice(4, 8)], strict=True):
        fn = skm.precision_score if w.metric == "precision" else skm.recall_score
        assert w.value == pytest.approx(fn(y[sl], p[sl], pos_label="yes"))
        assert w.ci_method == "wilson" and w.ci_low <= w.value <= w.ci_high
