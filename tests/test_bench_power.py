"""The power benchmark (benchmarks/bench_power.py): its trials are what they say they are, and
its driftscope side runs on a handful of trials, without Evidently or NannyML."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_power
import power_grid as pg


def test_a_trial_is_the_same_from_its_seed_and_differs_between_trials():
    cell = pg.Cell("cat5", pg.Change("share", 0.05), 2_000)
    ref, cur = pg.draw(cell, 3)
    assert ref.dtype == object and ref.shape == cur.shape == (2_000,)
    again = pg.draw(cell, 3)
    assert np.array_equal(again[0], ref) and np.array_equal(again[1], cur)
    assert not np.array_equal(pg.draw(cell, 4)[0], ref)


@pytest.mark.parametrize("distribution", pg.NUMERICAL)
def test_numerical_changes_have_the_stated_size(distribution):
    # 400,000 values per side: the sample mean and variance are within about 1 % of the truth
    ref = pg.draw(pg.Cell(distribution, pg.NO_CHANGE, 400_000), 0)[0]
    shifted = pg.draw(pg.Cell(distribution, pg.Change("shift", 0.5), 400_000), 0)[1]
    wider = pg.draw(pg.Cell(distribution, pg.Change("variance", 1.5), 400_000), 0)[1]
    sd = ref.std()
    assert (shifted.mean() - ref.mean()) / sd == pytest.approx(0.5, abs=0.02)
    if distribution == "lognormal":  # its sample variance is too noisy: use the log's moments
        ref, wider = _lognormal_moments(ref), _lognormal_moments(wider)
    else:
        ref, wider = (ref.mean(), ref.var()), (wider.mean(), wider.var())
    assert wider[0] == pytest.approx(ref[0], abs=0.02 * sd)
    assert wider[1] / ref[1] == pytest.approx(1.5, rel=0.05)


def _lognormal_moments(x: np.ndarray) -> tuple[float, float]:
    """Mean and variance of the log-normal fitted to ``x`` by the moments of its log."""
    mu, sigma2 = np.log(x).mean(), np.log(x).var()
    return np.exp(mu + sigma2 / 2), np.expm1(sigma2) * np.exp(2 * mu + sigma2)


def test_share_moves_go_from_the_largest_level_to_the_named_one():
    ref, cur = pg.draw(pg.Cell("cat5", pg.Change("share", 0.10), 200_000), 0)
    share = {level: np.mean(cur == level) - np.mean(ref == level) for level in ("L0", "L2")}
    assert share["L0"] == pytest.approx(-0.10, abs=0.01)
    assert share["L2"] == pytest.approx(0.10, abs=0.01)
    ids = pg.draw(pg.Cell("idlike", pg.Change("share", 0.05), 20_000), 0)[1]
    assert np.mean(ids == "id0") == pytest.approx(0.05, abs=0.01)


def test_only_filters_by_distribution_size_and_change():
    cells = pg.grid(["lognormal", "cat5", "2000", "none"])
    assert [(c.distribution, c.change.label, c.n) for c in cells] == [
        ("lognormal", "no change", 2_000),
        ("cat5", "no change", 2_000),
    ]
    with pytest.raises(ValueError, match="unknown term"):
        pg.grid(["gamma"])


def test_the_driftscope_side_gives_a_full_table_and_few_false_alarms():
    cells = pg.grid(["2000", "none"]) + pg.grid(["normal", "200", "shift"])
    rows = pg.rejection_rates(cells, bench_power.METHODS, trials=5, large_trials=1)
    lines = pg.table(rows).splitlines()
    assert len(lines) == 2 + len(cells)
    assert lines[0].split("|")[5:-1] == [" driftscope ", " KS ", " AD ", " CvM ", " χ² "]
    assert {line.count("|") for line in lines} == {10}
    for row in rows:
        assert row["errors"] == {}, row
        if row["change"] != "no change":
            continue
        for method, rate in row["rates"].items():
            assert rate is None or rate <= 0.2, (row["key"], method, rate)


def test_the_command_prints_the_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "power.json"
    bench_power.main(["--quick", "--only", "cat5,none", "--trials", "2", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "| cat5 | no change | 2,000 | 8 |" in printed  # no-change cells: 4 x the trials
    saved = json.loads(out.read_text())
    assert saved["settings"]["trials"] == 2
    assert [row["n"] for row in saved["cells"]] == [200, 2_000]


def test_an_earlier_runs_evidently_and_nannyml_rates_are_reused(tmp_path, capsys):
    """--others-from merges the other tools' rates of a saved run (their side is slow)."""
    first = tmp_path / "first.json"
    argv = ["--quick", "--only", "cat5,none", "--trials", "2"]
    bench_power.main([*argv, "--output", str(first)])
    saved = json.loads(first.read_text())
    for row in saved["cells"]:
        row["rates"].update({"evidently": 0.5, "nannyml": 0.0})
        row["errors"]["nannyml"] = 1
        row["error_messages"]["nannyml"] = "ValueError: a chunk too small"
    saved["settings"]["versions"].update({"evidently": "0.7.23", "nannyml": "0.13.1"})
    first.write_text(json.dumps(saved))
    capsys.readouterr()
    bench_power.main([*argv, "--others-from", str(first)])
    printed = capsys.readouterr().out
    assert "| Evidently | NannyML |" in printed
    assert re.search(
        r"\| cat5 \| no change \| 200 \| 8 \| \d+% \| – \| – \| – \| \d+% "
        r"\| 50% \| 0% \(1 err\) \|",
        printed,
    )
    assert "evidently 0.7.23" in printed and "nannyml raised on 2 trials" in printed
