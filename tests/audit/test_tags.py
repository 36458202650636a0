"""Every audit event the code records has a human name on the audit page."""

from __future__ import annotations

import ast
from pathlib import Path

import ipcenter
from ipcenter.accounts.models import RoleRequestState
from ipcenter.audit.tags import EVENT_LABELS

SOURCE = Path(ipcenter.__file__).parent


def _recorded_tags() -> tuple[set[str], set[str]]:
    """The tags written literally in audit_record calls, and the constant prefixes of those
    built at run time (f-strings)."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name != "audit_record":
                continue
            for keyword in node.keywords:
                if keyword.arg != "tag":
                    continue
                value = keyword.value
                choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                for choice in choices:
                    if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                        literal.add(choice.value)
                    elif isinstance(choice, ast.JoinedStr):
                        head = choice.values[0]
                        if isinstance(head, ast.Constant) and isinstance(head.value, str):
                            prefixes.add(head.value)
    return literal, prefixes


def test_every_literal_audit_tag_has_a_label() -> None:
    literal, _prefixes = _recorded_tags()
    assert "filings:engagement:granted" in literal  # the walk finds the calls
    assert sorted(literal - EVENT_LABELS.keys()) == []


def test_every_built_audit_tag_has_labels() -> None:
    _literal, prefixes = _recorded_tags()
    assert "accounts:role_request:" in prefixes
    unlabelled = [p for p in prefixes if not any(tag.startswith(p) for tag in EVENT_LABELS)]
    assert sorted(unlabelled) == []


def test_every_role_request_move_has_a_label() -> None:
    for state in RoleRequestState.values:
        assert f"accounts:role_request:{state}" in EVENT_LABELS
