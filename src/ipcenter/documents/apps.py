from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ipcenter.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        # Say who may read the content of this area's audit rows.
        from ipcenter.documents import audit_subjects  # noqa: F401
