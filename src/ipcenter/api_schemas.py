"""Schemas every API router shares: the error body, paging, bounded years.

Bounds live in the schemas so that bad input is a 422 naming the field, never a database error:
PostgreSQL's OFFSET is a bigint and `datetime.date` stops at year 9999.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator

MAX_OFFSET = 1_000_000
MAX_LIMIT = 200
MIN_YEAR = 2000
MAX_YEAR = 2100

# A year the center's rules can apply to (quotas, sanctions).
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


class ErrorOut(Schema):
    """Every error answer of the API: a message in the caller's language, and maybe details."""

    detail: str
    code: str | None = None
    errors: Any = Field(None, description="Per-field messages or validation details")


def clamped(high: int) -> AfterValidator:
    """A page size outside 1..high is read as the nearest bound (as the API always did)."""
    return AfterValidator(lambda value: max(1, min(value, high)))


class Paging(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: Annotated[int, clamped(MAX_LIMIT)] = Field(
        50, description=f"Page size, 1 to {MAX_LIMIT}; a larger one is read as {MAX_LIMIT}"
    )


def page(qs: Any, paging: Paging) -> list[Any]:
    return list(qs[paging.offset : paging.offset + paging.limit])
