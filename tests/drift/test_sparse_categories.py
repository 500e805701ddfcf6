"""Drift verdicts on sparse, high-cardinality and near-unique categorical columns.

Levels seen often enough to tell drift when production moves away from them, also to levels
the reference never had; a column of near-unique values (ids) whose every value is new, in
the reference as in production, has moved nothing: its score (the share of the data that
moved, rare levels pooled) is 0 and it does not drift.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import driftscope as ds
from driftscope import stats
from driftscope.cli import cli
from driftscope.drift import AutoPolicy
from driftscope.drift.pairs import CategoricalPair


def codes(prefix: str, rows: int) -> pd.DataFrame:
    return pd.DataFrame({"code": [f"{prefix}{i}" for i in range(rows)]})


def test_a_near_unique_column_whose_every_value_is_new_has_moved_nothing():
    # named: a near-unique text column is otherwise left out as an id (see docs/roles.md)
    detector = ds.DriftDetector(baseline_data=codes("a", 20_000), columns=["code"])
    result = detector.detect_feature_drift(codes("b", 20_000))
    column = result.features["code"]
    assert not column.drifted and column.method == "sparse_chi_square"
    assert column.score == 0.0  # it was "1, disjoint" when each id was its own level
    assert any("(100.0% of the production values)" in note for note in column.notes)


def test_the_same_through_the_command_line(tmp_path):
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
    assert result.exit_code == 0, result.output
    column = json.loads(result.stdout)["features"]["code"]
    assert not column["drifted"] and column["score"] == 0.0


@pytest.mark.parametrize("rows", [10, 100, 1000, 40_000])
def test_disjoint_levels_seen_often_drift_and_new_ids_do_not(rows):
    near_unique = ds.SparseChiSquareTest().test(codes("a", rows)["code"], codes("b", rows)["code"])
    few_levels = ds.DriftDetector(
        pd.DataFrame({"code": ["a", "b"] * (rows // 2)})
    ).detect_feature_drift(pd.DataFrame({"code": ["c", "d", "e"] * max(rows // 3, 2)}))
    assert not near_unique.drifted
    assert few_levels.features["code"].drifted and few_levels.features["code"].score == 1.0


def test_disjoint_support_on_too_few_rows_to_show_anything_is_not_drift():
    result = ds.DriftDetector(codes("a", 1)).detect_feature_drift(codes("b", 3))
    assert not result.has_drift
    assert result.notes[0].startswith("too few values to detect any drift")


def test_one_id_taking_a_share_of_the_rows_drifts_at_small_n():
    """Near-unique ids, then one id on 9 % of the production rows: 18 of 200."""
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"code": rng.integers(0, 10**7, 200).astype(str)})
    ids = rng.integers(0, 10**7, 200).astype(str)
    ids[:18] = "0"
    column = (
        ds.DriftDetector(ref, columns=["code"])
        .detect_feature_drift(pd.DataFrame({"code": ids}))
        .features["code"]
    )
    assert column.drifted and column.score == pytest.approx(0.09, abs=0.005)


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
        ([3, 0], [0, 3], "fisher_exact"),  # two categories, none in common
        ([300, 0], [0, 300], "z_test"),
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
