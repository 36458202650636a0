from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "ipcenter.centers"
    label = "centers"
    verbose_name = "Centers"
