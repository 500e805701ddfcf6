"""The performance check: realized metrics per window against the baseline (values checked
against scikit-learn), the learnt band's false alarms and power, fixed thresholds, late
labels and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, mean_absolute_error, roc_auc_score

from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError
from driftscope.health.context import CheckRun, CheckWindow
from driftscope.health.performance_check import prepare
from driftscope.monitor import ModelMonitor
from tests.monitor.conftest import real_store

DAY = timedelta(days=1)
START = datetime(2026, 11, 2, tzinfo=UTC)


def _scored(rng, n, accuracy=0.9, start=START):
    """A binary classifier's scores and labels: the score is on the right side of 0.5 with
    probability ``accuracy``."""
    label = rng.integers(0, 2, n)
    right = rng.random(n) < accuracy
    margin = rng.uniform(0.01, 0.5, n)
    score = np.where(label == 1, 0.5 + margin, 0.5 - margin)
    score = np.where(right, score, 1 - score)
    score = np.clip(score, 0, 0.999)
    stamps = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, 86_399, n)), unit="s")
    return pd.DataFrame(
        {"x": rng.normal(size=n), "prediction": score, "label": label, "timestamp": stamps}
    )


def _check(reference, metrics=("accuracy",), thresholds=None, **options):
    run = CheckRun("m", reference, DAY, thresholds or {}, metrics, options=options)
    return prepare(run), CheckWindow("m", reference, START, START + DAY)


def _points(records):
    return {r.metric: r for r in records}


@pytest.fixture(scope="module")
def baseline():
    rng = np.random.default_rng(7)
    return Reference.fit(_scored(rng, 20_000).drop(columns="timestamp"))


def test_values_equal_sklearn_and_ratio_to_baseline(baseline, rng):
    check, window = _check(baseline, metrics=("accuracy", "auc"))
    frame = _scored(rng, 4000, accuracy=0.88)
    frame.loc[frame.index[::3], "label"] = np.nan  # a third not labelled yet
    frame["sampling_weight"] = rng.choice([1.0, 4.0], len(frame))
    points = _points(check(frame, window))
    lab = frame.dropna(subset=["label"])
    w = lab["sampling_weight"]
    acc = accuracy_score(lab["label"], lab["prediction"] >= 0.5, sample_weight=w)
    auc = roc_auc_score(lab["label"], lab["prediction"], sample_weight=w)
    assert points["accuracy"].value == pytest.approx(acc, abs=1e-12)
    assert points["roc_auc"].value == pytest.approx(auc, abs=1e-12)
    assert points["labelled_rows"].value == len(lab)
    assert points["labelled_rows"].details["unlabelled"] == len(frame) - len(lab)
    rows = baseline.row_sample
    base = accuracy_score(rows["label"], rows["prediction"] >= 0.5)
    assert points["accuracy"].details["baseline"] == pytest.approx(base)
    ratio = points["accuracy_vs_baseline"].value
    assert ratio == pytest.approx(acc / base)
    d = points["accuracy"].details
    assert d["ci_low"] < acc < d["ci_high"] and d["ci_method"] == "wilson"


def test_band_false_alarms_are_rare_and_a_real_dip_is_seen(baseline):
    check, window = _check(baseline)
    alarms = 0
    for seed in range(120):  # stationary windows: expect ~0.13% alarms per window at 3 sigma
        frame = _scored(np.random.default_rng(1000 + seed), 800, accuracy=0.9)
        alarms += _points(check(frame, window))["accuracy"].status != "ok"
    assert alarms <= 3
    # the same 10-point dip: invisible on 30 rows, certain on 30,000
    small = _points(check(_scored(np.random.default_rng(1), 30, 0.8), window))["accuracy"]
    large = _points(check(_scored(np.random.default_rng(2), 30_000, 0.8), window))["accuracy"]
    assert small.status == "ok" and large.status == "warning"
    assert large.threshold == pytest.approx(large.details["band_limit"])


def test_fixed_threshold_critical_only_when_the_interval_is_below(baseline):
    check, window = _check(baseline, thresholds={"accuracy": 0.85})
    many = _points(check(_scored(np.random.default_rng(3), 5000, 0.75), window))["accuracy"]
    few = _points(check(_scored(np.random.default_rng(4), 20, 0.8), window))["accuracy"]
    assert many.status == "critical" and many.threshold == 0.85
    assert many.details["ci_high"] < 0.85
    if few.value < 0.85:
        assert few.status == "warning" and few.details["ci_high"] >= 0.85


def test_regression_errors_alarm_upwards(rng):
    n = 10_000
    x = rng.normal(size=n)
    ref = Reference.fit({"x": x, "prediction": x, "label": x + rng.normal(0, 1, n)})
    check, window = _check(ref, metrics=("mae",), thresholds={"mae": 1.0})
    stamps = pd.Timestamp(START) + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s")
    worse = pd.DataFrame({"prediction": x, "label": x + rng.normal(0, 2, n), "timestamp": stamps})
    point = _points(check(worse, window))["mae"]
    assert point.value == pytest.approx(mean_absolute_error(worse["label"], worse["prediction"]))
    assert point.status == "critical" and point.details["band_limit"] > point.details["baseline"]
    better = worse.assign(label=x + rng.normal(0, 0.5, n))
    assert _points(check(better, window))["mae"].status == "ok"


def test_bad_and_missing_input_give_defined_points(baseline, rng):
    check, window = _check(baseline, metrics=("accuracy", "auc"))
    empty = check(_scored(rng, 10).iloc[:0], window)
    assert {r.status for r in empty} == {"unknown"}
    unlabelled = _points(check(_scored(rng, 100).assign(label=np.nan), window))
    assert unlabelled["accuracy"].status == "unknown"
    assert unlabelled["accuracy"].details["reason"] == "no labels yet"
    one_class = _scored(rng, 200).assign(label=1)
    points = _points(check(one_class, window))
    assert points["roc_auc"].status == "unknown" and "class" in points["roc_auc"].details["reason"]
    assert points["accuracy"].status in ("ok", "warning", "critical")
    text = _scored(rng, 50)
    text["label"] = text["label"].map({0: "no", 1: "yes"}).astype(object)
    points = _points(check(text, window))
    assert points["accuracy"].status == "unknown" and "label" in points["accuracy"].details["error"]
    failed = _scored(rng, 300)
    failed.loc[failed.index[:40], "prediction"] = np.nan  # calls that raised: no prediction
    points = _points(check(failed, window))
    assert points["labelled_rows"].details["without_prediction"] == 40
    assert points["accuracy"].details["n"] == 260


def test_without_baseline_labels_only_fixed_thresholds_apply(rng):
    ref = Reference.fit({"x": rng.normal(size=1000)})
    check, window = _check(ref, thresholds={"accuracy": 0.85})
    points = _points(check(_scored(rng, 5000, 0.7), window))
    assert points["accuracy"].status == "critical"
    assert "no labels" in points["accuracy"].details["baseline_note"]
    assert points["accuracy_vs_baseline"].status == "unknown"


def test_run_checks_recomputes_performance_while_labels_arrive(tmp_path, rng):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - 2 * DAY
    with ModelMonitor("late", store=real_store(tmp_path), metrics=["accuracy"]) as monitor:
        monitor.save_reference(_scored(rng, 5000).drop(columns="timestamp"))
        frame = _scored(rng, 2000, 0.9, start=first)
        ids = monitor.log_predictions(
            frame[["x"]], frame["prediction"].to_numpy(), timestamps=frame["timestamp"]
        )
        with pytest.raises(ConfigError, match="unknown option"):
            monitor.run_checks("day", since=first, sigma=2)
        before = monitor.run_checks("day", since=first, until=first + DAY)
        assert _points(before.records)["accuracy"].status == "unknown"
        monitor.log_ground_truths(list(ids), frame["label"].tolist())
        assert monitor.run_checks("day", until=first + DAY).records == ()
        after = monitor.run_checks("day", until=first + 2 * DAY, label_delay=3 * DAY)
        accuracy = [r for r in after.records if r.metric == "accuracy"]
        # the second day is after the model's last record: not checked (driftscope.health.plan)
        assert [r.window_start for r in accuracy] == [first]
        expected = accuracy_score(frame["label"], frame["prediction"] >= 0.5)
        assert accuracy[0].value == pytest.approx(expected)
        stored = monitor.store.read_check_results("late", check="performance")
        day_one = stored[(stored["metric"] == "accuracy") & (stored["window_start"] == first)]
        assert len(day_one) == 1 and day_one["value"].iloc[0] == pytest.approx(expected)
        assert {r.check for r in after.records if r.window_start == first} == {"performance"}


def test_every_metric_the_monitor_accepts_is_computed():
    from driftscope.monitor.config import KNOWN_METRICS
    from driftscope.performance.metrics import resolve

    assert all(resolve(name) for name in KNOWN_METRICS)


def test_performance_is_estimated_before_the_labels_arrive(baseline):
    check, window = _check(baseline, metrics=("accuracy", "auc"), thresholds={"accuracy": 0.95})
    frame = _scored(np.random.default_rng(11), 20_000, accuracy=0.9)
    truth = frame["label"].copy()
    points = _points(check(frame.assign(label=np.nan), window))
    assert points["accuracy"].status == "unknown"  # no label yet: nothing realized
    estimate = points["estimated_accuracy"]
    realized = accuracy_score(truth, frame["prediction"] >= 0.5)
    assert abs(estimate.value - realized) < 0.01
    assert estimate.status == "warning" and estimate.threshold == 0.95  # below, but a guess
    auc = points["estimated_roc_auc"].value
    assert abs(auc - roc_auc_score(truth, frame["prediction"])) < 0.01


def test_multiclass_probabilities_with_named_classes(rng):
    from sklearn.metrics import f1_score

    classes = np.array(["barbera", "barolo", "grignolino"])

    def rows(n):
        label = rng.integers(0, 3, n)
        logits = rng.normal(size=(n, 3))
        logits[np.arange(n), label] += 1.5
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        stamps = pd.Timestamp(START) + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s")
        frame = pd.DataFrame({f"prediction.{c}": p[:, k] for k, c in enumerate(classes)})
        return frame.assign(label=classes[label], timestamp=stamps), p

    base, _ = rows(3000)
    ref = Reference.fit(base.drop(columns="timestamp"))
    check, window = _check(ref, metrics=("accuracy", "f1", "auc"))
    frame, p = rows(2000)
    points = _points(check(frame, window))
    predicted = classes[p.argmax(axis=1)]
    assert points["accuracy"].value == pytest.approx(accuracy_score(frame["label"], predicted))
    assert points["f1"].value == pytest.approx(f1_score(frame["label"], predicted, average="macro"))
    auc = roc_auc_score(frame["label"], p, multi_class="ovr", labels=classes)
    assert points["roc_auc"].value == pytest.approx(auc)
    assert {points[m].status for m in ("accuracy", "f1", "roc_auc")} == {"ok"}
