from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ipcenter.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Register the rules, the signals, and who may read the content of its audit rows.
        from ipcenter.accounts import access, audit_subjects, signals  # noqa: F401
