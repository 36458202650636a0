from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "ipcenter.filings"
    label = "filings"
    verbose_name = "Entity filing"

    def ready(self) -> None:
        # Register this area's home-page panels and who may read its audit rows' content.
        from ipcenter.filings import audit_subjects, home  # noqa: F401
