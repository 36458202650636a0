from django.apps import AppConfig


class PreexamConfig(AppConfig):
    name = "ipcenter.preexam"
    label = "preexam"
    verbose_name = "Pre-examination"

    def ready(self) -> None:
        # Register this area's home-page panels.
        from ipcenter.preexam import (
            home,  # noqa: F401
            home_tracking,  # noqa: F401
        )
