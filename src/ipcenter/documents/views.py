from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import memberships, organizations_with, require
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import Perm
from ipcenter.documents.models import DocumentKind
from ipcenter.documents.services import (
    document_for_user_or_404,
    document_open,
    document_store,
    documents_visible_to,
)
from ipcenter.documents.validation import ALLOWED_EXTENSIONS
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError
from ipcenter.web.forms import apply_domain_error
from ipcenter.web.pagination import paginate, query_without_page


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organization.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join("." + e for e in ALLOWED_EXTENSIONS)}
        ),
    )
    confidential = forms.BooleanField(label=_("Confidential"), required=False, initial=True)


@login_required
@form_token_once
def document_index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DOCUMENT_UPLOAD)
    org_ids = organizations_with(request.user, Perm.DOCUMENT_UPLOAD)
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["organization"].queryset = Organization.objects.filter(pk__in=org_ids)  # type: ignore[attr-defined]
    if len(org_ids) == 1:
        form.fields["organization"].initial = next(iter(org_ids))
    if request.method == "POST" and form.is_valid():
        try:
            document = document_store(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                confidential=form.cleaned_data["confidential"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("%(name)s was uploaded.") % {"name": document})
            return redirect("documents:list")
    query = request.GET.get("q", "").strip()
    documents = documents_visible_to(request.user)
    if query:
        documents = documents.filter(original_name__icontains=query) | documents.filter(
            title__icontains=query
        )
    return render(
        request,
        "documents/list.html",
        {
            "form": form,
            "page": paginate(request, documents.order_by("-created_at")),
            "q": query,
            "querystring": query_without_page(request),
            "memberships": memberships(request.user),
        },
    )


@login_required
def document_detail(request: HttpRequest, document_id: str) -> HttpResponse:
    document = document_for_user_or_404(user=request.user, document_id=document_id)
    return render(request, "documents/detail.html", {"document": document})


# Types a browser shows safely inside its own viewer; anything else is only downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@login_required
def document_view(request: HttpRequest, document_id: str) -> FileResponse:
    document = document_open(user=request.user, document_id=document_id, purpose="view")
    inline = document.content_type in INLINE_TYPES
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@login_required
def document_download(request: HttpRequest, document_id: str) -> FileResponse:
    document = document_open(user=request.user, document_id=document_id, purpose="download")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
