"""Filing tests run on a fixed Monday (2 March 2026, Shanghai time) unless they move the clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.filings.factories import NOW


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
