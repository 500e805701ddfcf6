"""Where monitoring records live: one :class:`Store` interface, two implementations.

* :class:`EmbeddedStore` (the default; package :mod:`driftscope.store.embedded`): Parquet
  segment files under ``$DRIFTSCOPE_HOME`` (default ``./.driftscope``), a SQLite catalog,
  DuckDB for queries. Nothing to install.
* :class:`PostgresStore` (package :mod:`driftscope.store.postgres`): a shared PostgreSQL
  server through psycopg 3 (``pip install 'driftscope[postgres]'``).

What both share lives here: the interface and its records (:mod:`~driftscope.store.base`),
store locations (:mod:`~driftscope.store.location`), the rule for repeated prediction ids
(``_unique_ids``). References go in as any :class:`StorableReference` and come back as a
:class:`ReferenceBlob`, undecoded (the contract is in :mod:`driftscope.core.reference_blob`):
no store module imports the drift layer.

:func:`open_store` picks one from a location: ``None`` (``$DRIFTSCOPE_HOME``), a folder,
or a PostgreSQL URL (any case, ``postgres://`` and SQLAlchemy's ``postgresql+driver://``
too) or libpq ``key=value`` connection string.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from driftscope.core.checks import CheckRecord
from driftscope.core.reference_blob import ReferenceBlob, StorableReference
from driftscope.errors import ConfigError
from driftscope.store.base import (
    ArchiveReport,
    ReferenceRecord,
    Store,
    UnmatchedLabels,
)
from driftscope.store.location import StoreLocation

if TYPE_CHECKING:
    from driftscope.store.embedded import EmbeddedStore
    from driftscope.store.postgres import PostgresStore

DEFAULT_HOME = ".driftscope"

__all__ = [
    "ArchiveReport",
    "CheckRecord",
    "EmbeddedStore",
    "PostgresStore",
    "ReferenceBlob",
    "ReferenceRecord",
    "StorableReference",
    "Store",
    "StoreLocation",
    "UnmatchedLabels",
    "default_home",
    "open_store",
]


def default_home() -> str:
    """``$DRIFTSCOPE_HOME`` or ``./.driftscope``: a folder (a connection string there raises
    :class:`~driftscope.errors.ConfigError`; it would otherwise become a path).

    >>> import os
    >>> default_home() == (os.environ.get("DRIFTSCOPE_HOME") or ".driftscope")
    True
    """
    home = os.environ.get("DRIFTSCOPE_HOME") or DEFAULT_HOME
    try:
        folder = StoreLocation.parse(home).kind == "folder"
    except ConfigError as exc:
        raise ConfigError(f"$DRIFTSCOPE_HOME: {exc}") from None
    if not folder:
        raise ConfigError(
            "$DRIFTSCOPE_HOME names the embedded store's folder, not a database; give a "
            "PostgreSQL location as store= (or --store)"
        )
    return home


def open_store(location: str | os.PathLike[str] | Store | None = None, **options: Any) -> Store:
    """The store at ``location``: a ``Store`` (returned as is), a PostgreSQL URL or libpq
    connection string, a folder for the embedded store, or ``None`` for ``$DRIFTSCOPE_HOME``
    (see :class:`~driftscope.store.location.StoreLocation` for which is which: a location
    that is neither raises :class:`~driftscope.errors.ConfigError`, before anything is
    created).

    >>> import tempfile
    >>> store = open_store(tempfile.mkdtemp())
    >>> type(store).__name__, isinstance(store, Store), store.models()
    ('EmbeddedStore', True, [])
    >>> import numpy as np, driftscope as ds
    >>> record = store.save_reference("churn", ds.Reference.fit({"x": np.arange(10.0)}))
    >>> record.model, record.rows, record.columns
    ('churn', 10, ('x',))
    >>> store.archive(__import__("datetime").timedelta(days=30)).predictions_archived
    0
    >>> store.close()
    """
    if isinstance(location, Store):
        return location
    parsed = StoreLocation.parse(location if location is not None else default_home())
    if parsed.kind == "postgresql":
        from driftscope.store.postgres import PostgresStore

        return PostgresStore(parsed.target, **options)
    from driftscope.store.embedded import EmbeddedStore

    return EmbeddedStore(parsed.target, **options)


def __getattr__(name: str) -> Any:
    # The implementations load on first use: psycopg is an optional dependency.
    if name == "EmbeddedStore":
        from driftscope.store.embedded import EmbeddedStore

        return EmbeddedStore
    if name == "PostgresStore":
        from driftscope.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module 'driftscope.store' has no attribute {name!r}")
