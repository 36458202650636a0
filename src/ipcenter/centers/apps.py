from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "ipcenter.centers"
    label = "centers"
    verbose_name = "Centers"

    def ready(self) -> None:
        # Say who may read the content of this area's audit rows.
        from ipcenter.centers import audit_subjects  # noqa: F401
