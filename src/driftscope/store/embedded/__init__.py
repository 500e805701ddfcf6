"""The embedded store: Parquet segments in a local folder, a SQLite catalog, DuckDB.

:class:`EmbeddedStore` is the public class; the modules beside it are private:

* ``_store``: the class, tying the parts below together;
* ``_segments``, ``_catalog``: the home folder's layout, durable segment files and the
  catalog that lists them; ``_scan``, ``_reading``, ``_assemble``, ``_frames``: reading a
  window back; ``_labels``, ``_label_join``: joining the latest labels;
* ``_compaction``, ``_repair``, ``_retention``: merging small segments, rebuilding the
  catalog from the files, archiving cold data; ``_history``: references and check results.

Errors a read may raise about one segment (:class:`SegmentMissing`,
:class:`SegmentUnreadable`, :class:`SegmentCorrupt`) and what :meth:`EmbeddedStore.repair`
returns (:class:`RepairReport`) are public too.

>>> import tempfile
>>> with EmbeddedStore(tempfile.mkdtemp()) as store:
...     store.models()
[]
"""

from driftscope.store.embedded._repair import RepairReport
from driftscope.store.embedded._scan import SegmentCorrupt, SegmentMissing, SegmentUnreadable
from driftscope.store.embedded._store import EmbeddedStore

__all__ = [
    "EmbeddedStore",
    "RepairReport",
    "SegmentCorrupt",
    "SegmentMissing",
    "SegmentUnreadable",
]
