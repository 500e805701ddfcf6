"""Putting a damaged embedded store home back in order.

:func:`repair_home` reads every listed segment in full; unreadable ones (truncated,
corrupt) are moved to ``quarantine/`` (same relative path, for inspection) and dropped
from the catalog, so the rest stays readable; listed files that vanished are dropped
from the catalog too. Files under ``segments/`` and ``archive/`` that the catalog does
not list and that are older than an hour (left by a crash between a file's rename and its
catalog commit, or during an archive pass) are removed. The caller holds the compaction
lock.

>>> RepairReport((), (), 0).quarantined
()
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from driftscope.store.catalog import Catalog
from driftscope.store.compaction import empty_trash
from driftscope.store.scan import SegmentMissing, SegmentUnreadable, read_error
from driftscope.store.segments import StoreHome, ensure_dir, remove_quietly, unavailable

ORPHAN_AGE_S = 3600.0


@dataclass(frozen=True)
class RepairReport:
    """What a repair did: segments moved to quarantine (their new absolute paths), catalog
    entries whose file was missing (relative paths), unlisted old files removed."""

    quarantined: tuple[str, ...]
    missing: tuple[str, ...]
    orphans_removed: int


def repair_home(catalog: Catalog, home: StoreHome) -> RepairReport:
    empty_trash(catalog, home)
    segs = catalog.segments(None, kinds=("predictions", "labels"), tiers=("hot", "archive"))
    bad, missing = [], []
    for seg in segs:
        try:
            pq.ParquetFile(home.absolute(seg.path)).read(use_threads=True)
        except (OSError, pa.ArrowException, ValueError) as exc:
            error = read_error(home.absolute(seg.path), exc)
            if isinstance(error, SegmentMissing):
                missing.append(seg)
            elif isinstance(error, SegmentUnreadable):
                bad.append(seg)
            else:  # not readable by us right now: not damaged, not ours to move
                raise error from exc
    quarantined = []
    for seg in bad:
        dest = home.quarantine / seg.path
        ensure_dir(dest.parent)
        try:
            os.rename(home.absolute(seg.path), dest)
        except OSError as exc:
            raise unavailable(dest, exc, "move to quarantine") from exc
        quarantined.append(str(dest))
    if bad or missing:
        catalog.replace_segments([*bad, *missing], [])
        empty_trash(catalog, home)
    orphans = remove_orphans(catalog, home)
    return RepairReport(tuple(quarantined), tuple(s.path for s in missing), orphans)


def remove_orphans(catalog: Catalog, home: StoreHome, older_than_s: float = ORPHAN_AGE_S) -> int:
    """Remove segment and archive files the catalog does not list, if old enough."""
    with catalog.read() as conn:
        listed = {row[0] for row in conn.execute("SELECT path FROM segments")}
    limit = time.time() - older_than_s
    removed = 0
    for top in ("segments", "archive"):
        for folder, _, names in os.walk(home.root / top):
            for name in names:
                path = Path(folder) / name
                if home.relative(path) in listed:
                    continue
                try:
                    if path.stat().st_mtime < limit and remove_quietly(path):
                        removed += 1
                except OSError:
                    continue
    return removed
