from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "ipcenter.navigation"
    label = "navigation"
    verbose_name = "Patent navigation"

    def ready(self) -> None:
        # Register this area's home-page panels and who may read its audit rows' content.
        from ipcenter.navigation import audit_subjects, home  # noqa: F401
