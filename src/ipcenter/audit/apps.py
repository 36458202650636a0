from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ipcenter.audit"
    label = "audit"
    verbose_name = "Audit"
