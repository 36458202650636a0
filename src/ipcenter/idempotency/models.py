"""One row per create request that carried an idempotency key (API) or a form token (pages).

The row is inserted in the same transaction as the work it guards and holds the answer when that
transaction commits, so a committed row always has its result: a retry either waits for the first
request (the unique index makes the second insert wait) or replays its answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # sha256 of the query string and the body (for forms: the fields and the files' contents).
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")
    # Pages: where the first submission led (the replay redirects there).
    response_location = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "method", "path"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
