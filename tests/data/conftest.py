"""Fixtures of the driftscope.data tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.data.data_samples import FORMATS


@pytest.fixture(params=sorted(FORMATS))
def any_format(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, list[str] | None]:
    """(source, column_names) for the canonical data set in one input format."""
    return FORMATS[request.param](tmp_path)
