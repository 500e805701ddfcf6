"""Opening the store of ``--store`` for commands that read it (check, history, report).

A command that reads must not create: a mistyped ``--store`` folder would otherwise be
created empty and then "have no baseline". :func:`open_existing_store` refuses a folder
that does not exist or holds no store, and a PostgreSQL location when psycopg is missing
(with the command that installs it). Commands that create data (``demo``, logging) call
:func:`driftscope.store.open_store`, which creates the folder.

>>> import tempfile, os
>>> open_existing_store(os.path.join(tempfile.mkdtemp(), "typo"))
Traceback (most recent call last):
...
driftscope.errors.ConfigError: store folder '.../typo' does not exist; give the folder ...
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from driftscope.errors import ConfigError

if TYPE_CHECKING:
    from driftscope.store import Store

#: The file every embedded store folder holds (its catalog).
STORE_MARKER = "catalog.sqlite"
#: The optional packages behind the extras of pyproject.toml, for install hints.
EXTRAS = {
    "psycopg": "postgres",
    "fastapi": "server",
    "uvicorn": "server",
    "prometheus_client": "server",
    "pyspark": "spark",
    "polars": "polars",
    "sklearn": "ml",
    "mlflow": "mlflow",
    "yaml": "config",
    "pydantic": "config",
    "apscheduler": "config",
}


def install_hint(module: str) -> str | None:
    """The ``pip install`` command that brings ``module`` (a top-level or dotted name), or
    ``None`` when no extra of driftscope provides it.

    >>> install_hint("psycopg.conninfo"), install_hint("numpy")
    ("pip install 'driftscope[postgres]'", None)
    """
    extra = EXTRAS.get(module.split(".", 1)[0])
    return None if extra is None else f"pip install 'driftscope[{extra}]'"


def open_existing_store(location: str | os.PathLike[str] | None) -> Store:
    """The store at ``location`` (``None``: ``$DRIFTSCOPE_HOME`` or ``./.driftscope``),
    which must exist: a folder must hold an embedded store, a PostgreSQL location needs
    psycopg installed. Otherwise a :class:`~driftscope.errors.ConfigError` names the
    location and what to do."""
    from driftscope.store import default_home, open_store
    from driftscope.store.location import StoreLocation

    given = location is not None
    parsed = StoreLocation.parse(location if location is not None else default_home())
    if parsed.kind == "postgresql":
        if not _installed("psycopg"):
            raise ConfigError(
                f"the PostgreSQL store at {parsed.where} needs psycopg, which is not "
                f"installed: {install_hint('psycopg')}"
            )
        return open_store(parsed.target)
    folder = Path(parsed.target)
    origin = ""
    if not given:
        origin = " ($DRIFTSCOPE_HOME)" if os.environ.get("DRIFTSCOPE_HOME") else " (the default)"
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(
            f"store folder {parsed.where!r}{origin} {what}; give the folder the model logs "
            "to with --store (or $DRIFTSCOPE_HOME), or a postgresql:// URL"
        )
    if not (folder / STORE_MARKER).is_file():
        raise ConfigError(
            f"folder {parsed.where!r}{origin} holds no driftscope store (no {STORE_MARKER}); "
            "give the folder the model logs to with --store (or $DRIFTSCOPE_HOME)"
        )
    return open_store(parsed.target)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules
        return False
