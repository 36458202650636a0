"""Every API operation that takes an Idempotency-Key declares how a replay re-checks the
caller (security re-check of issue 9): `subject`, `within` or `recheck` on @idempotent. An
operation with none would hand its stored answer to someone who lost the right to it."""

from __future__ import annotations

from ipcenter.api import api


def _idempotent_views() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                view = operation.view_func
                if hasattr(view, "idempotent_rechecks"):
                    found.append((f"{','.join(operation.methods)} {prefix}{path}", view))
    return found


def test_every_idempotent_operation_rechecks_on_replay() -> None:
    views = _idempotent_views()
    assert len(views) >= 17  # every @idempotent in src/ipcenter at the time of writing
    unchecked = [name for name, view in views if not view.idempotent_rechecks]  # type: ignore[attr-defined]
    assert unchecked == []
