"""The version of this source tree (pyproject.toml holds the same number)."""

__version__ = "0.1.0"


def package_version() -> str:
    """The installed version of driftscope, or the source tree's when not installed.

    >>> isinstance(package_version(), str)
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("driftscope")
    except PackageNotFoundError:
        return __version__
