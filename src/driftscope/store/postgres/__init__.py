"""The PostgreSQL store: a shared server keeps every model's monitoring records.

:class:`PostgresStore` is the public class; the modules beside it are private:
``_store`` (the class), ``_connection`` (connections, timeouts, reconnecting),
``_migrations`` (the versioned schema), ``_columns`` (the per-model column registry),
``_rows`` and ``_binary`` (writing and reading predictions and labels), ``_checks`` (check
results), ``_archive`` (retention to Parquet files) and ``_state`` (state records
and the audit log).

Importing this package does not import psycopg: it loads when a store is opened
(``pip install 'driftscope[postgres]'``).

>>> [c.__name__ for c in PostgresStore.__mro__[1:3]]
['PostgresState', 'Store']
"""

from driftscope.store.postgres._store import PostgresStore

__all__ = ["PostgresStore"]
