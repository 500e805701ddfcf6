"""One rule for repeated prediction ids, shared by every store: the first row of each id
is kept, the later ones dropped.

Ids are hashed (FNV-1a with a splitmix64 finish, compiled with Numba); only rows whose hash
repeats are compared by their ids, so a batch without repeats, the usual case, costs one
hashing pass and is returned as it is. The embedded store's label join
(:mod:`driftscope.store.embedded._label_join`) probes with the same hashes.

>>> first_rows(pa.chunked_array([["a", "b", "a", "c", "b"]])).tolist()
[0, 1, 3]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.core import records as r
from driftscope.core._jit import njit


# ---------------------------------------------------------------------- hashing
@njit
def _hash_strings(offsets, data, start, count, out, at):
    """FNV-1a over each string's bytes, then a splitmix64 finish to spread the bits."""
    for i in range(count):
        h = np.uint64(14695981039346656037)
        for j in range(offsets[start + i], offsets[start + i + 1]):
            h = (h ^ np.uint64(data[j])) * np.uint64(1099511628211)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
        out[at + i] = h


def hash_ids(ids: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A uint64 hash per id (text without nulls; dictionary-encoded text is decoded)."""
    chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
    out = np.empty(sum(len(c) for c in chunks), dtype=np.uint64)
    at = 0
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            chunk = chunk.cast(chunk.type.value_type)
        if pa.types.is_string_view(chunk.type):
            chunk = chunk.cast(pa.large_string())
        if chunk.null_count:
            raise ValueError("ids hold nulls")
        _, offsets, data = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=width)
        data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
        _hash_strings(offsets, data, chunk.offset, len(chunk), out, at)
        at += len(chunk)
    return out


# ---------------------------------------------------------------------- repeated ids
@njit
def _repeats(hashes):
    """Whether a hash occurs twice: an open-addressing set, left at the first repeat."""
    size = 1
    while size < 2 * hashes.size + 2:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.zeros(size, dtype=np.uint64)
    used = np.zeros(size, dtype=np.bool_)
    for i in range(hashes.size):
        h = hashes[i]
        s = h & mask
        while used[s]:
            if slots[s] == h:
                return True
            s = (s + np.uint64(1)) & mask
        used[s] = True
        slots[s] = h
    return False


def has_repeats(hashes: np.ndarray) -> bool:
    """Whether some hash occurs more than once (one pass; no sort).

    >>> has_repeats(np.array([3, 1, 2], np.uint64)), has_repeats(np.array([3, 1, 3], np.uint64))
    (False, True)
    """
    return bool(hashes.size > 1 and _repeats(hashes))


def repeated_ids(ids: pa.ChunkedArray, hashes: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Rows to drop so that each id is kept once, in its row of lowest ``priority``
    (``hashes`` of ``ids``; only rows whose hash repeats are compared, by their ids).

    >>> ids = pa.chunked_array([["a", "b", "a", "c", "a"]])
    >>> repeated_ids(ids, hash_ids(ids), np.array([5, 0, 1, 2, 3])).tolist()
    [0, 4]
    """
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    rows = np.flatnonzero(counts[inverse] > 1)
    if rows.size == 0:
        return rows
    keys = pa.table({"id": ids.take(pa.array(rows)), "p": pa.array(priority[rows])})
    order = pc.sort_indices(keys, [("id", "ascending"), ("p", "ascending")]).to_numpy()
    names = keys.column("id").take(pa.array(order))
    same = pc.equal(names.slice(1), names.slice(0, len(names) - 1))
    later = np.flatnonzero(same.to_numpy(zero_copy_only=False)) + 1
    return np.sort(rows[order[later]])


def plain_text(chunks: Sequence[pa.Array]) -> bool:
    """Whether ``chunks`` are all text without nulls: ids that :func:`hash_ids` hashes.

    >>> plain_text([pa.array(["a"]), pa.array(["b"], pa.large_string())])
    True
    >>> plain_text([pa.array(["a", None])]), plain_text([pa.array([1])])
    (False, False)
    """
    return all(
        (pa.types.is_string(c.type) or pa.types.is_large_string(c.type)) and not c.null_count
        for c in chunks
    )


def first_rows(ids: pa.ChunkedArray) -> np.ndarray | None:
    """The rows of ``ids`` holding each id's first occurrence, ascending; None when no id
    repeats (one hashing pass), or when the ids are not text without nulls (all kept).

    >>> first_rows(pa.chunked_array([["a", "b", "a", "c", "b"]])).tolist()
    [0, 1, 3]
    >>> first_rows(pa.chunked_array([["a", "b"]])) is None
    True
    """
    if not plain_text(ids.chunks):
        return None
    hashes = hash_ids(ids)
    if not has_repeats(hashes):
        return None
    keep = np.ones(len(ids), dtype=bool)
    keep[repeated_ids(ids, hashes, np.arange(len(hashes)))] = False
    return np.flatnonzero(keep)


def first_of_each_id(table: pa.Table) -> pa.Table:
    """``table`` without the later rows of a repeated ``prediction_id`` (the first row of
    each id kept; no copy when none repeats).

    >>> t = pa.table({"prediction_id": ["a", "b", "a"], "x": [1, 2, 3]})
    >>> first_of_each_id(t).column("x").to_pylist()
    [1, 2]
    """
    rows = first_rows(table.column(r.PREDICTION_ID))
    return table if rows is None else table.take(pa.array(rows))
