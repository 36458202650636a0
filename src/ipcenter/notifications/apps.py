from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ipcenter.notifications"
    label = "notifications"
    verbose_name = "Notifications"
