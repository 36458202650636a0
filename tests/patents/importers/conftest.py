"""A module-scoped handle on the shared data, for tests that read a file once for many checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA


@pytest.fixture(scope="module")
def shared_data_path() -> Path:
    """As ``shared_data``, for module-scoped fixtures: fails (never skips) when missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}; set IPCENTER_SHARED_DATA")
    return SHARED_DATA
