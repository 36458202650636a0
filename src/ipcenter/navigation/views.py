"""Pages of patent navigation: search the corpus, read a document, browse the IPC, imports.

Searching is for everyone with a role (the corpus is published data); imports are for the
navigation analysts. A query the parser cannot read is shown as a message in the reader's
language, never an error page.
"""

from __future__ import annotations

import csv
import itertools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipcenter.accounts.access import get_for_user_or_404, require
from ipcenter.accounts.roles import Perm
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError, InvalidInput
from ipcenter.navigation import services
from ipcenter.navigation.display import (
    csv_rows,
    language_name,
    result_rows,
    shown_ipc,
    titled_ipc,
)
from ipcenter.navigation.forms import SearchForm, UploadForm
from ipcenter.navigation.models import ImportJob, PatentDocument
from ipcenter.navigation.selectors import (
    MAX_RESULTS,
    corpus_languages,
    corpus_offices,
    corpus_search,
    corpus_size,
    import_jobs,
    import_rejections,
    ipc_code,
    ipc_node,
    ipc_path,
    ipc_sections,
    url_key,
)
from ipcenter.navigation.workflow import moves_for
from ipcenter.web.forms import apply_domain_error, message_domain_error
from ipcenter.web.pagination import paginate, query_without_page

PER_PAGE = 20


class _ResultWindow:
    """The hits of one page, posing as the whole result list for Django's Paginator."""

    def __init__(self, rows: list[Any], total: int, offset: int) -> None:
        self.rows, self.total, self.offset = rows, total, offset

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Any]:
        return self.rows


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _search_form(request: HttpRequest) -> SearchForm:
    return SearchForm(request.GET or None, offices=corpus_offices(), languages=corpus_languages())


@login_required
def search(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CORPUS_SEARCH)
    form = _search_form(request)
    context: dict[str, Any] = {"form": form, "searched": False, "error": ""}
    if form.is_bound and form.is_valid() and form.has_query():
        query = form.corpus_query()
        last_page = MAX_RESULTS // PER_PAGE
        number = min(_page_number(request), last_page)
        try:
            results = corpus_search(query, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
            total = min(results.total, MAX_RESULTS)
            if not results.hits and total and number > 1:  # past the end: the last page
                number = min(last_page, (total - 1) // PER_PAGE + 1)
                results = corpus_search(query, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
        except InvalidInput as exc:
            context["error"] = str(exc.message)
            form.add_error("q", context["error"])  # the field shows it is the one to fix
        else:
            offset = (number - 1) * PER_PAGE
            rows = result_rows(results.hits, offset=offset)
            window = _ResultWindow(rows, max(total, offset + len(rows)), offset)
            page: Page = Paginator(window, PER_PAGE).get_page(number)  # type: ignore[arg-type]
            context |= {
                "searched": True,
                "ranked": not query.is_empty,  # a list by filters only has no ranking to show
                "rows": rows,
                "page": page,
                "total": results.total,
                "capped": results.total > MAX_RESULTS,
                "took_ms": results.took_ms,
                "querystring": query_without_page(request),
                "export_url": reverse("navigation:export") + "?" + query_without_page(request),
            }
    context["max_results"] = MAX_RESULTS
    return render(request, "navigation/search.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    """The current result list (up to MAX_RESULTS) as CSV, for a spreadsheet."""
    require(request.user, Perm.CORPUS_SEARCH)
    form = _search_form(request)
    if not form.is_valid() or not form.has_query():
        messages.error(request, _("Search first, then export the results."))
        return redirect("navigation:search")
    try:
        results = corpus_search(form.corpus_query(), limit=MAX_RESULTS, offset=0, explain=False)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("navigation:search") + "?" + request.GET.urlencode())
    writer = csv.writer(_Echo())
    # The byte-order mark makes spreadsheets read the file as UTF-8 (Chinese titles).
    body = itertools.chain(["\ufeff"], (writer.writerow(row) for row in csv_rows(results.hits)))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ipcenter-search.csv"'
    return response


# --- documents and the IPC ------------------------------------------------------------------


@login_required
def document_detail(request: HttpRequest, key: str) -> HttpResponse:
    document = get_for_user_or_404(
        request.user, Perm.CORPUS_SEARCH, PatentDocument.objects.all(), key=key
    )
    in_corpus = set(
        PatentDocument.objects.filter(key__in=document.citations[:500]).values_list(
            "key", flat=True
        )
    )
    citations = [(c, c in in_corpus) for c in document.citations]
    return render(
        request,
        "navigation/document.html",
        {
            "doc": document,
            "language": language_name(document.language),
            "ipc": [
                (symbol, title, _ipc_url(symbol)) for symbol, title in titled_ipc(document.ipc)
            ],
            "citations": citations,
            "translations": [
                (lang, language_name(lang), texts)
                for lang, texts in sorted(document.translations.items())
            ],
        },
    )


def _ipc_url(symbol: str) -> str:
    code = ipc_code(symbol)
    return reverse("navigation:ipc_node", args=[url_key(code)]) if code else ""


@login_required
def ipc_browser(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CORPUS_SEARCH)
    return render(
        request,
        "navigation/ipc.html",
        {
            "node": None,
            "children": [shown_ipc(section) for section in ipc_sections()],
            "path": [],
            "size": corpus_size(),
        },
    )


@login_required
def ipc_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    require(request.user, Perm.CORPUS_SEARCH)
    code = ipc_code(symbol)
    if code is None:
        raise Http404
    node = ipc_node(code)
    return render(
        request,
        "navigation/ipc.html",
        {
            "node": shown_ipc(node),
            "children": [shown_ipc(child) for child in node.children],
            "path": [shown_ipc(parent) for parent in ipc_path(code)[:-1]],
            "search_url": reverse("navigation:search")
            + "?"
            + urlencode({"ipc": node.search_prefix}),
        },
    )


# --- imports --------------------------------------------------------------------------------


@login_required
@form_token_once
def import_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CORPUS_IMPORT)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.corpus_import_create(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The file was queued for import."))
            return redirect("navigation:import", job_id=job.pk)
    return render(
        request,
        "navigation/imports.html",
        {
            "form": form,
            "page": paginate(request, import_jobs()),
            "querystring": query_without_page(request),
            "size": corpus_size(),
        },
    )


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return get_for_user_or_404(request.user, Perm.CORPUS_IMPORT, import_jobs(), pk=job_id)


@login_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    context = {"job": job, "moves": moves_for(request.user, job)}
    if getattr(request, "htmx", False) and request.GET.get("progress"):
        response = render(request, "navigation/_import_progress.html", context)
        if job.is_finished:
            response["HX-Refresh"] = "true"  # once finished, show the whole page with rejections
        return response
    rejections = paginate(request, import_rejections(job))
    return render(
        request,
        "navigation/import.html",
        context | {"page": rejections, "querystring": query_without_page(request)},
    )


@login_required
@require_POST
def import_resume(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.corpus_import_resume(actor=request.user, job=job)
    except DomainError as exc:
        message_domain_error(request, exc)
    else:
        messages.success(request, _("The import was queued again; it goes on where it stopped."))
    return redirect("navigation:import", job_id=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.corpus_import_cancel(actor=request.user, job=job)
    except DomainError as exc:
        message_domain_error(request, exc)
    else:
        messages.success(request, _("The import was cancelled."))
    return redirect("navigation:import", job_id=job.pk)
