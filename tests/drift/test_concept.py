"""Concept drift (a change of P(y | x)): false alarms on no-change data, power on changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.concept import detect_concept_drift
from driftscope.errors import ConfigError, DataError


def _period(rng, n, *, flip=0.0, shift=0.0):
    x = rng.normal(size=(n, 3))
    x[:, 0] += shift
    logit = 1.5 * x[:, 0] - x[:, 1] + flip * x[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    plan = np.where(x[:, 1] > 0, "pro", "basic")
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "plan": plan, "y": y})


@pytest.mark.slow
@pytest.mark.parametrize("shift", [0.0, 1.0], ids=["same-x", "covariate-shift"])
def test_false_alarm_rate_without_concept_drift(shift):
    """30 seeds at alpha = 0.05: more than 5 alarms has probability < 8 % under the null.
    With a covariate shift of 1 sd the loss rises, yet the reweighting keeps the level."""
    alarms = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        result = detect_concept_drift(
            _period(rng, 1200), _period(rng, 600, shift=shift), target="y", seed=seed
        )
        alarms += result.drifted
    assert alarms <= 5, alarms


@pytest.mark.slow
def test_a_changed_relation_is_found():
    found = 0
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        result = detect_concept_drift(
            _period(rng, 1200), _period(rng, 600, flip=2.5), target="y", seed=seed
        )
        found += result.drifted
        assert result.current_loss > result.reference_loss
    assert found >= 8, found


def test_regression_targets_and_the_result_fields(rng):
    def period(n, extra):
        x = rng.normal(size=(n, 2))
        return pd.DataFrame(
            {"a": x[:, 0], "b": x[:, 1], "y": x[:, 0] + extra * x[:, 1] + rng.normal(0, 0.3, n)}
        )

    changed = detect_concept_drift(period(1500, 0.0), period(600, 1.0), target="y")
    assert changed.task == "regression" and changed.loss == "squared_error"
    assert changed.drifted and changed.loss_ratio > 2
    assert changed.to_dict()["p_value"] == changed.p_value
    same = detect_concept_drift(period(1500, 0.0), period(600, 0.0), target="y")
    assert same.p_value > 0.001


def test_bad_input_names_what_is_wrong(rng):
    ref, cur = _period(rng, 500), _period(rng, 300)
    with pytest.raises(DataError, match="'label'"):
        detect_concept_drift(ref, cur, target="label")
    with pytest.raises(DataError, match="at least 100 reference"):
        detect_concept_drift(ref.iloc[:50], cur, target="y")
    with pytest.raises(DataError, match="'zzz'"):
        detect_concept_drift(ref, cur, target="y", features=["a", "zzz"])
    with pytest.raises(ConfigError, match="task"):
        detect_concept_drift(ref, cur, target="y", task="ranking")
    unlabelled = cur.assign(y=np.nan)
    with pytest.raises(DataError, match="labelled rows"):
        detect_concept_drift(ref, unlabelled, target="y")
