"""References as a store keeps them: the blob contract of ``driftscope.core.reference_blob``.

The store saves any StorableReference and gives back a ReferenceBlob without decoding it;
where it has only the bytes (a catalog rebuilt from the files) it reads their header. The
store layer never imports the drift layer, lazily or for type checking: checked on the
syntax tree of every module of ``driftscope.store``.
"""

from __future__ import annotations

import ast
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import driftscope.store
from driftscope.core import reference_blob
from driftscope.core.reference_blob import ReferenceHeader, read_header
from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError, ReferenceFileError, StoreError
from driftscope.store import EmbeddedStore


@pytest.fixture(scope="module")
def reference() -> Reference:
    rng = np.random.default_rng(5)
    return Reference.fit(
        pd.DataFrame({"x": rng.normal(size=300), "plan": rng.choice(["a", "b"], 300)}),
        keep_rows=50,
    )


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _with_manifest(data: bytes, **changes: object) -> bytes:
    members = _members(data)
    meta = json.loads(members["reference.json"])
    for key, value in changes.items():
        if value is None:
            meta.pop(key)
        else:
            meta[key] = value
    members["reference.json"] = json.dumps(meta).encode()
    return _zip(members)


# ---------------------------------------------------------------------- the header reader
def test_the_header_of_a_reference_file_is_its_version_rows_and_columns(reference):
    header = read_header(reference.to_bytes(), "churn.dsref")
    assert header == ReferenceHeader(reference.version, 300, ("x", "plan"))
    assert header == ReferenceHeader.of(reference)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b"", "churn.dsref is not a readable driftscope reference file"),
        (lambda b: b"plain text, not a zip", "not a readable .* \\(damaged zip: "),
        (lambda b: b[: len(b) // 2], "not a readable .* \\(damaged zip: "),
        (lambda b: b[:-1], "not a readable .* \\(damaged zip: "),
        (lambda b: _zip({"other.json": b"{}"}), "not a driftscope reference file \\(no reference"),
        (lambda b: _zip({"reference.json": b"{not json"}), "field 'reference.json': is not valid"),
        (lambda b: _zip({"reference.json": b"\xff\xfe"}), "field 'reference.json': is not valid"),
        (lambda b: _zip({"reference.json": b"[" * 100_000}), "'reference.json': is not valid"),
        (lambda b: _with_manifest(b, format="other"), "churn.dsref is not a driftscope reference"),
        (lambda b: _with_manifest(b, version=None), "field 'version': expected non-empty text"),
        (lambda b: _with_manifest(b, version=""), "field 'version': expected non-empty text"),
        (lambda b: _with_manifest(b, rows="many"), "field 'rows': expected an integer >= 0"),
        (lambda b: _with_manifest(b, rows=True), "field 'rows': expected an integer >= 0"),
        (lambda b: _with_manifest(b, rows=-1), "field 'rows': expected an integer >= 0"),
        (lambda b: _with_manifest(b, columns={}), "field 'columns': expected a list"),
        (lambda b: _with_manifest(b, columns=[{"name": 3}]), "'columns\\[0\\].name': expected"),
        (lambda b: _with_manifest(b, columns=["x"]), "'columns\\[0\\].name': expected text"),
    ],
)
def test_a_damaged_or_foreign_file_is_one_clear_error(reference, damage, message):
    with pytest.raises(ReferenceFileError, match=message) as caught:
        read_header(damage(reference.to_bytes()), "churn.dsref")
    assert str(caught.value).startswith("churn.dsref")


def test_a_flipped_byte_in_the_deflated_manifest_is_a_damaged_zip(reference):
    data = bytearray(reference.to_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("reference.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    with pytest.raises(ReferenceFileError, match=r"churn.dsref is not a readable .*damaged zip"):
        read_header(bytes(data), "churn.dsref")


def test_an_oversized_manifest_is_refused_before_it_is_read(reference, monkeypatch):
    monkeypatch.setattr(reference_blob, "MAX_MANIFEST_BYTES", 100)
    with pytest.raises(ReferenceFileError, match=r"field 'reference.json': is [0-9,]+ bytes, over"):
        read_header(reference.to_bytes(), "churn.dsref")


def test_only_the_manifest_is_read(reference):
    members = _members(reference.to_bytes())
    members["arrays/0_values.npy"] = b"garbage: decoding checks this, the header does not"
    assert read_header(_zip(members)).version == reference.version
    with pytest.raises(ReferenceFileError):
        Reference.from_bytes(_zip(members))


def test_what_is_not_bytes_is_a_config_error():
    with pytest.raises(ConfigError, match="must be bytes, got str"):
        read_header("reference.dsref")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_damage_gives_a_header_or_a_reference_file_error(reference, data):
    blob = bytearray(reference.to_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    try:
        header = read_header(bytes(blob[:cut]), "fuzzed.dsref")
    except ReferenceFileError as exc:
        assert str(exc).startswith("fuzzed.dsref")
    else:
        assert isinstance(header.rows, int) and all(isinstance(c, str) for c in header.columns)


# ---------------------------------------------------------------------- a rebuilt catalog
def test_a_rebuilt_catalog_relists_references_from_their_headers(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    good = Reference.fit({"x": rng.normal(size=100)})
    body = Reference.fit({"x": rng.normal(size=200), "y": rng.normal(size=200)})
    torn = Reference.fit({"z": rng.normal(size=50)})
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        for ref in (good, body, torn):
            store.save_reference("churn", ref)
    files = {p.stem: p for p in (home / "references").rglob("*.dsref")}
    members = _members(files[body.version].read_bytes())
    members["arrays/0_values.npy"] = members["arrays/0_values.npy"][:-8] + b"\0" * 8
    files[body.version].write_bytes(_zip(members))  # header intact, content changed
    files[torn.version].write_bytes(files[torn.version].read_bytes()[:100])  # no header
    (home / "catalog.sqlite").unlink()

    def no_decoding(*args, **kwargs):
        raise AssertionError("the store decoded a reference")

    monkeypatch.setattr(Reference, "from_bytes", no_decoding)
    with EmbeddedStore(home) as store:
        listed = {r.version: r for r in store.reference_history("churn")}
        assert set(listed) == {good.version, body.version}  # the torn file: left unlisted
        assert (listed[body.version].rows, listed[body.version].columns) == (200, ("x", "y"))
        blobs = {v: store.load_reference("churn", v) for v in listed}
    monkeypatch.undo()
    assert Reference.from_blob(blobs[good.version]).version == good.version
    assert blobs[body.version].header() == ReferenceHeader(body.version, 200, ("x", "y"))
    where = f"reference '{body.version}' of model 'churn': .*{body.version}.dsref: field 'col"
    with pytest.raises(StoreError, match=where):
        Reference.from_blob(blobs[body.version])
    assert str(files[body.version]) in blobs[body.version].label


def test_a_missing_reference_file_names_model_and_version(tmp_path):
    ref = Reference.fit({"x": np.arange(10.0)})
    with EmbeddedStore(tmp_path / "home") as store:
        store.save_reference("churn", ref)
        (path,) = (tmp_path / "home" / "references").rglob("*.dsref")
        path.unlink()
        with pytest.raises(
            StoreError, match=f"reference '{ref.version}' of model 'churn'.*missing"
        ):
            store.load_reference("churn")


# ---------------------------------------------------------------------- the layering
DRIFT = "driftscope.drift"


def _drift_imports(path: Path, package: str) -> list[str]:
    """Every import of the drift layer in ``path`` (a module of ``package``): anywhere in the
    tree, so in functions and ``if TYPE_CHECKING:`` blocks too, relative ones resolved."""
    import driftscope.drift

    drift_names = set(driftscope.drift.__all__)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")  # the package holding the module
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            if base == "driftscope":
                names += [DRIFT for alias in node.names if alias.name in drift_names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if called in ("import_module", "__import__") and isinstance(arg, ast.Constant):
                names = [str(arg.value)]
        found += [
            f"{path}:{node.lineno}: {name}"  # type: ignore[attr-defined]
            for name in names
            if name == DRIFT or name.startswith(DRIFT + ".")
        ]
    return found


def _store_modules() -> list[tuple[Path, str]]:
    root = Path(driftscope.store.__file__).parent
    modules = []
    for dirpath, _, filenames in os.walk(root):
        package = ".".join(["driftscope", "store", *Path(dirpath).relative_to(root).parts])
        modules += [(Path(dirpath) / f, package) for f in sorted(filenames) if f.endswith(".py")]
    return modules


def test_no_store_module_imports_the_drift_layer():
    modules = _store_modules()
    assert len(modules) > 20  # every module was found
    found = [hit for path, package in modules for hit in _drift_imports(path, package)]
    assert found == []
    # nor do the examples in their docstrings (they use the top-level driftscope.Reference)
    assert [p for p, _ in modules if "from driftscope.drift" in p.read_text()] == []
    assert [p for p, _ in modules if "import driftscope.drift" in p.read_text()] == []


def test_the_layering_check_finds_lazy_type_checking_and_relative_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "mod.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from driftscope.drift.reference import Reference\n"
        "def f():\n    import driftscope.drift.results\n"
        "from ...drift import auto\n"
        "from driftscope import Reference, errors\n"
        "import importlib\nimportlib.import_module('driftscope.drift')\n"
        "from driftscope.core import records\n"
    )
    lines = [hit.split(":")[1] for hit in _drift_imports(module, "driftscope.store.embedded")]
    assert sorted(set(lines), key=int) == ["3", "5", "6", "7", "9"]
