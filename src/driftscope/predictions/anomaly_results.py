"""Typed results of :mod:`driftscope.predictions.anomalies`.

>>> import numpy as np
>>> r = AnomalyResult(np.array([0.5, 9.0]), np.array([False, True]), np.array([False, True]),
...                   ((), ("age above reference range",)), 4.0)
>>> r.summary().share_anomalous, r.summary().top_reasons
(0.5, (('age above reference range', 1),))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RowAnomaly:
    """One row's anomaly score, flag and reasons.

    >>> RowAnomaly(0, 1.0, False, False, ()).is_anomaly
    False
    """

    row: int
    score: float
    is_anomaly: bool
    edge_case: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AnomalySummary:
    """Shares of anomalous and edge-case rows (sampling-weighted when ``weighted``) and the
    most frequent reasons among anomalous rows, most frequent first.

    >>> AnomalySummary(10, 1, 0.1, 0.2, (), False).n_anomalous
    1
    """

    n: int
    n_anomalous: int
    share_anomalous: float
    share_edge_cases: float
    top_reasons: tuple[tuple[str, int], ...]
    weighted: bool

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["top_reasons"] = [list(r) for r in self.top_reasons]
        return out


@dataclass(frozen=True, eq=False)
class AnomalyResult:
    """Per-row scores of a batch: ``is_anomaly`` is ``score > threshold``; ``edge_case``
    marks rows outside the reference's support on some column (or low-confidence ones);
    ``out_of_range`` and ``unseen`` (when given) split that into rows outside some numeric
    column's support and rows with an unseen category (or an unexpected missing value).

    >>> r = AnomalyResult(np.array([1.0]), np.array([False]), np.array([False]), ((),), 3.0)
    >>> r.to_frame().columns.tolist()
    ['score', 'is_anomaly', 'edge_case', 'reasons']
    """

    scores: np.ndarray
    is_anomaly: np.ndarray
    edge_case: np.ndarray
    reasons: tuple[tuple[str, ...], ...]
    threshold: float
    weights: np.ndarray | None = None
    out_of_range: np.ndarray | None = None
    unseen: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.scores)

    def row(self, i: int) -> RowAnomaly:
        return RowAnomaly(
            i,
            float(self.scores[i]),
            bool(self.is_anomaly[i]),
            bool(self.edge_case[i]),
            self.reasons[i],
        )

    def summary(self, top: int = 5) -> AnomalySummary:
        n = len(self.scores)
        counts = Counter(r for i in np.flatnonzero(self.is_anomaly) for r in self.reasons[int(i)])
        share = float(np.average(self.is_anomaly, weights=self.weights)) if n else 0.0
        edge = float(np.average(self.edge_case, weights=self.weights)) if n else 0.0
        return AnomalySummary(
            n=n,
            n_anomalous=int(self.is_anomaly.sum()),
            share_anomalous=share,
            share_edge_cases=edge,
            top_reasons=tuple(counts.most_common(top)),
            weighted=self.weights is not None,
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "score": self.scores,
                "is_anomaly": self.is_anomaly,
                "edge_case": self.edge_case,
                "reasons": ["; ".join(r) for r in self.reasons],
            }
        )
