from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "ipcenter.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency"
