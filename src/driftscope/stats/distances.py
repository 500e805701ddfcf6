"""Distances between two aligned histograms (count or proportion vectors).

Each function takes the reference and current vectors over the same categories or bins and
normalises them to shares ``p`` (reference) and ``q`` (current) internally.

**Smoothing** (``psi`` and ``kl_divergence`` only, which are infinite when a share is zero):
shares are clipped to at least ``epsilon`` and then *renormalised* to sum to one. Both
smoothed vectors thus remain probability distributions, and on them
``psi == kl(q||p) + kl(p||q)`` exactly as without smoothing.

>>> ref, cur = [40, 30, 20, 10], [25, 25, 25, 25]
>>> [round(f(ref, cur), 4) for f in (psi, jensen_shannon, hellinger, total_variation)]
[0.2282, 0.2005, 0.1679, 0.2]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import rel_entr

from driftscope.errors import ConfigError
from driftscope.stats._validate import as_counts, check_aligned


def _shares(ref: ArrayLike, cur: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p = as_counts(ref, "reference counts")
    q = as_counts(cur, "current counts")
    check_aligned(p, q)
    return p / p.sum(), q / q.sum()


def _smoothed(share: np.ndarray, epsilon: float) -> np.ndarray:
    s = np.maximum(share, epsilon)
    return s / s.sum()


def _check_epsilon(epsilon: float) -> float:
    try:
        eps = float(epsilon)
    except (TypeError, ValueError):
        raise ConfigError(f"epsilon must be a number in (0, 1), got {epsilon!r}") from None
    if not 0.0 < eps < 1.0:
        raise ConfigError(f"epsilon must lie in (0, 1), got {epsilon!r}")
    return eps


def smoothed_shares(
    ref: ArrayLike, cur: ArrayLike, epsilon: float = 1e-4
) -> tuple[np.ndarray, np.ndarray]:
    """The smoothed shares ``(p_s, q_s)`` used by :func:`psi` and :func:`kl_divergence`:
    shares clipped to at least ``epsilon``, then renormalised to sum to one.

    >>> p, q = smoothed_shares([1, 0], [1, 1], epsilon=0.01)
    >>> [round(float(v), 4) for v in p], [round(float(v), 4) for v in q]
    ([0.9901, 0.0099], [0.5, 0.5])
    """
    eps = _check_epsilon(epsilon)
    p, q = _shares(ref, cur)
    return _smoothed(p, eps), _smoothed(q, eps)


def psi(ref: ArrayLike, cur: ArrayLike, epsilon: float = 1e-4) -> float:
    """Population Stability Index ``sum((q - p) * ln(q / p))`` on the smoothed shares (see
    the module docstring: clip to ``epsilon``, renormalise). Symmetric, >= 0. Raises
    ConfigError unless ``0 < epsilon < 1``.

    >>> round(psi([100, 0], [50, 50]), 4)
    4.6042
    """
    p, q = smoothed_shares(ref, cur, epsilon)
    # log(q) - log(p) rather than log(q / p): exactly symmetric, exactly 0 for p == q
    return float(max(np.sum((q - p) * (np.log(q) - np.log(p))), 0.0))


def kl_divergence(ref: ArrayLike, cur: ArrayLike, epsilon: float = 1e-4) -> float:
    """Kullback-Leibler divergence ``KL(current || reference) = sum(q ln(q / p))`` in nats on
    the smoothed shares (same smoothing as :func:`psi`); equals
    ``scipy.stats.entropy(q_s, p_s)``.

    >>> round(kl_divergence([50, 50], [90, 10]), 4)
    0.3681
    """
    p, q = smoothed_shares(ref, cur, epsilon)
    return float(max(np.sum(rel_entr(q, p)), 0.0))


def jensen_shannon(ref: ArrayLike, cur: ArrayLike) -> float:
    """Jensen-Shannon *distance* (square root of the divergence) with base-2 logarithms,
    in ``[0, 1]``; equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.
    No smoothing is needed: empty bins contribute zero.

    >>> jensen_shannon([1, 0], [0, 1]), jensen_shannon([3, 1], [6, 2])
    (1.0, 0.0)
    """
    p, q = _shares(ref, cur)
    mid = (p + q) / 2.0
    js = (np.sum(rel_entr(p, mid)) + np.sum(rel_entr(q, mid))) / math.log(2.0)
    return float(min(max(math.sqrt(max(js / 2.0, 0.0)), 0.0), 1.0))


def hellinger(ref: ArrayLike, cur: ArrayLike) -> float:
    """Hellinger distance ``sqrt(1 - sum(sqrt(p q)))`` in ``[0, 1]``, computed in the
    equivalent cancellation-free form ``sqrt(sum((sqrt p - sqrt q)^2) / 2)`` and clipped.

    >>> hellinger([1, 0], [0, 1]), hellinger([2, 2], [5, 5])
    (1.0, 0.0)
    """
    p, q = _shares(ref, cur)
    h2 = 0.5 * float(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))
    return min(math.sqrt(max(h2, 0.0)), 1.0)


def total_variation(ref: ArrayLike, cur: ArrayLike) -> float:
    """Total variation distance ``0.5 * sum(|p - q|)`` in ``[0, 1]``.

    >>> total_variation([3, 1], [1, 3])
    0.5
    """
    p, q = _shares(ref, cur)
    return min(0.5 * float(np.sum(np.abs(p - q))), 1.0)
