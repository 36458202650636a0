"""The published OpenAPI spec names each schema once and documents the error answers.

ninja files every model under its class name and silently lets a later model with the same name
replace an earlier one, so two different `DocumentOut` classes would describe one operation with
the other's shape.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from typing import Any

from ninja.constants import NOT_SET
from pydantic import BaseModel

from ipcenter.api import api


def _operations() -> Iterator[Any]:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models_in(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _schema_models() -> Iterator[tuple[str, type[BaseModel]]]:
    """Every model an operation answers with or reads, with the operation that uses it."""
    seen: set[type[BaseModel]] = set()
    for operation in _operations():
        where = f"{operation.view_func.__module__}.{operation.view_func.__name__}"
        roots: list[Any] = [
            m for m in operation.response_models.values() if m not in (None, NOT_SET)
        ]
        roots += list(operation.models)
        for root in roots:
            for model in _models_in(root):
                if model in seen:
                    continue
                seen.add(model)
                if model.__name__ not in {"NinjaResponseSchema"} and not model.__name__.endswith(
                    "Params"
                ):
                    yield where, model


def test_no_two_schemas_share_a_name() -> None:
    by_name: dict[str, dict[type[BaseModel], str]] = {}
    for where, model in _schema_models():
        by_name.setdefault(model.__name__, {})[model] = where
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__} (in {w})" for m, w in models.items())
        for name, models in by_name.items()
        if len(models) > 1
    }
    assert not clashes, json.dumps(clashes, indent=2)


def test_the_collision_check_sees_nested_and_list_models() -> None:
    names = {model.__name__ for _where, model in _schema_models()}
    assert {"AuditEventOut", "MembershipOut", "TokenIn", "CaseSummaryOut"} <= names


def test_every_operation_documents_its_error_answers() -> None:
    spec = api.get_openapi_schema(path_prefix="/api/v1/")
    assert "ErrorOut" in spec["components"]["schemas"]
    missing = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            expected = {400, 403, 404, 422, 500}
            if operation.get("security"):
                expected.add(401)
            if method not in ("get", "head"):
                expected |= {409, 413}
            absent = expected - set(operation["responses"])
            if absent:
                missing.append(f"{method.upper()} {path}: {sorted(absent)}")
            for status in expected:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert not missing, "\n".join(missing)


def test_documents_and_filings_are_documented_with_their_own_shapes() -> None:
    spec = api.get_openapi_schema(path_prefix="/api/v1/")
    schemas = spec["components"]["schemas"]

    def shape(path: str, method: str = "get") -> set[str]:
        body = spec["paths"][path][method]["responses"][200]["content"]["application/json"]
        schema = body["schema"]
        ref = schema.get("items", schema)["$ref"].rsplit("/", 1)[-1]
        return set(schemas[ref]["properties"])

    assert {"sha256", "original_name", "confidential"} <= shape("/api/v1/documents")
    assert {"found_on", "source"} <= shape("/api/v1/filings/{filing_id}/findings")
