from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "ipcenter.filings"
    label = "filings"
    verbose_name = "Entity filing"
