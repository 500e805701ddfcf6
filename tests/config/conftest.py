"""The ``store`` fixture of the store contract tests: claims run on both stores."""

from tests.store.conftest import pg_schema, store, store_factory  # noqa: F401  # fixtures
