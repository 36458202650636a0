from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "ipcenter.navigation"
    label = "navigation"
    verbose_name = "Patent navigation"

    def ready(self) -> None:
        # Register this area's home-page panels.
        from ipcenter.navigation import home  # noqa: F401
