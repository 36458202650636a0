from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "ipcenter.navigation"
    label = "navigation"
    verbose_name = "Patent navigation"
