from __future__ import annotations

import datetime as dt
import uuid

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ipcenter.accounts.access import can, require
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging, page
from ipcenter.documents.models import Document, DocumentKind
from ipcenter.documents.services import (
    document_for_user_or_404,
    document_open,
    document_store,
    documents_visible_to,
    organization_scope,
)
from ipcenter.idempotency.decorators import idempotent

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: uuid.UUID
    organization_id: int
    kind: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    confidential: bool
    created_at: dt.datetime


class DocumentIn(Schema):
    organization_id: int
    kind: str = DocumentKind.GENERAL
    title: str = ""
    confidential: bool = True


@router.get("", response=list[DocumentOut], summary="Documents I may open")
def document_list(request: HttpRequest, paging: Query[Paging]) -> list[Document]:
    require(request.user, Perm.DOCUMENT_UPLOAD)
    return page(documents_visible_to(request.user).order_by("-created_at"), paging)


@router.post("", response={201: DocumentOut}, summary="Upload a document")
@idempotent(subject="documents.document")
def document_upload(
    request: HttpRequest, payload: Form[DocumentIn], file: File[UploadedFile]
) -> Status:
    organization = get_object_or_404(Organization, pk=payload.organization_id)
    if not can(request.user, Perm.DOCUMENT_UPLOAD, organization_scope(organization)):
        raise Http404  # the same answer as for an organization that does not exist
    document = document_store(
        actor=request.user,
        organization=organization,
        upload=file,
        kind=payload.kind,
        title=payload.title,
        confidential=payload.confidential,
    )
    return Status(201, document)


@router.get("/{document_id}", response=DocumentOut, summary="A document's metadata")
def document_get(request: HttpRequest, document_id: str) -> Document:
    return document_for_user_or_404(user=request.user, document_id=document_id)


@router.get("/{document_id}/content", summary="Download a document (audited)")
def document_content(request: HttpRequest, document_id: str) -> FileResponse:
    document = document_open(user=request.user, document_id=document_id, purpose="download")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
