"""The binary COPY parser on hand-made streams (the server-backed tests cover real ones)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from driftscope.errors import StoreError
from driftscope.store.postgres._binary import SIGNATURE, parse

HEADER = SIGNATURE + bytes(8)
TYPES = [pa.string(), pa.float64(), pa.int64(), pa.bool_(), pa.timestamp("us", tz="UTC")]


def _row(text: bytes | None, x: float | None, n: int | None, b: bool | None, us: int) -> bytes:
    out = struct.pack(">h", 5)
    out += struct.pack(">i", -1) if text is None else struct.pack(">i", len(text)) + text
    out += struct.pack(">i", -1) if x is None else struct.pack(">id", 8, x)
    out += struct.pack(">i", -1) if n is None else struct.pack(">iq", 8, n)
    out += struct.pack(">i", -1) if b is None else struct.pack(">i?", 1, b)
    return out + struct.pack(">iq", 8, us)


def test_every_type_with_nulls():
    stream = HEADER + _row(b"\xc3\xbc", -0.5, -(2**63), True, 0) + _row(None, None, None, None, -1)
    table = parse(stream + b"\xff\xff", TYPES)
    assert table.column("c0").to_pylist() == ["ü", None]
    assert table.column("c1").to_pylist() == [-0.5, None]
    assert table.column("c2").to_pylist() == [-(2**63), None]
    assert table.column("c3").to_pylist() == [True, None]
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    assert table.column("c4").to_pylist() == [epoch, epoch - timedelta(microseconds=1)]


def test_an_empty_stream_keeps_the_types():
    table = parse(HEADER + b"\xff\xff", TYPES)
    assert table.num_rows == 0 and table.schema.types == TYPES


@pytest.mark.parametrize(
    "stream",
    [b"not a copy stream at all", HEADER + _row(b"x", 1.0, 1, True, 0), HEADER + b"\x00\x05\x00"],
)
def test_damaged_streams_are_store_errors(stream):
    with pytest.raises(StoreError, match="COPY"):
        parse(stream, TYPES)
