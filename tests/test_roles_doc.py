"""docs/roles.md is generated from the code (`ipcenter roles_doc`) and must not drift from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ipcenter.accounts.management.commands.roles_doc import roles_doc_text
from ipcenter.accounts.matrix import ENDPOINTS
from ipcenter.accounts.roles import Perm, Role

ROLES_MD = Path(__file__).resolve().parents[1] / "docs" / "roles.md"


def test_the_committed_file_is_what_the_code_generates() -> None:
    assert ROLES_MD.read_text("utf-8") == roles_doc_text(), (
        "docs/roles.md is out of date: run `ipcenter roles_doc docs/roles.md` and commit it"
    )


def test_the_document_names_every_role_permission_and_endpoint() -> None:
    text = roles_doc_text()
    for role in Role:
        assert f"`{role.value}`" in text
    for perm in Perm:
        assert f"`{perm.value}`" in text
    for endpoint in ENDPOINTS:
        assert f"| {endpoint.method} | `{endpoint.path}` |" in text


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "roles.md"
    call_command("roles_doc", str(target))
    assert target.read_text("utf-8") == roles_doc_text()
    call_command("roles_doc", "--check", str(target))


def test_check_fails_when_the_file_differs(tmp_path: Path) -> None:
    target = tmp_path / "roles.md"
    target.write_text(roles_doc_text().replace("✓", "", 1), "utf-8")
    with pytest.raises(CommandError, match="is not the role matrix the code defines") as exc:
        call_command("roles_doc", "--check", str(target))
    assert exc.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("roles_doc", "--check", str(tmp_path / "absent.md"))
