"""Bad input to the metrics: errors that name the column and row."""

from __future__ import annotations

import numpy as np
import pytest

from driftscope.errors import ConfigError, DataError
from driftscope.performance import metrics as m


def test_probability_out_of_range_names_row():
    with pytest.raises(DataError, match=r"column 'prediction', row 2: probability outside"):
        m.log_loss([0, 1, 1], [0.2, 0.7, 1.3])
    with pytest.raises(DataError, match="row 0"):
        m.brier_score([0, 1], [-0.1, 0.5])


def test_rows_not_summing_to_one():
    p = np.array([[0.2, 0.8, 0.0], [0.5, 0.6, 0.1], [0.1, 0.1, 0.8]])
    for fn in (m.log_loss, m.roc_auc, m.pr_auc):
        with pytest.raises(DataError, match=r"row 1: class probabilities sum to 1.2"):
            fn([0, 1, 2], p)


def test_label_kind_differs_from_prediction():
    with pytest.raises(DataError, match=r"column 'label'.*text but predictions are number"):
        m.accuracy(["1", "0"], [1, 0])
    with pytest.raises(DataError, match="column 'label'"):
        m.f1([1, 0], ["1", "0"], average="macro")
    with pytest.raises(DataError, match="not one of"):
        m.log_loss(["a", "z"], [[0.5, 0.5], [0.3, 0.7]], classes=["a", "b"])
    with pytest.raises(DataError, match="needs numbers"):
        m.mae(["a"], [1.0])


def test_other_bad_input():
    with pytest.raises(DataError, match="column 'prediction': 2 predictions for 3 labels"):
        m.accuracy([1, 0, 1], [1, 0])
    with pytest.raises(DataError, match="column 'sampling_weight', row 1"):
        m.accuracy([1, 0], [1, 0], sample_weight=[1.0, -2.0])
    with pytest.raises(DataError, match="column 'prediction', row 1: prediction is missing"):
        m.mae([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(DataError, match="at most 2 classes"):
        m.precision([0, 1, 2], [0, 1, 2])
    with pytest.raises(DataError, match="pos_label"):
        m.brier_score(["x", "y"], [0.1, 0.9])
    with pytest.raises(ConfigError, match="average"):
        m.f1([0, 1], [0, 1], average="samples")
    with pytest.raises(ConfigError, match="unknown metric"):
        m.compute("gini", [0], [0])


def test_rows_are_input_positions_after_dropped_labels():
    with pytest.raises(DataError, match="row 3: probability outside"):
        m.log_loss([np.nan, 1, np.nan, 0], [0.5, 0.5, 0.5, 1.5])
    with pytest.raises(DataError, match="row 2: class probabilities"):
        m.roc_auc([None, 0, 1], [[0.5, 0.5], [0.5, 0.5], [0.9, 0.2]])
