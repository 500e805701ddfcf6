"""Every bad input gets a DriftscopeError that names the column, never a wrong number."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import driftscope as ds
from driftscope.errors import ConfigError, DataError, ReferenceFileError


@pytest.fixture
def train(rng):
    return pd.DataFrame({"age": rng.normal(40, 10, 500), "plan": rng.choice(["a", "b"], 500)})


def test_empty_baseline_and_production(train):
    with pytest.raises(DataError, match="empty"):
        ds.DriftDetector(train.iloc[:0])
    with pytest.raises(DataError, match="empty"):
        ds.DriftDetector(train).detect_feature_drift(train.iloc[:0])


def test_column_missing_from_production_is_reported_unless_asked_for(train):
    """A baseline column production lacks (a target, say) is listed, not fatal; asked for by
    name it is an error naming it."""
    detector = ds.DriftDetector(train)
    result = detector.detect_feature_drift(train[["age"]])
    assert (
        list(result.features) == ["age"] and result.skipped["plan"] == "only in the baseline data"
    )
    with pytest.raises(DataError, match=r"'plan'.*missing from the production"):
        detector.detect_feature_drift(train[["age"]], features=["age", "plan"])
    with pytest.raises(DataError, match="no column of the baseline is in the production data"):
        detector.detect_feature_drift(train.rename(columns={"age": "a", "plan": "p"}))


def test_a_column_only_in_production_is_reported_and_exclude_leaves_columns_out(train):
    detector = ds.DriftDetector(train)
    result = detector.detect_feature_drift(train.assign(customer_id=np.arange(len(train))))
    assert result.skipped["customer_id"] == "only in the production data"
    left = detector.detect_feature_drift(
        train.assign(customer_id=0), exclude=["customer_id", "plan"]
    )
    assert list(left.features) == ["age"] and "customer_id" not in left.skipped
    remarks = [f"a long free-text remark number {i} here" for i in range(len(train))]
    text = train.assign(note=remarks)
    fitted = ds.DriftDetector(text)
    assert "note" in fitted.detect_feature_drift(text).skipped  # text: not compared, said so
    assert "note" not in fitted.detect_feature_drift(text, exclude=["note"]).skipped
    with pytest.raises(ConfigError, match="'custmer_id'"):
        detector.detect_feature_drift(train, exclude=["custmer_id"])


def test_unknown_feature_requested(train):
    with pytest.raises(DataError, match="'nope'"):
        ds.DriftDetector(train).detect_feature_drift(train, features=["nope"])


def test_column_entirely_nan_in_the_baseline(train):
    with pytest.raises(DataError, match="'age'") as info:
        ds.DriftDetector(train.assign(age=np.nan))
    assert info.value.column == "age"


def test_column_entirely_nan_in_production_is_a_finding(train):
    # the column stopped arriving: that is drift to report, not bad input
    result = ds.DriftDetector(train).detect_feature_drift(train.assign(age=np.nan))
    age = result.features["age"]
    assert age.drifted and age.score == 1.0 and age.current.missing == len(train)
    assert age.notes == ("all 500 production values are missing",)


def test_column_entirely_infinite_in_production_is_a_finding(train):
    result = ds.DriftDetector(train).detect_feature_drift(train.assign(age=np.inf))
    assert result.drifted_features == ["age"]
    assert "none of the 500 production values is finite" in result.features["age"].notes[0]


def test_mixed_types_in_one_column(train):
    mixed = train.astype({"age": object})
    mixed.loc[17, "age"] = "forty"
    with pytest.raises(DataError, match="'age'") as info:
        ds.DriftDetector(mixed)
    assert "17" in str(info.value)


def test_million_distinct_categories_keep_the_most_frequent_by_label(rng):
    ids = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1_000_000)]})
    detector = ds.DriftDetector(ids, columns=["customer_id"])  # named, so not left out as an id
    column = detector.reference_.columns["customer_id"]
    assert len(column.categories) == 100_000 and column.counts.sum() == 100_000
    assert column.other_counts.tolist() == [1] * 900_000
    assert column.summary.valid == 1_000_000


def test_numeric_in_reference_text_in_production(train):
    prod = train.assign(age=["unknown"] * len(train))
    with pytest.raises(DataError, match=r"'age'.*text"):
        ds.DriftDetector(train).detect_feature_drift(prod)


def test_strings_that_are_not_numbers(train):
    prod = train.assign(age=train["age"].astype(str))
    prod.loc[42, "age"] = "n/a?"
    with pytest.raises(DataError, match="'age'") as info:
        ds.DriftDetector(train).detect_feature_drift(prod)
    assert "42" in str(info.value) and "n/a?" in str(info.value)


def test_numeric_strings_are_accepted(train):
    prod = train.assign(age=train["age"].map(repr))
    res = ds.DriftDetector(train).detect_feature_drift(prod)
    assert res.features["age"].statistic == 0.0


def test_unknown_method_name():
    with pytest.raises(ConfigError, match="unknown drift method 'kss'"):
        ds.method_from_name("kss")


@pytest.mark.parametrize(
    "make",
    [
        lambda: ds.KSTest(significance_level=0),
        lambda: ds.KSTest(significance_level=1.5),
        lambda: ds.PSICalculator(threshold=-1),
        lambda: ds.JensenShannonDistance(threshold=2),
        lambda: ds.WassersteinDistance(threshold=float("nan")),
        lambda: ds.PSICalculator(bins=1),
        lambda: ds.AutoPolicy(significance_level=1),
    ],
)
def test_parameters_out_of_range(make):
    with pytest.raises(ConfigError):
        make()


def test_detector_settings_out_of_range(train):
    with pytest.raises(ConfigError, match="significance_level"):
        ds.DriftDetector(train, significance_level=2)
    with pytest.raises(ConfigError, match="correction"):
        ds.DriftDetector(train, correction="holm-ish")
    with pytest.raises(ConfigError, match="method objects"):
        ds.DriftDetector(train, detection_methods=["ks"])


def test_corrupted_reference_file(train, tmp_path):
    path = ds.DriftDetector(train).save(tmp_path / "r.dsref")
    data = bytearray(Path(path).read_bytes())
    data[200:260] = b"\x00" * 60
    bad = tmp_path / "bad.dsref"
    bad.write_bytes(bytes(data))
    with pytest.raises(ReferenceFileError):
        ds.DriftDetector.load(bad)
    truncated = tmp_path / "short.dsref"
    truncated.write_bytes(Path(path).read_bytes()[:100])
    with pytest.raises(ReferenceFileError):
        ds.DriftDetector.load(truncated)


def test_tampered_reference_fails_the_hash(train, tmp_path):
    path = ds.DriftDetector(train).save(tmp_path / "r.dsref")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = members["reference.json"].replace(b'"a"', b'"A"', 1)
    members["reference.json"] = meta
    with zipfile.ZipFile(tmp_path / "t.dsref", "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    with pytest.raises(ReferenceFileError, match="hash"):
        ds.DriftDetector.load(tmp_path / "t.dsref")


def test_foreign_files(tmp_path):
    (tmp_path / "x.dsref").write_text("hello")
    with pytest.raises(ReferenceFileError):
        ds.DriftDetector.load(tmp_path / "x.dsref")
    with zipfile.ZipFile(tmp_path / "y.dsref", "w") as zf:
        zf.writestr("reference.json", '{"format": "something-else"}')
    with pytest.raises(ReferenceFileError, match="not a driftscope reference"):
        ds.DriftDetector.load(tmp_path / "y.dsref")
    with pytest.raises(ReferenceFileError, match="does not exist"):
        ds.DriftDetector.load(tmp_path / "missing.dsref")


def test_pickle_is_never_loaded(train, tmp_path):
    """An object array smuggled into the file is refused (allow_pickle=False)."""
    path = ds.DriftDetector(train).save(tmp_path / "r.dsref")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    target = next(n for n in members if n.endswith("values.npy"))
    members[target] = buf.getvalue()
    with zipfile.ZipFile(tmp_path / "p.dsref", "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    with pytest.raises(ReferenceFileError):
        ds.DriftDetector.load(tmp_path / "p.dsref")
