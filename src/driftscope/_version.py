"""The version of this source tree (pyproject.toml holds the same number)."""

__version__ = "0.1.0"
