"""Moving old predictions (and their labels) from hot segments to cold archive files.

For one model and a cutoff: every hot prediction segment holding rows older than the cutoff
is read; those rows go to ``archive/<model>/predictions/<day>/...parquet`` (zstd at a
higher level, one file per UTC day per pass), the newer rows of a segment straddling the
cutoff to a fresh hot segment. Labels of the archived prediction ids move the same way to
``archive/<model>/labels/<day>/``. The catalog swap (old rows out, archive and remainder
rows in) is one transaction; files are unlinked after it. Each output names its pass and
the segments its rows came from, and just before the swap a manifest
(``passes/<token>.json``) lists the pass's inputs and outputs: a crash before it leaves
outputs that are copies of rows still listed (:meth:`EmbeddedStore.repair` quarantines
them), one after it outputs that a catalog rebuilt from the files lists instead of the
inputs.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.core import records as r
from driftscope.errors import StoreError
from driftscope.store._unique_ids import first_rows
from driftscope.store.embedded._catalog import Catalog, NewSegment, Segment
from driftscope.store.embedded._compaction import empty_trash
from driftscope.store.embedded._segments import (
    StoreHome,
    read_parquet_file,
    remove_quietly,
    timestamps_us,
    unify,
    write_durably,
    write_segment,
)


@dataclass
class ArchivePass:
    """What one model's pass wrote, before the catalog swap makes it real.

    >>> ArchivePass().predictions, ArchivePass().archive_files
    (0, [])
    """

    new: list[NewSegment] = field(default_factory=list)
    archive_files: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    predictions: int = 0
    labels: int = 0
    bytes_written: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(8))

    def write(
        self,
        home: StoreHome,
        model: str,
        tier: str,
        kind: str,
        day: str,
        table: pa.Table,
        seq: int | None = None,
        inputs: list[str] | None = None,
    ) -> None:
        """Write one output of the pass; ``inputs``: the segments its rows came from."""
        seg = write_segment(
            home, model, tier, kind, day, table, seq=seq, supersedes=inputs, pass_token=self.token
        )
        dest = home.absolute(seg.path)
        self.written.append(dest)
        self.new.append(seg)
        if tier == "archive":
            self.archive_files.append(dest)
            self.bytes_written += seg.bytes

    def manifest(self, home: StoreHome, inputs: list[Segment]) -> Path:
        """Record, durably, before the catalog swap, that the pass replaces ``inputs`` with
        its outputs: a catalog rebuilt from the files then lists the outputs instead of
        the inputs (and knows outputs without a manifest for copies of a pass that did not
        finish)."""
        dest = home.passes / f"{self.token}.json"
        body = {"outputs": [s.path for s in self.new], "inputs": [s.path for s in inputs]}
        write_durably(json.dumps(body).encode(), dest, home.tmp)
        self.written.append(dest)
        return dest

    def abandon(self) -> None:
        for path in self.written:
            remove_quietly(path)


def _by_day(segs: list[Segment]) -> dict[str, list[Segment]]:
    days: dict[str, list[Segment]] = defaultdict(list)
    for seg in sorted(segs, key=lambda s: s.order):  # write order, as reads rank them
        days[seg.day].append(seg)
    return days


def _first_records(tables: list[pa.Table]) -> np.ndarray:
    """Per row of ``tables`` (prediction segments in write order), whether it is the first
    stored record of its prediction id: the later ones, which reads ignore, are not
    carried into the pass's outputs (sorted there, nothing would tell them apart)."""
    ids = pa.chunked_array(
        [c for t in tables for c in t.column(r.PREDICTION_ID).cast(pa.string()).chunks],
        pa.string(),
    )
    rows = first_rows(ids)
    if rows is None:
        return np.ones(len(ids), dtype=bool)
    keep = np.zeros(len(ids), dtype=bool)
    keep[rows] = True
    return keep


def archive_model(catalog: Catalog, home: StoreHome, model: str, cutoff: int) -> ArchivePass:
    """Archive ``model``'s predictions older than ``cutoff`` (µs) and their labels.

    The caller holds the compaction lock, so no compaction swaps these segments meanwhile;
    writers may add segments, which this pass leaves alone.
    """
    with catalog.read() as conn:
        old = catalog.segments(model, kinds=("predictions",), until=cutoff, conn=conn)
        label_segs = catalog.segments(model, kinds=("labels",), conn=conn)
    done = ArchivePass()
    if not old:
        return done
    touched: list[Segment] = list(old)
    try:
        ids = []
        for day, segs in _by_day(old).items():
            tables = [read_parquet_file(home.absolute(s.path), s.checksum) for s in segs]
            first = _first_records(tables)
            archived, kept, at = [], [], 0
            for table in tables:
                keep = first[at : at + table.num_rows]
                at += table.num_rows
                older = timestamps_us(table.column(r.TIMESTAMP)) < cutoff
                archived.append(table.filter(pa.array(older & keep)))
                if (~older & keep).any():
                    kept.append(table.filter(pa.array(~older & keep)))
            moved = unify(archived)
            done.predictions += moved.num_rows
            ids.append(moved.column(r.PREDICTION_ID).combine_chunks())
            seq = min(seg.order[0] for seg in segs)
            inputs = [seg.path for seg in segs]
            done.write(home, model, "archive", "predictions", day, moved, seq, inputs)
            if kept:
                done.write(home, model, "hot", "predictions", day, unify(kept), seq, inputs)
        value_set = pa.concat_arrays(ids) if ids else pa.array([], pa.string())
        for day, segs in _by_day(label_segs).items():
            archived, kept, inputs = [], [], []
            for seg in segs:
                table = read_parquet_file(home.absolute(seg.path), seg.checksum)
                hit = pc.is_in(table.column(r.PREDICTION_ID), value_set=value_set)
                hit = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
                if not hit.any():
                    continue
                touched.append(seg)
                inputs.append(seg.path)
                archived.append(table.filter(pa.array(hit)))
                if not hit.all():
                    kept.append(table.filter(pa.array(~hit)))
            seq = min(seg.order[0] for seg in segs)
            if archived:
                moved = unify(archived)
                done.labels += moved.num_rows
                done.write(home, model, "archive", "labels", day, moved, seq, inputs)
            if kept:
                done.write(home, model, "hot", "labels", day, unify(kept), seq, inputs)
        manifest = done.manifest(home, touched)
        if not catalog.replace_segments(touched, done.new):
            raise StoreError(
                f"archive of model {model!r}: its segments changed during the pass; run it again"
            )
    except BaseException:
        done.abandon()
        raise
    empty_trash(catalog, home)
    remove_quietly(manifest)  # the inputs are gone: nothing left to tell apart
    return done
