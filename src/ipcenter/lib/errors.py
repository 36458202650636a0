"""Domain errors. Services raise them; the API turns them into HTTP answers, pages into messages.

Messages are lazy translations, so each person reads them in their own language.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.errors = errors or {}


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class Conflict(DomainError):
    """An illegal workflow move or a clash with what is stored."""

    status = 409
    code = "conflict"
