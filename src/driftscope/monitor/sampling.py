"""Which predictions to log: always-log rules, then a sampling rate.

A :class:`SamplingPolicy` decides per prediction, in this order:

1. each ``always_log`` rule in turn: the first that says yes keeps the record with
   ``sampling_weight`` 1 and ``sample_reason`` ``"rule:<name>"``;
2. ``rate == 1``: kept, weight 1, reason ``"all"``;
3. otherwise kept with probability ``rate``, weight ``1 / rate``, reason ``"sampled"``.

Weights are Horvitz–Thompson weights, the inverse of each record's inclusion probability
(1 for rule hits, which are always kept; ``1 / rate`` for the rest), so weighted sums over
the logged records are unbiased estimates of the same sums over *all* predictions:
``sum(sampling_weight)`` estimates how many predictions were made, and a weighted mean
estimates the stream's mean. :func:`driftscope.data.weights.equal_probability_sample`
undoes the unequal weights before a statistical test.

With ``key="customer_id"`` (looked up in the metadata, then the features) the decision for
a record that no rule keeps is a function of that key's value: ``u`` is its stable BLAKE2b
hash mapped to ``[0, 1)`` and the record is kept iff ``u < rate``. The same customer is
then always in or always out, in every process and every run. Inclusion is random over the
keys rather than the records, so the weights stay unbiased (over the hash) but their
variance grows with the records per key. A record without the key falls back to random
sampling.

A rule that raises counts as a ``rule_errors`` and as "no": it never breaks a serving call.

>>> from driftscope.monitor.rules import LowConfidence
>>> policy = SamplingPolicy(rate=0.1, always_log=(LowConfidence(below=0.5),), seed=1)
>>> sampler = Sampler(policy)
>>> sampler.decide({"x": 1.0}, {"label": 1, "confidence": 0.3}, None)
(1.0, 'rule:low_confidence')
>>> kept = [sampler.decide({}, 0.9, None) for _ in range(10_000)]
>>> 0.08 < sum(k is not None for k in kept) / 10_000 < 0.12, kept[0] in (None, (10.0, 'sampled'))
(True, True)
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftscope.errors import ConfigError
from driftscope.monitor.rules import Predicate, Rule, as_rule
from driftscope.monitor.view import BatchView

Decision = tuple[float, str] | None


@dataclass(frozen=True)
class SamplingPolicy:
    """How a monitor samples: ``rate`` in [0, 1], ``always_log`` rules (rule objects or
    callables ``f(features, prediction, metadata) -> bool``), an optional ``key`` that makes
    decisions deterministic per key value, a ``seed`` for the random draws and a ``salt``
    that changes which keys are chosen.

    >>> SamplingPolicy(rate=0.25, key="customer_id").weight
    4.0
    >>> SamplingPolicy(rate=1.5)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: SamplingPolicy.rate must be a number in [0, 1], got 1.5
    """

    rate: float = 1.0
    always_log: Sequence[Rule | Callable[..., bool]] = ()
    key: str | None = None
    seed: int | None = None
    salt: str = ""
    rules: tuple[Rule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rate = self.rate
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int | float)
            or not math.isfinite(rate)
            or not 0 <= rate <= 1
        ):
            raise ConfigError(f"SamplingPolicy.rate must be a number in [0, 1], got {rate!r}")
        object.__setattr__(self, "rate", float(rate))
        if isinstance(self.always_log, Rule) or callable(self.always_log):
            object.__setattr__(self, "always_log", (self.always_log,))
        try:
            given = tuple(self.always_log)
        except TypeError:
            raise ConfigError(
                f"SamplingPolicy.always_log must be a sequence of rules, got {self.always_log!r}"
            ) from None
        object.__setattr__(self, "always_log", given)
        rules = tuple(as_rule(rule, i, "SamplingPolicy.always_log") for i, rule in enumerate(given))
        names = [rule.name for rule in rules]
        if len(set(names)) != len(names):
            raise ConfigError(f"SamplingPolicy.always_log: rule names must differ, got {names}")
        object.__setattr__(self, "rules", rules)
        if self.key is not None and (not isinstance(self.key, str) or not self.key):
            raise ConfigError(f"SamplingPolicy.key must be a non-empty string, got {self.key!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ConfigError(f"SamplingPolicy.seed must be an int or None, got {self.seed!r}")
        if not isinstance(self.salt, str):
            raise ConfigError(f"SamplingPolicy.salt must be a string, got {self.salt!r}")

    @property
    def weight(self) -> float:
        """The weight of a sampled (not rule-kept) record: ``1 / rate``."""
        return 1.0 / self.rate if self.rate > 0 else math.inf


def key_uniform(value: Any, salt: str = "") -> float:
    """A stable uniform number in [0, 1) for a key value (BLAKE2b of ``str(value)``).

    >>> key_uniform("customer-42") == key_uniform("customer-42")
    True
    """
    data = f"{salt}\x1f{value}".encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 18446744073709551616.0


class Sampler:
    """A :class:`SamplingPolicy` at work: random state, rule error count (thread-safe).

    Random draws come from the policy's ``seed`` and a ``stream`` number, so that forked
    workers sharing a seeded policy do not make the same draws in step.

    >>> from driftscope.monitor.rules import LowConfidence
    >>> sampler = Sampler(SamplingPolicy(rate=0.1, always_log=[LowConfidence(below=0.5)], seed=7))
    >>> sampler.decide({"x": 1}, {"label": 1, "confidence": 0.2}, None)
    (1.0, 'rule:low_confidence')
    """

    def __init__(self, policy: SamplingPolicy, stream: int = 0):
        self.policy = policy
        self._checks = tuple((rule, (1.0, f"rule:{rule.name}")) for rule in policy.rules)
        self._rate = policy.rate
        self._sampled: Decision = (policy.weight, "sampled")
        # ``stream`` tells apart samplers sharing a seed (a forked child passes its pid)
        seed = policy.seed
        self._random = random.Random(None if seed is None else f"{seed}/{stream}").random
        self._rng = np.random.default_rng(None if seed is None else [seed, stream])
        self._key = policy.key
        self._lock = threading.Lock()
        self.rule_errors = 0

    @property
    def reasons(self) -> list[str]:
        """Every ``sample_reason`` this sampler gives, rules first."""
        return [reason for _, (_, reason) in self._checks] + ["all", "sampled"]

    def _error(self, count: int = 1) -> None:
        with self._lock:
            self.rule_errors += count

    def decide(self, features: Any, prediction: Any, metadata: Any) -> Decision:
        """``(weight, reason)`` for a record to keep, None for one to skip."""
        for rule, decision in self._checks:
            try:
                if rule(features, prediction, metadata):
                    return decision
            except Exception:
                self._error()
        if self._rate >= 1.0:
            return _ALL
        if self._rate <= 0.0:
            return None
        if self._key is not None:
            value = _key_value(self._key, features, metadata)
            if value is not None:
                try:
                    u = key_uniform(value, self.policy.salt)
                except Exception:
                    u = self._random()
                return self._sampled if u < self._rate else None
        return self._sampled if self._random() < self._rate else None

    def decide_batch(self, view: BatchView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vectorised :meth:`decide`: ``keep`` mask, weights and reason codes (indexes into
        :attr:`reasons`) for the ``view.n`` records of a batch."""
        n = view.n
        codes = np.full(n, -1, np.int16)
        for index, (rule, _) in enumerate(self._checks):
            open_rows = codes < 0
            if not open_rows.any():
                break
            try:
                hits = np.asarray(rule.mask(view), dtype=bool)
                if hits.shape != (n,):
                    raise ValueError(f"rule {rule.name} gave {hits.shape} values for {n} rows")
            except Exception:
                self._error(n)
                continue
            codes[open_rows & hits] = index
        if view.rule_errors:
            self._error(view.rule_errors)
            view.rule_errors = 0
        rules = len(self._checks)
        open_rows = codes < 0
        if self._rate >= 1.0:
            codes[open_rows] = rules
        elif self._rate > 0.0:
            u = self._uniforms(view)
            codes[open_rows & (u < self._rate)] = rules + 1
        keep = codes >= 0
        weights = np.where(codes == rules + 1, self.policy.weight, 1.0)
        return keep, weights, codes

    def _uniforms(self, view: BatchView) -> np.ndarray:
        u = self._rng.random(view.n)
        if self._key is None:
            return u
        values = view.lookup(self._key, metadata_first=True)
        if values is None:
            return u
        import pandas as pd

        codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
        hashed = np.array([key_uniform(v, self.policy.salt) for v in uniques], np.float64)
        return np.where(codes >= 0, hashed[np.maximum(codes, 0)], u)


_ALL: Decision = (1.0, "all")


def _key_value(key: str, features: Any, metadata: Any) -> Any:
    if isinstance(metadata, Mapping):
        value = metadata.get(key)
        if value is not None:
            return value
    if isinstance(features, Mapping):
        return features.get(key)
    return None


__all__ = ["Predicate", "Rule", "Sampler", "SamplingPolicy", "key_uniform"]
