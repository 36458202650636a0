"""Pre-examination endpoints of the role matrix (see ipcenter.accounts.matrix)."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.preexam import matrix_priorart, matrix_review, matrix_tracking

PAGES: tuple[Endpoint, ...] = matrix_review.PAGES + matrix_tracking.PAGES + matrix_priorart.PAGES
API: tuple[Endpoint, ...] = matrix_review.API + matrix_tracking.API + matrix_priorart.API
