"""Small churn data files for the command-line tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from driftscope.cli import cli
from driftscope.cli.demo import PREDICTION, make_churn_data

ROWS = 1_500


@dataclass(frozen=True)
class Files:
    reference: Path
    drifted: Path
    same: Path
    reference_csv: Path
    drifted_csv: Path
    missing_column: Path


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("data")
    reference, drifted = make_churn_data(ROWS, ROWS, seed=11, drift=True)
    _, same = make_churn_data(ROWS, ROWS, seed=12, drift=False)
    reference, drifted, same = (f.drop(columns=[PREDICTION]) for f in (reference, drifted, same))
    out = Files(
        reference=root / "reference.parquet",
        drifted=root / "drifted.parquet",
        same=root / "same.parquet",
        reference_csv=root / "reference.csv",
        drifted_csv=root / "drifted.csv",
        missing_column=root / "missing_column.parquet",
    )
    reference.to_parquet(out.reference)
    drifted.to_parquet(out.drifted)
    same.to_parquet(out.same)
    reference.to_csv(out.reference_csv, index=False)
    drifted.to_csv(out.drifted_csv, index=False)
    drifted.drop(columns=["region"]).to_parquet(out.missing_column)
    return out


@pytest.fixture
def run():
    """Invoke the CLI as a user would, stdout and stderr kept apart."""

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("driftscope: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def one_line_error():
    """Assert exit code 2 with exactly one ``driftscope: error:`` line on stderr."""
    return _assert_one_line_error
