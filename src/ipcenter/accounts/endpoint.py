"""An endpoint of the role matrix and what guards it (see matrix.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ipcenter.accounts.roles import Perm

API_PREFIX = "/api/v1/"


class Open(StrEnum):
    """Endpoints that no permission guards."""

    PUBLIC = "public"  # anyone, signed in or not
    AUTHENTICATED = "authenticated"  # any signed-in person, with or without a role


Guard = Open | Perm | tuple[Perm, ...]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    guard: Guard  # a tuple means "any one of these permissions"
    description: str
    # The object the permission is checked against, when there is one: the answer for "not
    # yours" is then the same as for an id that does not exist.
    checked_against: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    @property
    def is_public(self) -> bool:
        return self.guard is Open.PUBLIC

    @property
    def perms(self) -> tuple[Perm, ...]:
        if isinstance(self.guard, Perm):
            return (self.guard,)
        if isinstance(self.guard, tuple):
            return self.guard
        return ()
