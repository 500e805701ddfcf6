"""Maximum mean discrepancy (MMD) permutation test with a Gaussian kernel.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> r = mmd_test(rng.normal(size=200), rng.normal(1.0, 1.0, size=200), n_permutations=99)
>>> r.statistic > 0, r.pvalue
(True, 0.01)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.distance import pdist, squareform

from driftscope.errors import ConfigError
from driftscope.stats._magnitude import exponent_for
from driftscope.stats.ecdf import SortedSample
from driftscope.stats.result import TestResult

#: Absolute tolerance for ties between permuted and observed MMD² (kernel values are in
#: [0, 1], so MMD² is O(1) and its rounding noise is ~1e-13 at the default sizes).
_TIE_TOL = 1e-10
#: Distances beyond this many bandwidths have a kernel value of exactly 0 (exp(-800)).
_FAR = 40.0


def _as_points(x: SortedSample | ArrayLike, name: str) -> tuple[np.ndarray, SortedSample | None]:
    """2-D float64 points (rows) of a sample, or a SortedSample to draw ranks from."""
    if isinstance(x, SortedSample):
        return np.empty((0, 1)), x
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (rows are observations), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one value is needed")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr, None


def _subsample(
    points: np.ndarray, sample: SortedSample | None, max_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """At most ``max_samples`` rows drawn without replacement (a SortedSample is treated as
    its full sorted array ``repeat()``, without materialising it)."""
    size = sample.n if sample is not None else points.shape[0]
    idx = rng.choice(size, size=max_samples, replace=False) if size > max_samples else None
    if sample is not None:
        values = sample.repeat() if idx is None else sample.value_at_rank(idx)
        return np.asarray(values, dtype=np.float64)[:, None]
    return points if idx is None else points[idx]


def _median_distance(dists: np.ndarray) -> float:
    """Median of the non-zero distances (1.0 if none)."""
    d = dists[dists > 0]
    return float(np.median(d)) if d.size else 1.0


def pairwise_distances(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Condensed Euclidean distances between the rows of ``points`` in some unit ``u``, and
    ``u``: distance / ``u`` is what is returned. Computed so that nothing overflows or
    underflows for any finite values: one-dimensional points as ``|x/2 - y/2|`` (``u = 2``;
    halves are exact and their difference finite), others rescaled by a power of two when
    their magnitudes leave the safe band (``u = 2**e``).

    >>> pairwise_distances(np.array([[-1e308], [1e308], [0.0]]))  # 2e308 would be inf
    (array([1.e+308, 5.e+307, 5.e+307]), 2.0)
    """
    if points.shape[1] == 1:
        return pdist(points / 2.0, "cityblock"), 2.0
    e = exponent_for(float(np.abs(points).max()))
    scaled = np.ldexp(points, -e) if e else points
    return pdist(scaled, "euclidean"), math.ldexp(1.0, e)


def median_heuristic(points: np.ndarray) -> float:
    """Median of the pairwise Euclidean distances between the rows of ``points``, ignoring
    zero distances (ties); ``1.0`` when all points coincide. The default bandwidth of
    :func:`mmd_test` (computed on the pooled samples); ``inf`` when the median distance is
    beyond float64.

    >>> median_heuristic(np.array([[0.0], [1.0], [3.0]]))
    2.0
    """
    dists, unit = pairwise_distances(np.asarray(points, dtype=np.float64))
    return _median_distance(dists) * unit  # a power of two: exact, or inf beyond float64


def _mmd2_batch(kernel: np.ndarray, members: np.ndarray, n: int, m: int) -> np.ndarray:
    """Unbiased MMD² for each row of the 0/1 membership matrix ``members`` (B x N, n ones
    per row marking the first sample), from one matrix product with the kernel."""
    row_sums = kernel.sum(axis=1)
    total = row_sums.sum()
    s_xx = np.einsum("bi,bi->b", members @ kernel, members)  # a' K a
    s_x_all = members @ row_sums  # a' K 1
    s_yy = total - 2.0 * s_x_all + s_xx
    s_xy = s_x_all - s_xx
    diag = 1.0  # k(x, x) = exp(0)
    return (
        (s_xx - n * diag) / (n * (n - 1)) + (s_yy - m * diag) / (m * (m - 1)) - 2.0 * s_xy / (n * m)
    )


def mmd_test(
    reference: SortedSample | ArrayLike,
    current: ArrayLike,
    *,
    n_permutations: int = 200,
    bandwidth: float | None = None,
    max_samples: int = 2000,
    seed: int = 0,
) -> TestResult:
    """MMD two-sample test: unbiased MMD² with the Gaussian kernel
    ``k(x, y) = exp(-|x - y|² / (2 bandwidth²))`` and a permutation p-value.

    * Samples are 1-D (values) or 2-D (rows are observations, same number of columns);
      a fitted :class:`SortedSample` reference counts as its sorted values. Each sample
      needs at least 2 observations (ValueError otherwise).
    * Samples larger than ``max_samples`` are subsampled without replacement with
      ``rng = np.random.default_rng(seed)`` (reference first, then current), so the test is
      then approximate (and deterministic for a given seed).
    * ``bandwidth=None`` uses the median heuristic on the pooled (sub)samples: the median
      of the non-zero pairwise distances (1.0 if all points coincide). Distances are taken
      so that none overflows for any finite values (:func:`pairwise_distances`).
    * P-value: ``(1 + k) / (1 + B)`` where ``k`` counts the ``B = n_permutations`` pooled
      permutations (drawn in order as ``rng.permutation(n + m)``, the first ``n`` indices
      forming the reference) whose statistic is ``>=`` the observed one (ties within
      ``1e-10``, i.e. rounding noise, count as ``>=``). The pooled kernel
      matrix is computed once (memory ``(n + m)²`` floats, ~128 MB at the default cap).

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(100, 2))
    >>> r = mmd_test(x, rng.normal(size=(80, 2)), n_permutations=50, seed=3)
    >>> r.pvalue > 0.05
    True
    """
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int | np.integer):
        raise ConfigError(f"n_permutations must be an integer >= 1, got {n_permutations!r}")
    if n_permutations < 1:
        raise ConfigError(f"n_permutations must be an integer >= 1, got {n_permutations!r}")
    if isinstance(max_samples, bool) or not isinstance(max_samples, int | np.integer):
        raise ConfigError(f"max_samples must be an integer >= 2, got {max_samples!r}")
    if max_samples < 2:
        raise ConfigError(f"max_samples must be an integer >= 2, got {max_samples!r}")
    if bandwidth is not None and not (np.isfinite(bandwidth) and bandwidth > 0):
        raise ConfigError(f"bandwidth must be a positive number or None, got {bandwidth!r}")

    ref_pts, ref_sample = _as_points(reference, "reference")
    cur_pts, _ = _as_points(current, "current")
    rng = np.random.default_rng(seed)
    x = _subsample(ref_pts, ref_sample, int(max_samples), rng)
    y = _subsample(cur_pts, None, int(max_samples), rng)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"reference and current have different dimensions: {x.shape[1]} vs {y.shape[1]}"
        )
    n, m = x.shape[0], y.shape[0]
    if n < 2 or m < 2:
        raise ValueError(f"mmd_test needs at least 2 observations per sample, got {n} and {m}")

    pooled = np.vstack([x, y])
    # The kernel depends on the points only through distances in units of the bandwidth,
    # taken so that nothing overflows for any finite values (see pairwise_distances).
    dists, unit = pairwise_distances(pooled)
    sigma = _median_distance(dists) if bandwidth is None else float(bandwidth) / unit
    sigma = max(sigma, math.ulp(0.0))  # a bandwidth too small for these units: not zero
    z = np.minimum(dists, _FAR * sigma) / sigma  # clipped first: far points give 0, no overflow
    kernel = squareform(np.exp(-0.5 * z * z))
    np.fill_diagonal(kernel, 1.0)

    total = n + m
    members = np.zeros((n_permutations + 1, total))
    members[0, :n] = 1.0  # row 0: the observed split
    for b in range(1, n_permutations + 1):
        members[b, rng.permutation(total)[:n]] = 1.0
    stats = _mmd2_batch(kernel, members, n, m)
    observed = stats[0]
    # Mathematically equal statistics (ties in the data) may differ by rounding: count
    # permuted values within _TIE_TOL below the observed one as ">=".
    k = int(np.count_nonzero(stats[1:] >= observed - _TIE_TOL))
    return TestResult(float(observed), (1.0 + k) / (1.0 + n_permutations))
