"""Concept drift in batch: did the relation between the features and the target change?

Feature drift asks whether ``P(x)`` moved; concept drift asks whether ``P(y | x)`` did. The
test, :func:`detect_concept_drift`, works when labels exist for both periods:

1. Split the reference in two halves and fit a model of ``y`` given ``x`` on each
   (scikit-learn's histogram gradient boosting).
2. Score every reference row with the model that did not see it, and each current row with
   one of the two models at random (cross-fitting: every loss is out of sample), using log
   loss for classes and squared error for numbers.
3. The current rows may sit elsewhere in feature space (covariate shift), which alone can
   raise the loss. So the held-out reference rows are reweighted to the current feature
   distribution with density ratios ``w(x) = p_cur(x) / p_ref(x)`` from a cross-fitted
   classifier that tells the periods apart on ``x`` only (weights clipped at
   ``max_weight``).
4. Under "no concept drift", ``E_cur[loss] = E_ref[w(x) * loss]``. The test statistic is
   the difference of the current mean loss and the weighted reference mean loss over its
   standard error; the one-sided p-value is from the normal law. A change that makes the
   reference model *worse* on the current data is drift.

``tests/drift/test_concept.py`` measures the false-alarm rate on data with no concept drift
(with and without covariate shift) and the power on real changes of the relation.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> def period(n, flip):
...     x = rng.normal(size=(n, 2))
...     y = ((x[:, 0] > 0) ^ (flip & (x[:, 1] > 0.5))).astype(int)
...     return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})
>>> detect_concept_drift(period(2000, False), period(2000, True), target="y").drifted
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from driftscope.errors import ConfigError, DataError
from driftscope.stats import exponent_for, ldexp_saturating

TASKS = ("auto", "classification", "regression")


@dataclass(frozen=True)
class ConceptDriftResult:
    """The outcome of :func:`detect_concept_drift`.

    ``reference_loss`` is the reference model's expected loss on the current feature mix had
    the relation not changed (the reweighted held-out reference loss); ``current_loss`` is
    what it actually scores on the current rows. ``effective_reference_rows`` is Kish's
    effective sample size of the reweighted reference rows: much smaller than the held-out
    rows means strong covariate shift, and a less certain answer.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(2000, 2))
    >>> frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": (x[:, 0] > 0).astype(int)})
    >>> flipped = frame.assign(y=frame.y ^ (frame.b > 0.5))  # the relation changed
    >>> result = detect_concept_drift(frame[:1000], flipped[1000:], target="y")
    >>> result.drifted, result.task, result.reference_loss < result.current_loss
    (True, 'classification', True)
    """

    drifted: bool
    p_value: float
    statistic: float
    reference_loss: float
    current_loss: float
    task: str
    loss: str
    significance_level: float
    reference_rows: int
    current_rows: int
    effective_reference_rows: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    # (reference, current) losses in the units they were computed in, when the reported ones
    # are beyond float64 (huge regression targets): the ratio does not depend on the units
    _computed_losses: tuple[float, float] | None = field(default=None, repr=False)

    @property
    def loss_ratio(self) -> float:
        """current_loss / reference_loss (1.0: the relation held)."""
        ref, cur = self._computed_losses or (self.reference_loss, self.current_loss)
        return cur / ref if ref > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        return {
            "drifted": self.drifted,
            "p_value": self.p_value,
            "statistic": self.statistic,
            "reference_loss": self.reference_loss,
            "current_loss": self.current_loss,
            "loss_ratio": self.loss_ratio,
            "task": self.task,
            "loss": self.loss,
            "significance_level": self.significance_level,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "effective_reference_rows": self.effective_reference_rows,
            "notes": list(self.notes),
        }


def detect_concept_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    target: str,
    features: Sequence[str] | None = None,
    *,
    task: str = "auto",
    significance_level: float = 0.05,
    max_weight: float = 20.0,
    seed: int = 0,
) -> ConceptDriftResult:
    """Test whether ``P(target | features)`` differs between ``reference`` and ``current``
    (pandas DataFrames with the target column); see the module docstring for the method."""
    sklearn = _sklearn()
    if task not in TASKS:
        raise ConfigError(f"task must be one of {TASKS}, got {task!r}")
    if not 0 < significance_level < 1:
        raise ConfigError(f"significance_level must be in (0, 1), got {significance_level!r}")
    for name, frame in (("reference", reference), ("current", current)):
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"the {name} data must be a pandas DataFrame")
        if target not in frame.columns:
            raise DataError(f"is not in the {name} data", column=target)
    names = [c for c in reference.columns if c != target] if features is None else list(features)
    for name in names:
        if name not in current.columns:
            raise DataError("is not in the current data", column=name)
    ref = reference.dropna(subset=[target])
    cur = current.dropna(subset=[target])
    if len(ref) < 100 or len(cur) < 50:
        raise DataError(
            f"concept drift needs labelled rows: at least 100 reference and 50 current, got "
            f"{len(ref)} and {len(cur)}",
            column=target,
        )
    task = _task(ref[target]) if task == "auto" else task
    x_ref, x_cur = _encode(ref[names], cur[names])
    y_ref, y_cur = ref[target].to_numpy(), cur[target].to_numpy()
    e = 0  # regression targets near the float64 limits: fit and score y * 2**-e (exact)
    if task == "regression":
        y_ref, y_cur, e = _scaled_targets(y_ref, y_cur, target)
    # OpenMP threads only pay off on large data; on small fits they spin and contend
    threads = None if len(ref) + len(cur) > 50_000 else 1
    with _threadpool_limits(threads):
        loss_ref, loss_cur = _cross_fitted_losses(sklearn, task, x_ref, y_ref, x_cur, y_cur, seed)
        weights = _density_ratios(sklearn, x_ref, x_cur, max_weight, seed)

    mean_ref = float(np.sum(weights * loss_ref) / np.sum(weights))
    mean_cur = float(np.mean(loss_cur))
    var_ref = float(np.sum(weights**2 * (loss_ref - mean_ref) ** 2) / np.sum(weights) ** 2)
    var_cur = float(np.var(loss_cur, ddof=1) / len(loss_cur))
    se = math.sqrt(var_ref + var_cur)
    statistic = (mean_cur - mean_ref) / se if se > 0 else 0.0
    p_value = float(special.ndtr(-statistic))
    ess = float(np.sum(weights) ** 2 / np.sum(weights**2))
    notes = []
    if ess < 0.2 * len(weights):
        notes.append(
            f"strong covariate shift: the reweighted reference counts as {ess:.0f} of "
            f"{len(weights)} rows, so the test has less power"
        )
    return ConceptDriftResult(
        drifted=p_value < significance_level,
        p_value=p_value,
        statistic=float(statistic),
        reference_loss=ldexp_saturating(mean_ref, 2 * e),  # squared error: units of y²
        current_loss=ldexp_saturating(mean_cur, 2 * e),
        task=task,
        loss="log_loss" if task == "classification" else "squared_error",
        significance_level=significance_level,
        reference_rows=len(ref),
        current_rows=len(cur),
        effective_reference_rows=ess,
        notes=tuple(notes),
        _computed_losses=(mean_ref, mean_cur) if e else None,
    )


def _sklearn() -> Any:
    try:
        import sklearn.ensemble
        import sklearn.model_selection
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError("concept drift needs scikit-learn: pip install 'driftscope[ml]'") from exc
    return sklearn


def _threadpool_limits(threads: int | None) -> Any:
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    return threadpool_limits(limits=threads)


def _task(y: pd.Series) -> str:
    if y.dtype == bool or not pd.api.types.is_numeric_dtype(y):
        return "classification"
    values = y.to_numpy()
    integral = np.all(np.equal(np.mod(values, 1), 0))
    return "classification" if integral and y.nunique() <= 20 else "regression"


def _encode(ref: pd.DataFrame, cur: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Numeric matrix of both periods: numbers as they are (NaN kept: the models handle it),
    everything else as category codes shared by the two periods."""
    ref_cols, cur_cols = [], []
    for name in ref.columns:
        a, b = ref[name], cur[name]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            ref_cols.append(a.to_numpy(dtype=float, na_value=np.nan))
            cur_cols.append(b.to_numpy(dtype=float, na_value=np.nan))
            continue
        joined = pd.concat([a.astype("string"), b.astype("string")], ignore_index=True)
        codes = pd.Categorical(joined).codes.astype(float)
        codes[codes < 0] = np.nan
        ref_cols.append(codes[: len(a)])
        cur_cols.append(codes[len(a) :])
    return np.column_stack(ref_cols), np.column_stack(cur_cols)


def _model(sklearn: Any, task: str, seed: int) -> Any:
    ensemble = sklearn.ensemble
    if task == "classification":
        return ensemble.HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    return ensemble.HistGradientBoostingRegressor(max_iter=100, random_state=seed)


def _cross_fitted_losses(
    sklearn: Any,
    task: str,
    x_ref: np.ndarray,
    y_ref: np.ndarray,
    x_cur: np.ndarray,
    y_cur: np.ndarray,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref_half = rng.permutation(len(x_ref)) % 2
    cur_half = rng.permutation(len(x_cur)) % 2
    loss_ref = np.empty(len(x_ref))
    loss_cur = np.empty(len(x_cur))
    for half in (0, 1):
        model = _model(sklearn, task, seed)
        model.fit(x_ref[ref_half == half], y_ref[ref_half == half])
        out = ref_half != half
        loss_ref[out] = _losses(model, task, x_ref[out], y_ref[out])
        mine = cur_half == half
        loss_cur[mine] = _losses(model, task, x_cur[mine], y_cur[mine])
    return loss_ref, loss_cur


def _scaled_targets(
    y_ref: np.ndarray, y_cur: np.ndarray, target: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Regression targets as float64, multiplied by ``2**-e`` when their magnitudes would make
    squared errors overflow (the z statistic does not depend on the units), and ``e``."""
    try:
        y_ref, y_cur = y_ref.astype(np.float64), y_cur.astype(np.float64)
    except (TypeError, ValueError):
        raise DataError(
            "holds values that are not numbers in a regression", column=target
        ) from None
    if not (np.isfinite(y_ref).all() and np.isfinite(y_cur).all()):
        raise DataError("holds infinite values, which have no squared error", column=target)
    e = exponent_for(max(float(np.abs(y_ref).max()), float(np.abs(y_cur).max())))
    if e:
        y_ref, y_cur = np.ldexp(y_ref, -e), np.ldexp(y_cur, -e)
    return y_ref, y_cur, e


def _losses(model: Any, task: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if task == "regression":
        return (model.predict(x) - y) ** 2  # y is float64 (_scaled_targets)
    proba = model.predict_proba(x)
    index = {c: i for i, c in enumerate(model.classes_)}
    cols = np.array([index.get(v, -1) for v in y])
    p = np.where(cols >= 0, proba[np.arange(len(y)), np.maximum(cols, 0)], 0.0)
    return -np.log(np.clip(p, 1e-6, 1.0))  # unseen classes cost as much as p = 1e-6


def _density_ratios(
    sklearn: Any, x_ref: np.ndarray, x_cur: np.ndarray, max_weight: float, seed: int
) -> np.ndarray:
    """p_cur(x) / p_ref(x) at the reference rows, from out-of-fold period probabilities."""
    x = np.vstack([x_ref, x_cur])
    period = np.r_[np.zeros(len(x_ref)), np.ones(len(x_cur))]
    clf = sklearn.ensemble.HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, early_stopping=True, random_state=seed
    )
    folds = sklearn.model_selection.StratifiedKFold(n_splits=2, shuffle=True, random_state=seed)
    proba = sklearn.model_selection.cross_val_predict(
        clf, x, period, cv=folds, method="predict_proba"
    )[: len(x_ref), 1]
    proba = np.clip(proba, 1e-6, 1 - 1e-6)
    ratio = proba / (1 - proba) * (len(x_ref) / len(x_cur))
    return np.clip(ratio, 1.0 / max_weight, max_weight)
