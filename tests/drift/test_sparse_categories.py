"""Drift verdicts on sparse, high-cardinality and near-unique categorical columns.

The issue: 20,000 reference values ``a…`` against 20,000 production values ``b…`` came out
``ok`` (chi-square p = 0.49) with a Jensen-Shannon distance of 1. Disjoint support must drift.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import driftscope as ds
from driftscope import stats
from driftscope.cli import EXIT_DRIFT, cli
from driftscope.drift import AutoPolicy
from driftscope.drift.pairs import CategoricalPair


def codes(prefix: str, rows: int) -> pd.DataFrame:
    return pd.DataFrame({"code": [f"{prefix}{i}" for i in range(rows)]})


def test_the_issue_near_unique_column_with_disjoint_support_drifts():
    # named: a near-unique text column is otherwise left out as an id (see docs/roles.md)
    detector = ds.DriftDetector(baseline_data=codes("a", 20_000), columns=["code"])
    result = detector.detect_feature_drift(codes("b", 20_000))
    column = result.features["code"]
    assert column.drifted and column.method == "sparse_chi_square"
    assert column.p_value < 1e-300
    assert any("(100.0% of the production values)" in note for note in column.notes)


def test_the_issue_through_the_command_line(tmp_path):
    codes("a", 20_000).to_parquet(tmp_path / "ref.parquet")
    codes("b", 20_000).to_parquet(tmp_path / "cur.parquet")
    args = [
        "drift",
        str(tmp_path / "ref.parquet"),
        str(tmp_path / "cur.parquet"),
        "--columns",
        "code",
    ]
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--fail-on-drift"])
    assert result.exit_code == EXIT_DRIFT, result.output
    column = json.loads(result.stdout)["features"]["code"]
    assert column["drifted"] and column["method"] == "sparse_chi_square"


@pytest.mark.parametrize("rows", [4, 5, 10, 100, 1000, 40_000])
def test_disjoint_support_drifts_at_every_size(rows):
    near_unique = ds.SparseChiSquareTest().test(codes("a", rows)["code"], codes("b", rows)["code"])
    few_levels = ds.DriftDetector(
        pd.DataFrame({"code": ["a", "b"] * (rows // 2)})
    ).detect_feature_drift(pd.DataFrame({"code": ["c", "d", "e"] * max(rows // 3, 2)}))
    assert near_unique.drifted and few_levels.features["code"].drifted


def test_disjoint_support_on_too_few_rows_to_show_anything_is_not_drift():
    """1 reference row against 3: even complete separation has p = 2 / C(4, 1) = 0.5."""
    result = ds.DriftDetector(codes("a", 1)).detect_feature_drift(codes("b", 3))
    assert not result.has_drift
    assert result.notes[0].startswith("too few values to detect any drift")
    assert result.features["code"].p_value == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(5))
def test_an_id_column_from_one_pool_with_overlap_does_not_drift(seed):
    """Values drawn from one pool of 50,000 ids: most are unseen in the reference, as Good-
    Turing predicts from the reference's singletons, and that is no drift."""
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"code": rng.integers(0, 50_000, 20_000).astype(str)})
    cur = pd.DataFrame({"code": rng.integers(0, 50_000, 20_000).astype(str)})
    column = ds.DriftDetector(ref).detect_feature_drift(cur).features["code"]
    assert column.method == "sparse_chi_square"
    assert column.p_value > 0.001  # and the JS distance is large: the test gate decides
    assert not column.drifted


def test_an_id_column_whose_production_moved_to_another_range_drifts():
    """Most values are seen once either way; the values seen twice give it away: they are
    shared between the samples far less often than chance."""
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"code": rng.integers(0, 50_000, 20_000).astype(str)})
    cur = pd.DataFrame({"code": rng.integers(45_000, 95_000, 20_000).astype(str)})
    assert ds.DriftDetector(ref).detect_feature_drift(cur).features["code"].drifted


def pair(ref: list[int], cur: list[int]) -> CategoricalPair:
    labels = tuple(f"v{i}" for i in range(len(ref)))
    return CategoricalPair(labels, np.array(ref), np.array(cur))


@pytest.mark.parametrize(
    "ref, cur, method",
    [
        ([50, 30, 20], [40, 30, 30], "chi_square"),  # every expected count >= 5
        ([50, 30, 2, 1], [40, 30, 1, 0], "sparse_chi_square"),
        ([50, 30], [40, 30], "z_test"),
        ([5, 1], [4, 0], "fisher_exact"),
        ([3, 0], [0, 3], "sparse_chi_square"),  # two categories, none in common
        ([300, 0], [0, 300], "sparse_chi_square"),
    ],
)
def test_the_automatic_choice(ref, cur, method):
    assert AutoPolicy().methods_for("categorical", pair(ref, cur))[0].name == method


def test_the_method_alone_and_by_name_equal_the_stats_function():
    rng = np.random.default_rng(2)
    ref, cur = rng.integers(0, 3000, 2000), rng.integers(0, 2500, 2000)
    result = ds.method_from_name("sparse_chi_square").test(ref.astype(str), cur.astype(str))
    counts = pd.crosstab(
        np.r_[ref, cur].astype(str), np.r_[np.zeros(ref.size), np.ones(cur.size)]
    ).to_numpy()
    want = stats.sparse_chi2_two_sample(counts[:, 0], counts[:, 1])
    assert result.statistic == pytest.approx(want.statistic)
    assert result.p_value == pytest.approx(want.pvalue)
