"""Every expected failure is one clear line on stderr with exit code 2, naming the file,
column or option at fault, and saying what to install when an optional package is missing."""

from __future__ import annotations

import sys

import click
import pytest
from click.testing import CliRunner

from driftscope.cli._store import install_hint, open_existing_store
from driftscope.cli.app import DriftscopeGroup
from driftscope.errors import ConfigError
from driftscope.store import open_store
from tests.cli.conftest import _assert_one_line_error


def test_a_postgres_store_without_the_extra_names_the_install_command(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    result = run("check", "churn", "--store", "postgresql://u:hunter2@db.example/prod")
    _assert_one_line_error(result, "pip install 'driftscope[postgres]'", "db.example:5432")
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    ("module", "extra"), [("psycopg", "postgres"), ("fastapi", "server"), ("pyspark", "spark")]
)
def test_a_missing_optional_package_anywhere_is_exit_2_with_its_extra(module, extra):
    @click.group(cls=DriftscopeGroup)
    def tool() -> None: ...

    @tool.command()
    def needs() -> None:
        raise ModuleNotFoundError(f"No module named '{module}'", name=module)

    result = CliRunner().invoke(tool, ["needs"])
    _assert_one_line_error(result, f"pip install 'driftscope[{extra}]'", repr(module))


def test_a_missing_required_package_stays_an_internal_error():
    @click.group(cls=DriftscopeGroup)
    def tool() -> None: ...

    @tool.command()
    def broken() -> None:
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    result = CliRunner().invoke(tool, ["broken"])
    assert result.exit_code == 3 and "Traceback" in result.stderr
    assert install_hint("numpy") is None


def test_a_mistyped_store_folder_is_an_error_and_is_not_created(run, tmp_path):
    typo = tmp_path / "stroe"
    _assert_one_line_error(run("check", "churn", "--store", typo), str(typo), "does not exist")
    assert not typo.exists()
    plain = tmp_path / "plain"
    plain.mkdir()
    _assert_one_line_error(run("check", "churn", "--store", plain), "holds no driftscope store")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    _assert_one_line_error(run("check", "churn", "--store", a_file), "is not a folder")


def test_the_default_store_must_exist_too(run, tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTSCOPE_HOME", str(tmp_path / "missing"))
    _assert_one_line_error(run("check", "churn"), "$DRIFTSCOPE_HOME", "does not exist")


def test_open_existing_store_opens_a_store_that_exists(tmp_path):
    open_store(str(tmp_path)).close()
    store = open_existing_store(tmp_path)
    try:
        assert store.models() == []
    finally:
        store.close()
    with pytest.raises(ConfigError, match="does not exist"):
        open_existing_store(tmp_path / "nope")


def test_unknown_checks_are_named_in_plain_words(run, tmp_path):
    from driftscope.monitor import ModelMonitor

    with ModelMonitor("churn", store=str(tmp_path)) as monitor:
        monitor.save_reference({"x": [1.0, 2.0, 3.0]})
    result = run("check", "churn", "--store", tmp_path, "--checks", "drift,qualty")
    _assert_one_line_error(result, "unknown check 'qualty'", "drift, ")
    assert "[" not in result.stderr and "]" not in result.stderr


def test_unknown_metrics_are_named_in_plain_words(run, tmp_path):
    from driftscope.monitor import ModelMonitor

    with ModelMonitor("churn", store=str(tmp_path)) as monitor:
        monitor.save_reference({"x": [1.0, 2.0, 3.0]})
    result = run("check", "churn", "--store", tmp_path, "--metrics", "acuracy")
    _assert_one_line_error(result, "unknown metric 'acuracy'", "accuracy, ")
    assert "[" not in result.stderr


def _parquet(path, **columns) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


def test_a_binary_file_named_csv_is_refused_without_its_bytes(run, files, tmp_path):
    junk = tmp_path / "today.csv"
    junk.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 20)
    result = run("drift", files.reference, junk)
    _assert_one_line_error(result, str(junk), "not a CSV text file", "binary data")
    assert "\\x" not in result.stderr and "\ufffd" not in result.stderr  # no raw bytes shown
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(files.drifted.read_bytes())  # a parquet file with the wrong name
    _assert_one_line_error(run("drift", files.reference, renamed), "holds a parquet file")


def test_a_gzipped_binary_file_is_refused_too(run, files, tmp_path):
    import gzip

    junk = tmp_path / "today.csv.gz"
    junk.write_bytes(gzip.compress(files.drifted.read_bytes()))
    _assert_one_line_error(run("drift", files.reference, junk), "holds a parquet file")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    _assert_one_line_error(run("drift", files.reference, broken), str(broken))


def test_a_csv_parse_error_is_short(run, files, tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n" + ",".join(["x" * 50] * 40) + "\n")
    result = run("drift", files.reference, ragged)
    _assert_one_line_error(result, str(ragged), "as CSV")
    assert len(result.stderr) < 400


def test_a_parquet_folder_with_another_table_inside_is_refused(run, files, tmp_path):
    folder = tmp_path / "today"
    _parquet(folder / "part-0.parquet", age=[1.0, 2.0], plan=["a", "b"])
    _parquet(folder / "part-1.parquet", age=[3.0], customer=[7])
    result = run("drift", files.reference, folder)
    _assert_one_line_error(
        result, str(folder), "'part-1.parquet' lacks plan and has customer", "'part-0.parquet'"
    )


def test_a_partitioned_folder_with_the_same_columns_is_read(tmp_path):
    from driftscope.data.files import open_file

    folder = tmp_path / "today"
    _parquet(folder / "day=1" / "a.parquet", age=[1.0, 2.0])
    _parquet(folder / "day=2" / "b.parquet", age=[3.0])
    (folder / "_SUCCESS").write_text("")
    source = open_file(folder, role="production")
    assert set(source.columns) == {"age", "day"} and source.rows == 3


def test_an_empty_folder_says_it_holds_no_parquet_file(run, files, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "_SUCCESS").write_text("")
    result = run("drift", files.reference, folder)
    _assert_one_line_error(result, str(folder), "holds no parquet file")
    assert "0 columns" not in result.stderr
