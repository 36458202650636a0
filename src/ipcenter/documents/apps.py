from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ipcenter.documents"
    label = "documents"
    verbose_name = "Documents"
