from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ipcenter.centers.demo import load_demo
from ipcenter.lib.env import env_str
from ipcenter.navigation.demo import load_corpus_demo

DEFAULT_DEMO_PASSWORD = "ipcenter-demo-2026"  # noqa: S105  (demo accounts of the embedded set-up)


class Command(BaseCommand):
    help = "Load the demo centers, organizations and one account per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        password = env_str("IPCENTER_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        # The published corpus first, committed and indexed in its own transactions: the
        # pre-examination demo cases search it for prior art.
        load_corpus_demo(stdout=self.stdout)
        accounts = load_demo(password=password, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {password})")
        self.stdout.write("-" * 72)
        for username, role, organization in accounts:
            self.stdout.write(f"  {username:<12} {role:<28} {organization}")
        self.stdout.write("-" * 72)
