"""Role-matrix probes for the navigation area's endpoints (merged by tests/test_role_matrix.py)."""

from __future__ import annotations

from tests.matrix_support import Case

CASES: dict[str, Case] = {}
