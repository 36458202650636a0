from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "ipcenter.filings"
    label = "filings"
    verbose_name = "Entity filing"

    def ready(self) -> None:
        # Register this area's home-page panels.
        from ipcenter.filings import home  # noqa: F401
