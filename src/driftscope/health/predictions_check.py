"""The prediction-analysis check of one window: anomalies, confidence and prediction mix.

Once per run, :func:`prepare` fits an :class:`~driftscope.predictions.AnomalyModel` on the
feature columns of the baseline's row sample (``Reference.row_sample``; numeric and
categorical features, not text or datetime) and computes the baseline's prediction
statistics from the sample's ``prediction.<class>`` / ``prediction`` columns. Per window
it stores these points of check ``"predictions"`` (all means and shares weighted by
``sampling_weight``):

==========================  ===============================================================
metric                      value
==========================  ===============================================================
``anomaly_rate``            share of rows the anomaly model flags (expected on clean data:
                            its calibrated false-positive rate ``max(measured_fpr,
                            target_fpr)``); details: ``top_reasons``, ``scored_rows``,
                            ``examples`` (the 10 most anomalous rows: their ids, scores
                            and reasons)
``out_of_range_rate``       share of rows outside some numeric feature's support
                            (0.5 %-99.5 % quantiles); details: ``top_features``
``unseen_category_rate``    share of rows with a category never seen in the baseline
                            (only when the model has categorical features)
``mean_confidence``         mean top-class probability (class probabilities only)
``low_confidence_share``    share of rows whose confidence is below 0.6 (binary) or 0.5
                            (three or more classes)
``prediction_mean``         mean of a numeric ``prediction`` (scores, regression outputs)
``class_share:<class>``     share of rows predicting ``<class>`` (arg-max of the
                            probabilities, or the label a model returns)
``identical_predictions``   1 when every prediction of the window is the same (``critical``
                            when the baseline's vary: a stuck model), else 0
==========================  ===============================================================

Besides the points, each window gets an :class:`~driftscope.core.checks.Explanation`,
topic ``what_changed`` (not a metric: the runner attaches it to the run's summary): the
number of notable changes in its text, and in ``details["changes"]`` every compared
metric as a human-readable line, notable ones first (``!``), then by effect size.

Statuses. Each metric is compared with the baseline by a test that knows both sample
sizes (30 rows are not 30,000): shares by a one-sided Fisher exact test on the effective
counts (``n_eff = (sum w)^2 / sum w^2``; the anomaly shares against the anomaly model's
held-out calibration rows), means by a z-test (Welch). The effect size is Cohen's ``h``
for shares and the difference in baseline standard deviations for means.

* ``warning``: the change in the bad direction (more anomalies, out-of-range rows, unseen
  categories or low-confidence rows; lower confidence; any direction for
  ``prediction_mean`` and class shares) is significant at ``ALPHA`` = 0.001 *and* its
  effect is at least ``NEGLIGIBLE`` = 0.05 (so a million rows do not flag a trivial move);
* ``critical``: as warning with an effect of at least ``MEDIUM`` = 0.5 (Cohen's "medium"),
  except ``prediction_mean`` and class shares, which stay at ``warning`` (prediction drift
  has its own check, ``drift``): an anomaly rate of 1 % becoming 5 % is a warning
  (``h`` = 0.26), becoming 15 % is critical (``h`` = 0.6);
* ``ok``: otherwise; a window whose predictions are all identical while the baseline's
  vary is ``critical`` in ``identical_predictions``;
* gaps of the baseline are not charged to every window: without a row sample (a
  baseline saved with ``keep_rows=0``) there are no anomaly points, nor with one too small
  to calibrate the anomaly model on (the ``what_changed`` explanation says so in
  ``anomaly_note``), and without predictions in it the window's prediction statistics
  are stored as ``ok`` with a ``note`` saying there is nothing to compare them with;
* ``unknown`` (a missing value, or the window's value, with a ``reason``): an empty window; a
  baseline whose rows the anomaly model cannot be fitted on; a window whose inputs cannot
  be scored (a missing feature column, a mistyped one) or whose predictions are not valid
  probabilities (outside ``[0, 1]``, rows not summing to 1, missing): the ``error``
  detail names the column and row at fault, and the other points are still computed.

The stored ``threshold`` is the value at which the point would turn ``warning`` (normal
approximation of the exact test, or the effect floor, whichever is further from the
baseline). Anomalies are scored on a seeded uniform subsample of ``SCORED_ROWS`` = 20,000
rows of larger windows (the ``scored_rows`` detail): the calibrated rate is itself known
from about 10,000 held-out baseline rows, so scoring more rows hardly sharpens the test,
and it keeps a window of a million rows and 50 features well under half a second.

>>> import numpy as np, pandas as pd
>>> from datetime import UTC, datetime, timedelta
>>> from driftscope.drift.reference import Reference
>>> from driftscope.health.context import CheckRun, CheckWindow
>>> rng = np.random.default_rng(0)
>>> def rows(n, shift=0.0):
...     x = rng.normal(shift, 1, n)
...     return pd.DataFrame({"x": x, "prediction": 1 / (1 + np.exp(-2 * x))})
>>> ref = Reference.fit(rows(5000))
>>> check = prepare(CheckRun("churn", ref, window=timedelta(days=1)))
>>> day = datetime(2026, 11, 2, tzinfo=UTC)
>>> window = CheckWindow("churn", ref, day, day + timedelta(days=1))
>>> points = check(rows(2000), window)
>>> {p.metric: p.status for p in points[:-1]}["anomaly_rate"], points[-1].topic
('ok', 'what_changed')
>>> shifted = check(rows(2000, shift=4.0), window)
>>> {p.metric: p.status for p in shifted[:-1]}["anomaly_rate"], shifted[-1].text[:17]
('critical', '3 notable changes')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.core.status import Status
from driftscope.errors import DriftscopeError
from driftscope.health.baseline import require_baseline
from driftscope.health.context import (
    CheckRun,
    CheckWindow,
    WindowCheck,
    plain,
    successful,
)
from driftscope.health.predictions_anomalies import anomaly_metrics, anomaly_points, feature_columns
from driftscope.health.predictions_compare import (
    CHECK,
    RULES,
    Compared,
    Stat,
    compare,
    compared_point,
    n_eff,
    unequal_weights,
)
from driftscope.health.predictions_stats import (
    Predictions,
    has_predictions,
    prediction_stats,
)
from driftscope.predictions import AnomalyDetector, AnomalyModel

TOPIC = "what_changed"
MIN_CONSTANT_ROWS = 30
NO_ROWS = "no predictions in the window"
NO_SAMPLE = (
    "the baseline keeps no row sample: re-save it with "
    "monitor.save_reference(Reference.fit(training_data, keep_rows=20_000))"
)


def prepare(run: CheckRun) -> WindowCheck:
    """The prediction-analysis check of ``run``'s windows (see the module docstring);
    without a saved baseline, :class:`~driftscope.health.context.BaselineRequired` (the runner
    stores one ``unknown`` point per window)."""
    require_baseline(run, CHECK)
    sample = run.reference.row_sample if run.reference is not None else None
    model: AnomalyModel | None = None
    model_error = None  # a baseline that cannot be fitted: said in every window
    model_note = None  # a baseline too small to calibrate on: said in what_changed
    base: Predictions | None = None
    base_error = NO_SAMPLE
    if sample is not None and len(sample):
        features = feature_columns(sample, run.reference)
        detector = AnomalyDetector(columns=tuple(features)) if features else None
        if detector is not None and len(sample) < detector.min_reference_rows:
            model_note = (
                f"no anomaly points: the baseline kept {len(sample)} rows, calibrating to a "
                f"{detector.target_fpr:.0%} false-positive rate needs "
                f"{detector.min_reference_rows}"
            )
        elif detector is not None:
            try:
                model = detector.fit(sample)
            except DriftscopeError as exc:
                model_error = f"cannot fit the anomaly model on the baseline's rows: {exc}"
        base_error = "the baseline's rows have no prediction column"
        if has_predictions(sample):
            try:
                base = prediction_stats(sample, None, probability=False)
            except DriftscopeError as exc:
                base_error = f"the baseline's predictions cannot be read: {exc}"
    planned = [*(anomaly_metrics(model) if model else ()), *(base.stats if base else ())]

    planned = planned or ["rows"]  # an empty window still says so

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord | Explanation]:
        frame = successful(frame)  # calls that raised have no prediction
        if frame.empty:
            return [window.record(CHECK, m, None, None, "unknown", reason=NO_ROWS) for m in planned]
        try:
            weights = unequal_weights(frame)
        except DriftscopeError as exc:
            return [
                window.record(CHECK, m, None, None, "unknown", reason="bad weights", error=str(exc))
                for m in planned
            ]
        compared: list[Compared] = []
        out: list[CheckRecord | Explanation] = []
        out += [] if model is None else anomaly_points(model, frame, weights, window, compared)
        if model_error:
            out.append(
                window.record(CHECK, "anomaly_rate", None, None, "unknown", reason=model_error)
            )
        points, now = _prediction_points(base, base_error, frame, weights, window, compared)
        out.extend(points)
        identical = _identical(window, base, now, len(frame))
        out.extend(identical)
        return [*out, _what_changed(window, compared, base, base_error, identical, model_note)]

    return check


# ---------------------------------------------------------------------------- points
def _prediction_points(
    base: Predictions | None,
    base_error: str,
    frame: pd.DataFrame,
    weights: np.ndarray | None,
    window: CheckWindow,
    compared: list[Compared],
) -> tuple[list[CheckRecord], Predictions | None]:
    expected = list(base.stats) if base is not None else []
    if not has_predictions(frame):
        reason = "no prediction column logged in the window"
        return [
            window.record(CHECK, m, None, None, "unknown", reason=reason) for m in expected
        ], None
    probability = base is not None and "mean_confidence" in base.stats
    try:
        now = prediction_stats(frame, weights, probability)
    except DriftscopeError as exc:
        metrics = expected or ["mean_confidence"]
        return [
            window.record(
                CHECK, m, None, None, "unknown", reason="invalid predictions", error=str(exc)
            )
            for m in metrics
        ], None
    mismatch = ""
    if base is not None and base.kind != now.kind:
        mismatch = f"the baseline's predictions are {base.kind}, the window's are {now.kind}"
    # a label can be compared with the arg-max of probabilities, nothing else across kinds
    classes_compare = base is not None and {base.kind, now.kind} <= {"probabilities", "labels"}
    out = []
    n_now = n_eff(len(frame), weights)
    for metric in dict.fromkeys([*now.stats, *(base.stats if base else ()), *now.errors]):
        share = metric.startswith("class_share:")
        if metric in now.errors:
            error = now.errors[metric]
            out.append(
                window.record(
                    CHECK, metric, None, None, "unknown", reason="invalid predictions", error=error
                )
            )
            continue
        if mismatch and not (share and classes_compare):
            value = now.stats[metric].value if metric in now.stats else None
            out.append(window.record(CHECK, metric, value, None, "unknown", reason=mismatch))
            continue
        after = now.stats.get(metric) or (Stat(0.0, n_now) if share else None)
        if base is None:  # nothing to compare with: the value, stored as is
            assert after is not None  # without a baseline every metric is the window's
            out.append(window.record(CHECK, metric, after.value, None, "ok", note=base_error))
            continue
        before = base.stats.get(metric)
        if before is None and share:  # a class the baseline never predicted
            before = Stat(0.0, next(iter(base.stats.values())).n)
        if before is None or after is None:  # e.g. a regression output that fell in [0, 1]
            continue
        side, cap = RULES.get(metric, ("two-sided", "warning"))
        c = compare(metric, before, after, side, cap)
        compared.append(c)
        out.append(compared_point(window, c, baseline=c.before, rows=len(frame)))
    return out, now


def _identical(
    window: CheckWindow, base: Predictions | None, now: Predictions | None, n: int
) -> list[CheckRecord]:
    """``identical_predictions``: 1 when every prediction of the window is the same,
    ``critical`` when the baseline's vary (a stuck model) on at least
    ``MIN_CONSTANT_ROWS`` rows; no point without predictions on both sides."""
    if base is None or now is None:
        return []
    stuck = now.constant is not None
    status = "critical" if stuck and base.constant is None and n >= MIN_CONSTANT_ROWS else "ok"
    details = {"prediction": now.constant, "rows": n} if stuck else {"rows": n}
    return [window.record(CHECK, "identical_predictions", float(stuck), None, status, **details)]


def _what_changed(
    window: CheckWindow,
    compared: list[Compared],
    base: Predictions | None,
    base_error: str,
    identical: list[CheckRecord],
    note: str | None,
) -> Explanation:
    """What changed in the window, in words: every compared metric as a line, notable
    ones first (``!``), then by effect size. Not a metric: the points carry the statuses."""
    ranked = sorted(compared, key=lambda c: (c.status == "ok", -c.effect, c.metric))
    lines = [("! " if c.status != "ok" else "") + c.describe() for c in ranked]
    notable = [c for c in ranked if c.status != "ok"]
    for point in identical:
        if point.status != "ok":
            lines.insert(0, f"! all {point.details['rows']} predictions are identical "
                            f"({point.details['prediction']!r})")  # fmt: skip
    count = len(notable) + sum(p.status != "ok" for p in identical)
    if count:
        names = ", ".join(c.metric for c in notable[:3])
        text = f"{count} notable change{'s' if count > 1 else ''}" + (f": {names}" if names else "")
        if any(p.status != "ok" for p in identical):
            text += "; all predictions identical"
    elif compared:
        text = "no notable change against the baseline"
    else:
        text = f"nothing to compare: {base_error}" if base is None else "nothing to compare"
    statuses = [c.status for c in notable] + [p.status for p in identical if p.status != "ok"]
    details: dict[str, Any] = {
        "changes": lines,
        "notable": count,
        "status": Status.worst(statuses).value if statuses else "ok",
    }
    if note:
        details["anomaly_note"] = note
    return Explanation(CHECK, window.start, window.end, TOPIC, text, plain(details))
