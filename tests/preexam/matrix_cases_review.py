"""Role-matrix probes of this area's endpoints (merged into tests/test_role_matrix.py).

Build the objects a probe needs with `world.once(key, build)` so that one test builds them once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.matrix_support import Case

CASES: dict[str, Case] = {}
