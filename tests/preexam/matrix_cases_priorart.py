"""Role-matrix probes for IPC suggestion, prior art and citations on a case."""

from __future__ import annotations

from tests.matrix_support import Case

CASES: dict[str, Case] = {}
