"""Sampling: achieved rates, rule hits, key determinism, unbiased Horvitz-Thompson weights."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from driftscope.errors import ConfigError
from driftscope.monitor import Flag, HighValue, LowConfidence, SamplingPolicy
from driftscope.monitor.sampling import Sampler, key_uniform
from driftscope.monitor.view import BatchView


def _kept(sampler: Sampler, n: int, prediction=0.7, metadata=None) -> list:
    return [sampler.decide({"x": 1.0}, prediction, metadata) for _ in range(n)]


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.5])
def test_achieved_rate_is_within_binomial_bounds_over_many_seeds(rate):
    n, seeds = 4000, 40
    counts = []
    for seed in range(seeds):
        decisions = _kept(Sampler(SamplingPolicy(rate=rate, seed=seed)), n)
        counts.append(sum(d is not None for d in decisions))
    sd = np.sqrt(n * rate * (1 - rate))
    assert all(abs(c - n * rate) < 5 * sd for c in counts)  # each run: p < 1e-6 to fail
    pooled_sd = np.sqrt(seeds * n * rate * (1 - rate))
    assert abs(sum(counts) - seeds * n * rate) < 4 * pooled_sd


def test_rule_hits_are_always_kept_with_weight_one_and_their_reason():
    policy = SamplingPolicy(
        rate=0.0,
        always_log=[LowConfidence(below=0.5), HighValue(above=0.9), Flag("is_edge_case")],
    )
    sampler = Sampler(policy)
    assert sampler.decide({}, {"confidence": 0.2, "value": 0.1}, None) == (
        1.0,
        "rule:low_confidence",
    )
    assert sampler.decide({}, {"confidence": 0.8, "value": 0.95}, None) == (1.0, "rule:high_value")
    assert sampler.decide({"is_edge_case": True}, {"confidence": 0.8}, None) == (
        1.0,
        "rule:is_edge_case",
    )
    assert sampler.decide({}, {"confidence": 0.8, "value": 0.5}, {"is_edge_case": 1}) == (
        1.0,
        "rule:is_edge_case",
    )
    assert sampler.decide({}, {"confidence": 0.8, "value": 0.5}, None) is None
    # scalar predictions: the rules apply to the number itself
    assert sampler.decide({}, 0.3, None) == (1.0, "rule:low_confidence")
    assert sampler.decide({}, np.float32(0.97), None) == (1.0, "rule:high_value")
    # missing / NaN values never match
    assert sampler.decide({}, {"confidence": float("nan")}, None) is None
    # with a positive rate, every rule hit is still kept, over many draws
    sampler = Sampler(SamplingPolicy(rate=0.01, always_log=[LowConfidence()], seed=1))
    assert all(d == (1.0, "rule:low_confidence") for d in _kept(sampler, 2000, prediction=0.4))


def test_plain_callables_and_a_rule_that_raises():
    def vip(features, prediction, metadata):
        return metadata["tier"] == "vip"

    def broken(features, prediction, metadata):
        raise RuntimeError("bug in a rule")

    sampler = Sampler(SamplingPolicy(rate=0.0, always_log=[broken, vip, lambda f, p, m: p > 5]))
    assert sampler.decide({}, 1.0, {"tier": "vip"}) == (1.0, "rule:vip")
    assert sampler.decide({}, 9.0, {"tier": "x"}) == (1.0, "rule:rule2")
    assert sampler.decide({}, 1.0, None) is None  # vip raises too (no metadata): no
    assert sampler.rule_errors == 4
    view = BatchView(
        3,
        features={"x": [1, 2, 3]},
        predictions={"": [1.0, 9.0, 1.0]},
        metadata={"tier": ["vip", "x", "x"]},
    )
    keep, _weights, codes = sampler.decide_batch(view)
    assert keep.tolist() == [True, True, False]
    assert [sampler.reasons[c] for c in codes[keep]] == ["rule:vip", "rule:rule2"]
    assert sampler.rule_errors == 7


def test_key_decisions_are_deterministic_across_samplers_seeds_and_processes():
    keys = [f"customer-{i}" for i in range(3000)]
    one = Sampler(SamplingPolicy(rate=0.2, key="customer_id", seed=1))
    two = Sampler(SamplingPolicy(rate=0.2, key="customer_id", seed=999))
    a = [one.decide({}, 0.7, {"customer_id": k}) is not None for k in keys]
    b = [two.decide({"customer_id": k}, 0.7, None) is not None for k in keys]  # from features
    assert a == b
    again = [one.decide({}, 0.7, {"customer_id": k}) is not None for k in keys]
    assert again == a  # the same customer is always in or always out
    fraction = np.mean(a)
    assert abs(fraction - 0.2) < 5 * np.sqrt(0.2 * 0.8 / len(keys))
    code = (
        "from driftscope.monitor.sampling import key_uniform\n"
        f"print(''.join('1' if key_uniform(f'customer-{{i}}') < 0.2 else '0' "
        f"for i in range({len(keys)})))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": ":".join(sys.path)},
    ).stdout.strip()
    assert other == "".join("1" if x else "0" for x in a)
    # the batch form decides the same way
    view = BatchView(len(keys), metadata={"customer_id": keys})
    keep, _, _ = one.decide_batch(view)
    assert keep.tolist() == a
    # a salt picks another set of customers
    salted = [key_uniform(k, "experiment-2") < 0.2 for k in keys]
    assert salted != a


def test_horvitz_thompson_weighted_counts_are_unbiased():
    rng = np.random.default_rng(11)
    n = 3000
    confidence = rng.random(n)
    policy_rules = [LowConfidence(below=0.2)]
    truth_low = int((confidence < 0.2).sum())
    totals, highs = [], []
    for seed in range(150):
        sampler = Sampler(SamplingPolicy(rate=0.05, always_log=policy_rules, seed=seed))
        total = high = 0.0
        for c in confidence:
            decision = sampler.decide({}, {"confidence": c}, None)
            if decision is not None:
                total += decision[0]
                high += decision[0] * (c > 0.9)
        totals.append(total)
        highs.append(high)
    for estimates, truth in ((totals, n), (highs, int((confidence > 0.9).sum()))):
        mean = np.mean(estimates)
        se = np.std(estimates, ddof=1) / np.sqrt(len(estimates))
        assert abs(mean - truth) < 4 * se, (mean, truth, se)
    assert truth_low > 0


def test_batch_decisions_match_the_single_path_statistics():
    sampler = Sampler(SamplingPolicy(rate=0.25, always_log=[HighValue(above=0.95)], seed=3))
    n = 40_000
    preds = np.random.default_rng(2).random(n)
    keep, weights, _codes = sampler.decide_batch(BatchView(n, predictions={"": preds}))
    assert (keep[preds > 0.95]).all()
    assert (weights[keep & (preds <= 0.95)] == 4.0).all()
    assert (weights[preds > 0.95] == 1.0).all()
    others = (preds <= 0.95).sum()
    kept_others = (keep & (preds <= 0.95)).sum()
    assert abs(kept_others - 0.25 * others) < 5 * np.sqrt(others * 0.25 * 0.75)


def test_policy_validation_names_the_field():
    with pytest.raises(ConfigError, match="rate"):
        SamplingPolicy(rate=-0.1)
    with pytest.raises(ConfigError, match="always_log"):
        SamplingPolicy(always_log=[42])
    with pytest.raises(ConfigError, match="key"):
        SamplingPolicy(key="")
    with pytest.raises(ConfigError, match="below"):
        LowConfidence(below=float("nan"))
    with pytest.raises(ConfigError, match="names must differ"):
        SamplingPolicy(always_log=[LowConfidence(), LowConfidence(below=0.3)])
    policy = SamplingPolicy(rate=0.5, always_log=LowConfidence())
    assert policy.rules == (LowConfidence(),)


def test_monitor_reports_achieved_rate_and_rule_counts(make_monitor):
    policy = SamplingPolicy(rate=0.1, always_log=[LowConfidence(below=0.5)], seed=8)
    monitor = make_monitor(sampling=policy)
    rng = np.random.default_rng(0)
    confidences = rng.random(5000)
    for c in confidences:
        monitor.log_prediction({"x": 1.0}, {"label": 1, "confidence": float(c)})
    report = monitor.cost_report()
    low = int((confidences < 0.5).sum())
    assert report.total_predictions == 5000
    assert report.always_logged == {"low_confidence": low}
    sampled = report.logged_predictions - low
    assert abs(sampled - 0.1 * (5000 - low)) < 5 * np.sqrt((5000 - low) * 0.09)
    assert report.actual_sampling_rate == report.logged_predictions / 5000
    df = monitor.get_recent_predictions()
    assert len(df) == report.logged_predictions
    assert set(df["sample_reason"]) == {"rule:low_confidence", "sampled"}
