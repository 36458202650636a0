from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ipcenter.web"
    label = "web"
    verbose_name = "Web"
