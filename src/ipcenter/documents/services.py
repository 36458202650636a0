"""Writes and guarded reads for documents."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ipcenter.accounts.access import AccessScope, centers_with, organizations_with, require
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.centers.models import Center
from ipcenter.documents.models import Document, DocumentGrant, DocumentKind
from ipcenter.documents.validation import UploadRejected, check_upload
from ipcenter.lib.archives import ArchiveLimits
from ipcenter.lib.errors import InvalidInput


def upload_error_message(exc: UploadRejected) -> str:
    """The refusal in the current language (views and the API activate the user's)."""
    p = exc.params
    if exc.reason == "empty":
        return _("The file is empty.")
    if exc.reason == "too_large":
        return _("The file is %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(int(str(p["size"]))),
            "limit": filesizeformat(int(str(p["limit"]))),
        }
    if exc.reason == "type_unknown":
        return _("The file type could not be recognised. Accepted types: %(allowed)s.") % p
    if exc.reason == "type_not_allowed":
        return _("Files of type %(found)s are not accepted. Accepted types: %(allowed)s.") % p
    if exc.reason == "disguised":
        return (
            _(
                "The file name ends in .%(extension)s but its content is %(found)s. "
                "Upload the file with its real type."
            )
            % p
        )
    if exc.reason == "malformed":
        return _("The %(type)s file is damaged or incomplete and cannot be read.") % p
    archive_message = _archive_message(exc)
    if archive_message:
        return archive_message
    return _("The file was refused.")


def _archive_message(exc: UploadRejected) -> str:
    """Refusals of a DOCX or XLSX that would unpack to too much (lib.archives' reasons)."""
    p = exc.params
    if exc.reason == "archive_unpacked_too_large":
        return _(
            "The %(type)s file would unpack to more than %(limit)s; such a file cannot be "
            "accepted. Remove embedded objects or split the document."
        ) % {"type": p["type"], "limit": filesizeformat(int(str(p["limit"])))}
    if exc.reason == "archive_too_many_entries":
        return _("The %(type)s file holds %(count)s parts; at most %(limit)s are accepted.") % p
    if exc.reason == "archive_compression_ratio":
        return (
            _(
                "The %(type)s file contains a part compressed %(ratio)s to 1 (at most %(limit)s to "
                "1 is accepted); it is refused as a possible ZIP bomb."
            )
            % p
        )
    if exc.reason == "archive_too_many_paragraphs":
        return (
            _(
                "The %(type)s document has more than %(limit)s paragraphs; split it into smaller "
                "documents."
            )
            % p
        )
    if exc.reason == "archive_dtd":
        return (
            _(
                "The %(type)s file declares a DTD or XML entities, which office documents never "
                "contain; it is refused for safety."
            )
            % p
        )
    return ""


def archive_limits() -> ArchiveLimits:
    """The bounds on DOCX and XLSX uploads, from the settings (README, configuration)."""
    return ArchiveLimits(
        max_unpacked_bytes=settings.IPCENTER_ARCHIVE_MAX_UNPACKED_BYTES,
        max_entries=settings.IPCENTER_ARCHIVE_MAX_ENTRIES,
        max_ratio=settings.IPCENTER_ARCHIVE_MAX_RATIO,
        max_paragraphs=settings.IPCENTER_DOCUMENT_MAX_PARAGRAPHS,
    )


def document_store(
    *,
    actor: Any,
    organization: Organization,
    upload: UploadedFile,
    kind: str = DocumentKind.GENERAL,
    title: str = "",
    center: Center | None = None,
    confidential: bool = True,
    uploaded_from: Organization | None = None,
) -> Document:
    """Store an upload as `organization`'s document. `uploaded_from`: the organization the actor
    uploads from when it acts for `organization` (an agency under the enterprise's engagement,
    which the caller has checked); the actor needs the upload permission there."""
    require(actor, Perm.DOCUMENT_UPLOAD, organization_scope(uploaded_from or organization))
    if kind not in DocumentKind.values:
        raise InvalidInput(
            _("Unknown document kind."), errors={"kind": _("Unknown document kind.")}
        )
    name = (upload.name or "").strip()[:255]
    try:
        ftype = check_upload(
            name=name,
            size=upload.size or 0,
            stream=upload.file,  # type: ignore[arg-type]
            max_bytes=settings.IPCENTER_MAX_UPLOAD_BYTES,
            archive_limits=archive_limits(),
        )
    except UploadRejected as exc:
        message = upload_error_message(exc)
        raise InvalidInput(message, errors={"file": message}) from exc

    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)

    with transaction.atomic():
        document = Document(
            organization=organization,
            center=center,
            kind=kind,
            title=title.strip()[:200],
            original_name=name,
            content_type=ftype.mime,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            confidential=confidential,
            uploaded_by=actor,
        )
        document.file.save(document.id.hex, upload, save=False)
        # If the row cannot be written the stored file must not linger as an orphan.
        try:
            document.save()
            audit_record(
                actor=actor,
                tag="documents:document:uploaded",
                subject=document,
                # Not the file name: it may say what the unpublished document is about.
                new={
                    "sha256": document.sha256,
                    "size": document.size,
                    "type": ftype.mime,
                    "confidential": confidential,
                },
                organization=organization,
                center=center,
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def organization_scope(organization: Organization) -> AccessScope:
    return AccessScope(organization_id=organization.pk, center_id=organization.center_id)


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """Documents the user may open: their organization's, those shared with it, their center's.

    This is the one statement of the rule; single documents are fetched through it too.
    """
    # A grant shares a document with an organization's document readers, not with every role held
    # there: the system administrator or a pre-examiner of that organization gains nothing.
    readers_in = organizations_with(user, Perm.DOCUMENT_VIEW_OWN)
    # One Q for the grant, so that the organization and the expiry are those of the same grant.
    granted = Q(grants__organization_id__in=readers_in) & (
        Q(grants__expires_at__isnull=True) | Q(grants__expires_at__gt=timezone.now())
    )
    condition = Q(organization_id__in=readers_in) | granted
    center_ids = centers_with(user, Perm.DOCUMENT_VIEW_CENTER)
    if center_ids is None:
        condition |= Q(center__isnull=False)
    elif center_ids:
        condition |= Q(center_id__in=center_ids)
    return Document.objects.filter(condition).distinct().select_related("organization", "center")


def document_for_user_or_404(*, user: Any, document_id: Any) -> Document:
    """Same 404 for a missing, forged or someone else's id."""
    try:
        return documents_visible_to(user).get(pk=document_id)
    except (Document.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        # A malformed UUID raises ValidationError: it must look like any other missing id.
        raise Http404 from exc


def document_open(*, user: Any, document_id: Any, purpose: str = "download") -> Document:
    """Fetch a document for viewing or download, recording the access when it is confidential."""
    document = document_for_user_or_404(user=user, document_id=document_id)
    if document.confidential:
        with transaction.atomic():
            audit_record(
                actor=user,
                tag=f"documents:document:{'viewed' if purpose == 'view' else 'downloaded'}",
                subject=document,
                organization=document.organization,
                center=document.center,
            )
    return document


@transaction.atomic
def document_grant(
    *,
    actor: Any,
    document: Document,
    organization: Organization,
    expires_at: dt.datetime | None = None,
    granted_from: Organization | None = None,
) -> DocumentGrant:
    """Share the document with `organization`, until `expires_at` (for good when None). Sharing
    it again keeps the later end. `granted_from`: as document_store's `uploaded_from`."""
    require(actor, Perm.DOCUMENT_UPLOAD, organization_scope(granted_from or document.organization))
    grant, created = DocumentGrant.objects.select_for_update().get_or_create(
        document=document,
        organization=organization,
        defaults={"granted_by": actor, "expires_at": expires_at},
    )
    if not created and grant.expires_at is not None:
        later = None if expires_at is None else max(expires_at, grant.expires_at)
        if later != grant.expires_at:
            grant.expires_at = later
            grant.save(update_fields=["expires_at"])
    audit_record(
        actor=actor,
        tag="documents:document:granted",
        subject=document,
        new={"organization": organization.pk, "expires_at": grant.expires_at},
        organization=document.organization,
        center=document.center,
    )
    return grant
