"""Reference files (.dsref) are not trusted: every malformed file is one clear
ReferenceFileError naming the file and the field (exit 2 with one line in the command line),
every byte that changes a result is covered by a hash, and no file can make loading take
huge memory. Files are built by hand (raw zip bytes) where zipfile would refuse to write them."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import driftscope as ds
from driftscope.cli import cli
from driftscope.drift.reference import Reference
from driftscope.drift.reference_file import FileLimits
from driftscope.drift.reference_manifest import META_NAME, canonical_digest
from driftscope.errors import DriftscopeError, ReferenceFileError
from driftscope.store import EmbeddedStore
from tests.store.conftest import PG_URL
from tests.store.conftest import pg_schema as pg_schema  # the fixture


# ---------------------------------------------------------------------- building files
@dataclass
class Member:
    name: str
    data: bytes  # as stored in the archive (deflated when method is 8)
    method: int = zipfile.ZIP_STORED
    size: int | None = None  # the uncompressed size the directory declares
    crc: int | None = None
    flags: int = 0


def build_zip(members: list[Member]) -> bytes:
    """A zip archive exactly as described: sizes, methods and flags are not checked."""
    out, central = io.BytesIO(), io.BytesIO()
    for m in members:
        name = m.name.encode()
        size = len(m.data) if m.size is None else m.size
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        offset = out.tell()
        # version, flags, method, time, date, crc, sizes, name length, extra length
        common = (m.flags, m.method, 0, 0x21, crc, len(m.data), size, len(name), 0)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *common) + name + m.data)
        # ... then comment length, disk, attributes, offset of the local header
        entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, *common, 0, 0, 0, 0, offset)
        central.write(entry + name)
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    n = len(members)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), start, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def members_of(blob: bytes) -> list[Member]:
    """The members of a valid file, uncompressed, stored."""
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return [Member(i.filename, zf.read(i)) for i in zf.infolist()]


def manifest(members: list[Member]) -> dict:
    return json.loads(next(m for m in members if m.name == META_NAME).data)


def with_manifest(members: list[Member], meta: object, *, sign: bool = True) -> list[Member]:
    """``members`` with the manifest replaced; ``sign`` recomputes its digest, so that the
    check under test is the schema's, not the digest's."""
    if sign and isinstance(meta, dict) and isinstance(meta.get("digest"), str):
        meta = {**meta, "digest": canonical_digest(meta)}
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    return [Member(m.name, raw) if m.name == META_NAME else m for m in members]


def npy(header: dict | bytes, payload: bytes = b"", version: tuple[int, int] = (1, 0)) -> bytes:
    if isinstance(header, bytes):
        return header + payload
    buf = io.BytesIO()
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buf, header)
    else:
        np.lib.format.write_array_header_2_0(buf, header)
    return buf.getvalue() + payload


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A file as DriftDetector.save writes it: numerical, tied, categorical and datetime
    columns, detector settings and kept rows."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "k": rng.integers(0, 5, 300).astype(float),  # ties: a cumcounts array
            "plan": rng.choice(["a", "b", "c"], 300),
            "when": pd.date_range("2026-01-01", periods=300, freq="h", tz="UTC"),
        }
    )
    methods = [ds.KSTest(0.01), ds.PSICalculator(0.2)]
    detector = ds.DriftDetector(frame, methods, detect_ids=False)  # "when" is fitted too
    path = detector.save(tmp_path_factory.mktemp("valid") / "valid.dsref")
    with open(path, "rb") as fh:
        return fh.read()


@pytest.fixture(scope="module")
def version(valid) -> str:
    return Reference.from_bytes(valid).version


# ---------------------------------------------------------------------- the cases
def edit(fn: Callable[[dict], None], *, sign: bool = True) -> Callable[[list[Member]], list]:
    def apply(members: list[Member]) -> list[Member]:
        meta = manifest(members)
        fn(meta)
        return with_manifest(members, meta, sign=sign)

    return apply


def put(path: str, value: object, *, sign: bool = True) -> Callable[[list[Member]], list]:
    """Set (or with ``...`` delete) the manifest field at a dotted path."""

    def fn(meta: dict) -> None:
        *parents, last = path.split(".")
        node = meta
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if value is ...:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit(fn, sign=sign)


def raw_manifest(text: bytes) -> Callable[[list[Member]], list]:
    return lambda members: with_manifest(members, text)


def raw_replace(old: bytes, new: bytes) -> Callable[[list[Member]], list]:
    """Edit the manifest's text (for what json.dumps cannot write)."""

    def apply(members: list[Member]) -> list[Member]:
        text = next(m for m in members if m.name == META_NAME).data
        assert old in text
        return with_manifest(members, text.replace(old, new, 1))

    return apply


def array_member(key: str, data: Callable[[bytes], bytes]) -> Callable[[list[Member]], list]:
    def apply(members: list[Member]) -> list[Member]:
        target = manifest(members)["columns"][0]["arrays"][key]
        return [Member(m.name, data(m.data)) if m.name == target else m for m in members]

    return apply


def f8(shape: tuple, descr: str = "<f8", fortran: bool = False) -> dict:
    return {"descr": descr, "fortran_order": fortran, "shape": shape}


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


CASES: dict[str, tuple[Callable[[list[Member]], list], str]] = {
    # manifest fields: (mutation, fragment the message must hold)
    "bad fitted_at": (put("fitted_at", "yesterday"), "field 'fitted_at'"),
    "naive fitted_at": (put("fitted_at", "2026-01-01T00:00:00"), "field 'fitted_at'"),
    "overflowing fitted_at": (put("fitted_at", "9999-12-31T23:59:59-23:59"), "'fitted_at'"),
    "missing rows": (put("rows", ...), "field 'rows': is missing"),
    "text rows": (put("rows", "many"), "field 'rows'"),
    "negative rows": (put("rows", -1), "field 'rows'"),
    "float rows": (put("rows", 3.5), "field 'rows'"),
    "boolean rows": (put("rows", True), "field 'rows'"),
    "huge rows": (put("rows", 10**30), "field 'rows'"),
    "missing version": (put("version", ...), "field 'version': is missing"),
    "version not hex": (put("version", "zz" * 8), "field 'version'"),
    "missing digest": (put("digest", ..., sign=False), "field 'digest': is missing"),
    "format version 3": (put("format_version", 3), "format version 3"),
    "format version text": (put("format_version", "2"), "format version '2'"),
    "foreign format": (put("format", "other"), "not a driftscope reference file"),
    "manifest a list": (raw_manifest(b"[1, 2]"), "not a driftscope reference file"),
    "unknown field": (put("colour", "red"), "field 'colour'"),
    "columns an object": (put("columns", {"x": 1}), "field 'columns': expected a list"),
    "column a list": (put("columns.0", [1, 2]), "field 'columns[0]': expected an object"),
    "summary a list": (put("columns.0.summary", [1, 2, 3, 4]), "'columns[0].summary'"),
    "summary over rows": (put("columns.0.summary.missing", 10**6), "'columns[0].summary'"),
    "summary text": (put("columns.0.summary.rows", "300"), "'columns[0].summary.rows'"),
    "unknown kind": (put("columns.0.kind", "text"), "'columns[0].kind'"),
    "arrays a list": (put("columns.0.arrays", ["a"]), "'columns[0].arrays'"),
    "no values array": (put("columns.0.arrays.values", ...), "'columns[0].arrays.values'"),
    "unknown array": (put("columns.0.arrays.extra", "arrays/0_n.npy"), "'columns[0].arrays.extra'"),
    "member missing": (put("columns.0.arrays.n", "arrays/none.npy"), "'columns[0].arrays.n'"),
    "member twice": (put("columns.0.arrays.m2", "arrays/0_n.npy"), "already used"),
    "counts short": (put("columns.2.counts", [1]), "'columns[2].counts'"),
    "counts text": (put("columns.2.counts", ["1", "2", "3"]), "'columns[2].counts[0]'"),
    "categories twice": (put("columns.2.categories", ["a", "a", "b"]), "'columns[2].categories'"),
    "category a number": (put("columns.2.categories.0", 1), "'columns[2].categories[0]'"),
    "names twice": (put("columns.1.name", "x"), "'columns'"),
    "skipped a list": (put("skipped", ["x"]), "field 'skipped'"),
    "extra a list": (put("extra", [1]), "field 'extra'"),
    "extra deep": (put("extra.deep", nested(40)), "nested deeper"),
    "deeply nested": (raw_manifest(b"[" * 100_000 + b"]" * 100_000), "nested deeper"),
    "NaN": (raw_manifest(b'{"format": NaN}'), "not valid JSON"),
    "huge number": (raw_replace(b'"rows":300', b'"rows":1e999'), "not a plain JSON value"),
    "duplicate keys": (raw_manifest(b'{"rows": 1, "rows": 2}'), "appears twice"),
    "not UTF-8": (raw_manifest(b'{"source": "\xff"}'), "not valid JSON"),
    "unknown detector setting": (put("extra.detector.bogus", 1), "'extra.detector'"),
    "unknown method": (put("extra.detector.methods.0.name", "nope"), "'extra.detector'"),
    "method params a list": (put("extra.detector.methods.0.params", [1]), "'extra.detector'"),
    "bad significance": (put("extra.detector.significance_level", "x"), "'extra.detector'"),
    "bad max_categories": (put("extra.detector.max_categories", "many"), "max_categories"),
    "a billion PSI bins": (
        put("extra.detector.methods.1.params.bins", 10**9),
        "bins must be between 2 and 10,000",
    ),
    "a trillion MMD permutations": (
        put("extra.detector.methods.0", {"name": "mmd", "params": {"n_permutations": 10**12}}),
        "n_permutations must be between 1 and 100,000",
    ),
    "a huge MMD sample": (
        put("extra.detector.methods.0", {"name": "mmd", "params": {"max_samples": 10**9}}),
        "max_samples must be between 2 and 100,000",
    ),
    # arrays
    "10^12 elements": (
        array_member("values", lambda d: npy(f8((10**12,)), b"\0" * 64)),
        "declares",
    ),
    "object dtype": (array_member("values", lambda d: npy(f8((3,), "|O"), b"\0" * 24)), "dtype"),
    "float32": (array_member("values", lambda d: npy(f8((3,), "<f4"), b"\0" * 12)), "dtype"),
    "two dimensions": (array_member("values", lambda d: npy(f8((1, 3)), b"\0" * 24)), "shape"),
    "negative shape": (array_member("values", lambda d: npy(f8((-1,)), b"")), "shape"),
    "scalar as list": (
        array_member("n", lambda d: npy(f8((1,), "<i8"), b"\1" + b"\0" * 7)),
        "shape",
    ),
    "npy 3.0": (array_member("values", lambda d: b"\x93NUMPY\x03\x00" + d[8:]), ".npy"),
    "garbage header": (
        array_member("values", lambda d: npy(b"\x93NUMPY\x01\x00\x08\x00{'a':(}\n")),
        ".npy",
    ),
    "not npy": (array_member("values", lambda d: b"PK\x03\x04" + d), ".npy"),
    "truncated npy": (array_member("values", lambda d: d[:-8]), "declares"),
    "unsorted values": (
        array_member("values", lambda d: d[:-16] + d[-8:] + d[-16:-8]),
        "increasing",
    ),
    "flipped value": (array_member("values", lambda d: _flip(d, -8)), "content hash"),
    "mean NaN": (array_member("mean", lambda d: d[:-8] + struct.pack("<d", float("nan"))), "mean"),
    # the zip itself
    "entry dropped": (lambda ms: [m for m in ms if not m.name.endswith("0_m2.npy")], "lacks"),
    "entry duplicated": (lambda ms: [*ms, ms[-1]], "twice"),
    "entry added": (lambda ms: [*ms, Member("notes.txt", b"hi")], "'notes.txt'"),
    "manifest dropped": (lambda ms: [m for m in ms if m.name != META_NAME], "not a driftscope"),
    "bzip2": (lambda ms: _method(ms, zipfile.ZIP_BZIP2), "compression method 12"),
    "unknown method 99": (lambda ms: _method(ms, 99), "compression method 99"),
    "encrypted": (lambda ms: [Member(m.name, m.data, flags=1) for m in ms], "encrypted"),
    "sizes differ": (
        lambda ms: [Member(m.name, m.data, size=len(m.data) + 1) for m in ms],
        "sizes",
    ),
    "bad CRC": (lambda ms: [Member(m.name, m.data, crc=1) for m in ms], "damaged zip"),
    "not a zip": (lambda ms: b"hello", "damaged zip"),
    "truncated zip": (lambda ms: build_zip(ms)[:-30], "damaged zip"),
}


def _flip(data: bytes, at: int) -> bytes:
    """``data`` with the lowest bit of the byte at ``at`` flipped (of the last value: the
    lowest mantissa bit, so the values stay sorted)."""
    out = bytearray(data)
    out[at] ^= 1
    return bytes(out)


def _method(members: list[Member], method: int) -> list[Member]:
    return [Member(m.name, m.data, method=method) if m.name == META_NAME else m for m in members]


def _build(valid: bytes, mutate: Callable) -> bytes:
    out = mutate(members_of(valid))
    return out if isinstance(out, bytes) else build_zip(out)


@pytest.mark.parametrize("case", list(CASES))
def test_each_malformed_file_is_one_clear_error(case, valid, version, tmp_path):
    mutate, fragment = CASES[case]
    path = tmp_path / "bad.dsref"
    path.write_bytes(_build(valid, mutate))
    with pytest.raises(ReferenceFileError) as caught:
        ds.DriftDetector.load(path)
    message = str(caught.value)
    assert message.startswith(f"reference file {str(path)!r}"), message
    assert fragment in message, message
    assert "\n" not in message and "\x1b" not in message


@pytest.mark.parametrize("case", ["bad fitted_at", "10^12 elements", "bzip2", "deeply nested"])
def test_the_command_line_says_one_line_and_exits_2(case, valid, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mutate, fragment = CASES[case]
    (tmp_path / "bad.dsref").write_bytes(_build(valid, mutate))
    pd.DataFrame({"x": [0.1, 0.2], "plan": ["a", "b"]}).to_csv("now.csv", index=False)
    result = CliRunner().invoke(cli, ["drift", "bad.dsref", "now.csv"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("driftscope: error: reference file 'bad.dsref'")
    assert fragment in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- the hash
@pytest.mark.parametrize(
    "field, value",
    [
        ("extra.detector.significance_level", 0.5),
        ("extra.detector.methods.0.params.significance_level", 0.5),
        ("extra.detector.correction", None),
        ("extra.detector.combine", "all"),
        ("extra.detector.prediction_column", "x"),
        ("rows", 7),
        ("fitted_at", "2020-01-01T00:00:00+00:00"),
        ("source", "elsewhere"),
        ("skipped", {"note": "text column"}),
    ],
)
def test_an_edit_anywhere_in_the_manifest_is_noticed(field, value, valid, tmp_path):
    path = tmp_path / "edited.dsref"
    path.write_bytes(_build(valid, put(field, value, sign=False)))
    with pytest.raises(ReferenceFileError, match="was modified"):
        ds.DriftDetector.load(path)


def test_an_edited_array_is_noticed(valid):
    blob = _build(valid, CASES["flipped value"][0])
    with pytest.raises(ReferenceFileError, match="was modified: its content hash"):
        Reference.from_bytes(blob)


def test_files_of_format_1_still_load(valid, version, tmp_path):
    """Files written before the digest existed (format 1) are read; their manifest is checked
    against the schema, their arrays against the version."""
    old = _build(valid, put("format_version", 1, sign=False))
    old = _build(old, put("digest", ..., sign=False))
    detector_settings = manifest(members_of(valid))["extra"]["detector"]
    path = tmp_path / "old.dsref"
    path.write_bytes(old)
    loaded, extra = Reference.load_with_extra(path)
    assert loaded.version == version and extra["detector"] == detector_settings
    with pytest.raises(ReferenceFileError, match="'rows'"):
        Reference.from_bytes(_build(old, put("rows", "many", sign=False)))


def test_saved_files_round_trip_with_their_settings(tmp_path, rng):
    frame = pd.DataFrame({"x": rng.normal(size=200), "p": rng.random(200)})
    detector = ds.DriftDetector(frame, [ds.KSTest(0.01)], prediction_column="p", correction=None)
    loaded = ds.DriftDetector.load(detector.save(tmp_path / "d.dsref"))
    assert loaded.reference_version == detector.reference_version
    assert (loaded.correction, loaded.prediction_column, loaded.detection_methods[0].params()) == (
        None,
        "p",
        detector.detection_methods[0].params(),
    )
    with zipfile.ZipFile(tmp_path / "d.dsref") as zf:
        meta = json.loads(zf.read(META_NAME))
    assert meta["format_version"] == 2 and meta["digest"] == canonical_digest(meta)


def test_saving_settings_that_are_not_plain_json_is_refused(rng):
    ref = Reference.fit({"x": rng.normal(size=50)})
    with pytest.raises(ds.ConfigError, match=r"extra\.bad"):
        ref.to_bytes(extra={"bad": float("nan")})
    with pytest.raises(ds.ConfigError, match="nested deeper"):
        ref.to_bytes(extra={"deep": nested(40)})


# ---------------------------------------------------------------------- size limits
def _spaces_bomb(meta: bytes, size: int) -> bytes:
    """``meta`` padded with ``size`` spaces before its final brace, deflated, built from
    repeated fully flushed blocks so that making it costs nothing."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(meta[:-1]) + c.flush(zlib.Z_FULL_FLUSH)
    chunk = 1 << 20
    block = c.compress(b" " * chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(b" " * chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == block  # a full flush resets the window: blocks repeat byte for byte
    tail = c.compress(b"}") + c.flush()
    return head + block * (size // chunk) + tail


@pytest.mark.parametrize("declared", ["honest", "lying"])
def test_a_zip_bomb_is_refused_without_inflating_it(declared, valid):
    """2 GiB of deflated whitespace in a 2 MB file: refused from the directory when it
    declares its size, and after at most the declared bytes when it lies."""
    members = members_of(valid)
    meta = next(m for m in members if m.name == META_NAME).data
    size = 2 << 30
    bomb = _spaces_bomb(meta, size)
    assert len(bomb) < 3_000_000
    declared_size = len(meta) + size if declared == "honest" else len(meta)
    members = [
        Member(m.name, bomb, zipfile.ZIP_DEFLATED, size=declared_size, crc=0)
        if m.name == META_NAME
        else m
        for m in members
    ]
    blob = build_zip(members)
    tracemalloc.start()
    try:
        with pytest.raises(ReferenceFileError) as caught:
            Reference.from_bytes(blob, "bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak:,} bytes"
    expected = "would inflate" if declared == "honest" else "damaged zip"
    assert expected in str(caught.value)


def test_caps_apply_to_each_entry_the_total_and_the_manifest(valid):
    entry = max(members_of(valid), key=lambda m: len(m.data))
    for limits, fragment in [
        (FileLimits(max_entry_bytes=len(entry.data) - 1), "bytes uncompressed"),
        (FileLimits(max_total_bytes=len(valid) // 2), "bytes uncompressed"),
        (FileLimits(max_manifest_bytes=100), "field 'reference.json'"),
        (FileLimits(max_columns=3), "field 'columns'"),
        (FileLimits(max_sample_cells=1000), "field 'row_sample'"),
        (FileLimits(max_depth=4), "nested deeper than 4"),
    ]:
        with pytest.raises(ReferenceFileError, match=fragment):
            Reference.from_bytes(valid, "capped", limits=limits)
    with pytest.raises(ds.ConfigError, match="max_ratio"):
        FileLimits(max_ratio=0)
    limits = FileLimits(max_columns=1)
    many = [Member(f"m{i}", b"") for i in range(limits.max_entries + 1)]
    with pytest.raises(ReferenceFileError, match="zip entries"):
        Reference.from_bytes(build_zip(many), limits=limits)


def test_a_damaged_row_sample_is_refused_on_loading(rng):
    ref = Reference.fit({"x": rng.normal(size=50)})
    damaged = Reference(ref.columns, rows=ref.rows, row_sample=b"PAR1 not parquet")
    with pytest.raises(ReferenceFileError, match="field 'row_sample'"):
        Reference.from_bytes(damaged.to_bytes())
    with pytest.raises(ReferenceFileError, match="kept rows cannot be read"):
        damaged.row_sample  # noqa: B018 - a damaged sample built in memory fails when read


def test_stores_load_references_through_the_same_checks(tmp_path, rng):
    ref = Reference.fit({"x": rng.normal(size=50)})
    with EmbeddedStore(tmp_path / "home") as store:
        store.save_reference("m", ref)
        (path,) = (tmp_path / "home").rglob("*.dsref")
        path.write_bytes(_build(ref.to_bytes(), put("rows", "many")))
        blob = store.load_reference("m")  # the store hands the bytes over undecoded
        with pytest.raises(
            ds.StoreError, match=f"reference '{ref.version}' of model 'm': .*'rows'"
        ):
            Reference.from_blob(blob)


def test_postgres_store_loads_references_through_the_same_checks(rng, pg_schema, tmp_path):
    import psycopg

    from driftscope.store import PostgresStore

    ref = Reference.fit({"x": rng.normal(size=50)})
    with PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path) as store:
        store.save_reference("m", ref)
        bad = _build(ref.to_bytes(), CASES["10^12 elements"][0])
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'UPDATE "{pg_schema}".reference_versions SET data = %s', (bad,))
        with pytest.raises(ds.StoreError, match="declares 1,000,000,000,000 values") as caught:
            Reference.from_blob(store.load_reference("m"))
        assert f"reference '{ref.version}' of model 'm'" in str(caught.value)


# ---------------------------------------------------------------------- fuzzing
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutations(draw: st.DrawFn, valid: bytes) -> bytes:
    members = members_of(valid)
    kinds = ["field", "field", "flip", "flip member", "drop", "duplicate", "npy", "cut"]
    kind = draw(st.sampled_from(kinds))
    if kind == "field":
        meta = manifest(members)
        path = draw(st.sampled_from(_paths(meta)))
        node = meta
        for key in path[:-1]:
            node = node[key]
        if draw(st.booleans()):
            node[path[-1]] = draw(json_values)
        elif isinstance(node, dict):
            del node[path[-1]]
        else:
            node.append(draw(json_values))
        return build_zip(with_manifest(members, meta, sign=draw(st.booleans())))
    if kind == "flip":
        blob = bytearray(build_zip(members))
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(blob) - 1))
            blob[at] ^= draw(st.integers(1, 255))
        return bytes(blob)
    if kind == "flip member":  # inside one member, the zip kept valid (CRCs recomputed)
        i = draw(st.integers(0, len(members) - 1))
        data = bytearray(members[i].data)
        for _ in range(draw(st.integers(1, 8)) if data else 0):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        members[i] = Member(members[i].name, bytes(data))
        return build_zip(members)
    if kind == "cut":
        blob = build_zip(members)
        return blob[: draw(st.integers(0, len(blob) - 1))]
    i = draw(st.integers(0, len(members) - 1))
    if kind == "drop":
        return build_zip(members[:i] + members[i + 1 :])
    if kind == "duplicate":
        return build_zip([*members, members[i]])
    arrays = [m for m in members if m.name.endswith(".npy")]
    target = draw(st.sampled_from(arrays))
    header = {
        "descr": draw(st.sampled_from(["<f8", ">f8", "<i8", "<f4", "|O", "<U3", "|b1", "<c16"])),
        "fortran_order": draw(st.booleans()),
        "shape": tuple(draw(st.lists(st.integers(-2, 2**62), max_size=3))),
    }
    payload = draw(st.binary(max_size=64))
    data = npy(header, payload, draw(st.sampled_from([(1, 0), (2, 0)])))
    return build_zip([Member(m.name, data) if m is target else m for m in members])


@pytest.fixture(scope="module")
def mutated(valid):
    return mutations(valid)


@pytest.fixture(scope="module")
def fuzz_path(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("fuzz") / "fuzzed.dsref"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_files_load_equal_or_fail_cleanly(data, valid, version, mutated, fuzz_path):
    """Mutated files (manifest fields replaced by random JSON, signed or not, bytes flipped in
    the archive or inside one member, entries dropped or duplicated, .npy headers rewritten,
    files cut short) load as a detector on an equal-hash reference, or raise a
    DriftscopeError: never another exception, never more than 64 MiB."""
    fuzz_path.write_bytes(data.draw(mutated))
    tracemalloc.start()
    try:
        loaded = ds.DriftDetector.load(fuzz_path)
    except DriftscopeError:
        loaded = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak:,} bytes"
    if loaded is not None:
        assert loaded.reference_.version == version
        assert loaded.reference_.row_sample is not None
