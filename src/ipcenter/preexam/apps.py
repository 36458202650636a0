from django.apps import AppConfig


class PreexamConfig(AppConfig):
    name = "ipcenter.preexam"
    label = "preexam"
    verbose_name = "Pre-examination"
