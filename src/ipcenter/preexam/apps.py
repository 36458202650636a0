from django.apps import AppConfig


class PreexamConfig(AppConfig):
    name = "ipcenter.preexam"
    label = "preexam"
    verbose_name = "Pre-examination"

    def ready(self) -> None:
        # Register this area's home-page panels and who may read its audit rows' content.
        from ipcenter.preexam import (
            audit_subjects,  # noqa: F401
            home,  # noqa: F401
            home_tracking,  # noqa: F401
        )
