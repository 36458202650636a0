from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ipcenter.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from ipcenter.accounts import access, signals  # noqa: F401  (register rules, signals)
