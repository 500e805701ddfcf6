"""Putting a damaged embedded store home back in order, and rebuilding a lost catalog.

The catalog is an index of the segment files, and each segment describes itself: its
Parquet footer holds its model, kind, tier, day, rows, time range, place in write order
and the files it replaced (a merged file names its inputs); its name holds the CRC-32 of
the whole file. So the files alone say what the store holds.

:func:`reconcile` makes the catalog agree with the files. A listed file that is corrupt
(checksum differs, or it cannot be decoded) is moved to ``quarantine/`` (same relative
path) and dropped from the catalog; a listed file gone from disk is dropped from it. A
file on disk that the catalog does not list is listed again when it is whole and not
replaced by a merged file that is whole; quarantined when it is damaged; and removed only
when a whole merged file records it among its inputs (its rows are all in that file).
Nothing else is ever deleted. Files younger than ``older_than_s`` that the catalog does
not list are left alone: a write may be about to list them. The caller holds the
compaction lock.

>>> RepairReport((), (), (), 0).registered
()
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyarrow.parquet as pq

from driftscope.store.embedded._catalog import Catalog, NewSegment, Segment, insert_segments
from driftscope.store.embedded._compaction import empty_trash
from driftscope.store.embedded._scan import (
    DECODE_ERRORS,
    SegmentUnreadable,
    file_checksum,
    read_error,
)
from driftscope.store.embedded._segments import (
    TIER_DIRS,
    StoreHome,
    checksum_in_name,
    description_of,
    ensure_dir,
    time_column,
    ts_range,
    unavailable,
)

log = logging.getLogger(__name__)

ORPHAN_AGE_S = 3600.0


@dataclass(frozen=True)
class RepairReport:
    """What a repair did: segments moved to quarantine (their new absolute paths), catalog
    entries whose file was missing (relative paths), files on disk listed again (relative
    paths), and inputs of merged files removed (their rows are in the merged file).

    >>> import tempfile
    >>> from driftscope.store.embedded import EmbeddedStore
    >>> with EmbeddedStore(tempfile.mkdtemp()) as store:
    ...     store.repair()
    RepairReport(quarantined=(), missing=(), registered=(), superseded_removed=0)
    """

    quarantined: tuple[str, ...]
    missing: tuple[str, ...]
    registered: tuple[str, ...]
    superseded_removed: int


@dataclass
class _Found:
    """A segment file on disk: its catalog entry (from its footer) and the files it
    replaced; ``entry`` None when it is damaged (``reason`` says how)."""

    path: str
    entry: NewSegment | None
    supersedes: tuple[str, ...] = ()
    reason: str = ""
    verified: bool = False
    pass_token: str | None = None  # written by this archive pass


def segment_files(home: StoreHome) -> list[str]:
    """Relative paths of every file under ``segments/`` and ``archive/``."""
    out: list[str] = []
    for top in TIER_DIRS.values():
        for folder, _, names in os.walk(home.root / top):
            out.extend(home.relative(Path(folder) / name) for name in names)
    return sorted(out)


def has_segments(home: StoreHome) -> bool:
    """Whether any file is under ``segments/`` or ``archive/`` (stops at the first).

    >>> import tempfile
    >>> has_segments(StoreHome(Path(tempfile.mkdtemp())))
    False
    """
    for top in TIER_DIRS.values():
        for _, _, names in os.walk(home.root / top):
            if names:
                return True
    return False


def _from_path(home: StoreHome, rel: str, meta: pq.FileMetaData) -> NewSegment | None:
    """The catalog entry of a segment written before segments described themselves, from
    its place (``<tier>/<model>/<kind>/<day>/``) and content; None when it cannot tell."""
    parts = rel.split("/")
    tiers = {v: k for k, v in TIER_DIRS.items()}
    if len(parts) != 5 or parts[0] not in tiers or parts[2] not in ("predictions", "labels"):
        return None
    if "~" in parts[1]:  # a long model name, shortened with a hash: not recoverable
        return None
    kind = parts[2]
    column = time_column(kind)
    table = pq.ParquetFile(home.absolute(rel), metadata=meta).read(columns=[column])
    low, high = ts_range(table, column)
    size = home.absolute(rel).stat().st_size
    return NewSegment(
        unquote(parts[1]), kind, tiers[parts[0]], parts[3], rel, table.num_rows, size, low, high
    )


def inspect(home: StoreHome, rel: str, *, verify: bool) -> _Found:
    """What the file at ``rel`` says about itself (its footer), its checksum verified
    when ``verify``. FileNotFoundError when it is gone."""
    path = home.absolute(rel)
    checksum = checksum_in_name(path.name)
    verified = False
    if verify and checksum is not None:
        found = file_checksum(path)
        if found != checksum:
            return _Found(rel, None, reason=f"checksum {found}, {checksum} when written")
        verified = True
    try:
        meta = pq.read_metadata(path)
        desc = description_of(meta.metadata)
        if desc is None:
            entry = _from_path(home, rel, meta)
            if entry is None:
                return _Found(rel, None, reason="not a segment this store can attribute")
            return _Found(rel, entry, verified=verified)
        if verify and checksum is None:  # no checksum: decoding it is all we can do
            pq.ParquetFile(path, metadata=meta).read(use_threads=True)
    except FileNotFoundError:
        raise
    except DECODE_ERRORS as exc:
        error = read_error(path, exc)
        if isinstance(error, SegmentUnreadable):
            return _Found(rel, None, reason=str(exc))
        raise error from exc
    entry = NewSegment(
        desc["model"], desc["kind"], desc["tier"], desc["day"], rel, int(desc["rows"]),
        path.stat().st_size, desc.get("min_ts"), desc.get("max_ts"), checksum, int(desc["seq"]),
    )  # fmt: skip
    token = desc.get("pass")
    return _Found(
        rel, entry, tuple(desc.get("supersedes", ())), verified=verified,
        pass_token=token if isinstance(token, str) else None,
    )  # fmt: skip


def _manifests(home: StoreHome) -> dict[str, tuple[list[str], list[str]]]:
    """Archive passes that reached their catalog swap: token -> (outputs, inputs)."""
    out = {}
    for path in sorted(home.passes.glob("*.json")) if home.passes.is_dir() else []:
        try:
            body = json.loads(path.read_bytes())
            out[path.stem] = ([str(p) for p in body["outputs"]], [str(p) for p in body["inputs"]])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: its outputs are judged without it
    return out


def _listed_damage(home: StoreHome, seg: Segment) -> str | None:
    """Why a listed segment is damaged (None: it is whole). FileNotFoundError if gone."""
    path = home.absolute(seg.path)
    try:
        if seg.checksum is not None:
            found = file_checksum(path)
            return (
                None if found == seg.checksum else f"checksum {found}, {seg.checksum} when written"
            )
        pq.ParquetFile(path).read(use_threads=True)
    except FileNotFoundError:
        raise
    except DECODE_ERRORS as exc:
        error = read_error(path, exc)
        if isinstance(error, SegmentUnreadable):
            return str(exc)
        raise error from exc
    return None


def quarantine(home: StoreHome, rel: str) -> Path:
    """Move the file at ``rel`` to ``quarantine/<rel>``; its new path."""
    dest = home.quarantine / rel
    ensure_dir(dest.parent)
    try:
        os.rename(home.absolute(rel), dest)
    except OSError as exc:
        raise unavailable(dest, exc, "move to quarantine") from exc
    return dest


def reconcile(
    catalog: Catalog,
    home: StoreHome,
    *,
    older_than_s: float = ORPHAN_AGE_S,
    verify: bool = True,
) -> RepairReport:
    """Make the catalog agree with the segment files (see the module docstring). With
    ``verify``, every file is read in full and checked (its checksum, or decoded when it
    has none); without, only footers are read (a rebuild: reads verify each file later),
    except a merged file whose inputs are still there, checked before they go."""
    empty_trash(catalog, home)
    listed = {
        s.path: s
        for s in catalog.segments(None, kinds=("predictions", "labels"), tiers=tuple(TIER_DIRS))
    }
    bad: dict[str, str] = {}  # relative path -> why
    missing: list[Segment] = []
    if verify:
        for rel, seg in listed.items():
            try:
                why = _listed_damage(home, seg)
            except FileNotFoundError:
                missing.append(seg)
                continue
            if why is not None:
                bad[rel] = why
    limit = time.time() - older_than_s
    found: dict[str, _Found] = {}
    on_disk = segment_files(home)
    for rel in on_disk:
        if rel in bad:
            continue
        try:
            if rel not in listed and os.stat(home.absolute(rel)).st_mtime >= limit:
                continue  # a write may be about to list it
            item = inspect(home, rel, verify=verify and rel not in listed)
        except FileNotFoundError:
            continue
        if item.entry is None:
            bad[rel] = item.reason
        else:
            found[rel] = item

    def whole(item: _Found) -> bool:
        checksum = item.entry.checksum if item.entry is not None else None
        if item.verified or checksum is None:
            return True
        if file_checksum(home.absolute(item.path)) == checksum:
            item.verified = True
            return True
        bad[item.path] = "checksum differs from the one in its name"
        return False

    # a whole merged file replaces its inputs: those are not listed (or not any more); so do
    # the outputs of an archive pass that reached its swap (its manifest), all whole
    replaced: set[str] = set()
    passes = _manifests(home)
    for item in list(found.values()):
        present = [p for p in item.supersedes if p in found or p in listed]
        if item.pass_token is None:
            if present and whole(item):
                replaced.update(present)
            continue
        manifest = passes.get(item.pass_token)
        if manifest is not None:
            outputs = [found.get(p) for p in manifest[0]]
            if all(o is not None and whole(o) for o in outputs):
                replaced.update(p for p in manifest[1] if p in found or p in listed)
        elif item.path not in listed and present and len(present) == len(item.supersedes):
            # a pass that never reached its swap: a copy of rows its inputs still hold
            bad[item.path] = "output of an archive pass that did not finish (a copy)"
            del found[item.path]
    new: list[NewSegment] = []
    for rel, item in found.items():
        if rel not in listed and rel not in replaced and rel not in bad:
            assert item.entry is not None  # found holds only files with an entry
            new.append(item.entry)
    new.sort(key=lambda s: (s.seq or 0, s.path))
    forget = [seg for rel, seg in listed.items() if rel in replaced or rel in bad]
    forget.extend(missing)
    with catalog.write() as conn:
        insert_segments(conn, new)
        for seg in forget:
            conn.execute("DELETE FROM segments WHERE id = ?", (seg.id,))
        now = int(time.time() * 1e6)
        conn.executemany(  # inputs of a merged file: recorded as garbage, then removed
            "INSERT OR REPLACE INTO trash (path, since) VALUES (?, ?)",
            [(rel, now) for rel in sorted(replaced) if rel not in bad],
        )
    removed = sum(1 for rel in replaced if rel not in bad and os.path.exists(home.absolute(rel)))
    empty_trash(catalog, home)
    for token, (_, inputs) in passes.items():  # a finished pass: its manifest has served
        if not any(os.path.exists(home.absolute(p)) for p in inputs):
            (home.passes / f"{token}.json").unlink(missing_ok=True)
    quarantined = []
    for rel in sorted(bad):
        if not os.path.exists(home.absolute(rel)):
            continue
        dest = quarantine(home, rel)
        log.warning("segment %s moved to %s: %s", rel, dest, bad[rel])
        quarantined.append(str(dest))
    return RepairReport(
        tuple(quarantined), tuple(s.path for s in missing), tuple(s.path for s in new), removed
    )


def repair_home(catalog: Catalog, home: StoreHome) -> RepairReport:
    """Every file read and checked; files the catalog does not list, older than an hour,
    listed again (or quarantined, or removed as a merged file's input)."""
    return reconcile(catalog, home, older_than_s=ORPHAN_AGE_S, verify=True)


def rebuild_catalog(catalog: Catalog, home: StoreHome) -> RepairReport:
    """List every segment file on disk in a new, empty catalog (footers only)."""
    return reconcile(catalog, home, older_than_s=float("-inf"), verify=False)
