from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind, Role
from ipcenter.accounts.services import bootstrap_user, membership_grant
from ipcenter.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create the first system administrator of an installation (audited). Django's "
        "createsuperuser is not enough: the access layer ignores the superuser flag."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--organization", required=True, help="operator organization name")
        parser.add_argument("--kind", default=OrgKind.IP_OFFICE, choices=OrgKind.values)
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        try:
            with transaction.atomic():
                organization, _created = Organization.objects.get_or_create(
                    name=options["organization"], defaults={"kind": options["kind"]}
                )
                user = bootstrap_user(
                    username=options["username"],
                    password=password,
                    email=options["email"],
                    language=options["language"],
                )
                membership_grant(
                    actor=None,
                    user=user,
                    organization=organization,
                    role=Role.SYSTEM_ADMIN,
                    system=True,
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"System administrator {user.username} created in {organization}.")
