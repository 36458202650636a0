"""Patent navigation API: corpus search, documents, IPC, imports.

The same selectors and services as the pages. A query the parser cannot read answers 422 with
the reason in the caller's language; an import or document that does not exist answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ipcenter.accounts.access import get_for_user_or_404, require
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging
from ipcenter.idempotency.decorators import idempotent
from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, PatentDocument
from ipcenter.navigation.selectors import (
    CorpusQuery,
    corpus_search,
    import_jobs,
    import_rejections,
    ipc_code,
    ipc_node,
    ipc_prefix,
)
from ipcenter.navigation.workflow import moves_for
from ipcenter.search.base import Hit, Passage

router = Router(tags=["navigation"])


# --- schemas --------------------------------------------------------------------------------


class SearchQuery(Schema):
    q: str = Field("", description="Free text (zh, en, mixed) or fielded/Boolean syntax")
    like: str = Field("", description="Find documents like this text (no query syntax)")
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    office: list[str] = Field(default_factory=list, description="Offices, e.g. CN, US")
    ipc: list[str] = Field(default_factory=list, description="IPC prefixes, e.g. A01B")
    lang: list[str] = Field(default_factory=list, description="Languages, e.g. zh, en")
    published_from: dt.date | None = None
    published_to: dt.date | None = Field(None, description="Inclusive")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1000)


class PassageOut(Schema):
    field: str
    text: str
    spans: list[tuple[int, int]]
    score: float


class HitOut(Schema):
    key: str
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    office: str
    publication_number: str
    kind: str
    application_number: str
    publication_date: dt.date | None
    title: str
    abstract: str
    applicants: list[str]
    ipc: list[str]
    language: str
    passages: list[PassageOut]
    sentences: list[PassageOut]


class SearchOut(Schema):
    total: int
    offset: int
    limit: int
    took_ms: float
    hits: list[HitOut]


class CorpusDocumentOut(Schema):
    key: str
    office: str
    publication_number: str
    kind: str
    application_number: str
    family_id: str
    priority_date: dt.date | None
    filing_date: dt.date | None
    publication_date: dt.date | None
    grant_date: dt.date | None
    title: str
    abstract: str
    claims: list[str]
    description: str
    applicants: list[str]
    inventors: list[str]
    ipc: list[str]
    cpc: list[str]
    citations: list[str]
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    source_id: str
    indexed: bool

    @staticmethod
    def resolve_indexed(obj: PatentDocument) -> bool:
        return obj.indexed_at is not None


class IpcChildOut(Schema):
    symbol: str
    title_en: str
    title_zh: str | None
    count: int


class IpcOut(Schema):
    symbol: str
    title_en: str
    title_zh: str | None
    parent: str | None
    count: int = Field(description="Corpus documents whose main IPC is here or below")
    children: list[IpcChildOut]


class SourceOut(Schema):
    label: str
    format: str | None
    skipped: str
    total: int | None
    position: int
    done: bool
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int


class ImportOut(Schema):
    id: int
    state: str
    origin: str
    label: str
    created_by: str | None
    total: int | None
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    percent: int | None
    error: str
    sources: list[SourceOut]
    moves: list[str]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(obj: ImportJob) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_sources(obj: ImportJob) -> list[dict[str, Any]]:
        fields = SourceOut.model_fields
        return [{k: v for k, v in s.items() if k in fields} for s in obj.sources]

    @staticmethod
    def resolve_moves(obj: ImportJob, context: Any) -> list[str]:
        return moves_for(context["request"].user, obj)


class RejectionOut(Schema):
    source: str
    position: int
    reason: str
    excerpt: str


class RejectionPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[RejectionOut]


# --- search and documents -------------------------------------------------------------------


def _passages(passages: list[Passage]) -> list[dict[str, Any]]:
    return [
        {"field": p.field, "text": p.text, "spans": [tuple(s) for s in p.spans], "score": p.score}
        for p in passages
    ]


def _hit(hit: Hit) -> dict[str, Any]:
    r = hit.record
    return {
        "key": hit.key,
        "score": hit.score,
        "bm25_rank": hit.bm25_rank,
        "dense_rank": hit.dense_rank,
        "office": r.office,
        "publication_number": r.publication_number,
        "kind": r.kind,
        "application_number": r.application_number,
        "publication_date": r.publication_date,
        "title": r.title,
        "abstract": r.abstract,
        "applicants": r.applicants,
        "ipc": r.ipc,
        "language": r.language,
        "passages": _passages(hit.passages),
        "sentences": _passages(hit.sentences),
    }


@router.get("/search", response=SearchOut, summary="Search the patent corpus")
def search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    require(request.user, Perm.CORPUS_SEARCH)
    query = CorpusQuery(
        q=params.q,
        like=params.like,
        mode=params.mode,
        offices=tuple(o.strip().upper() for o in params.office if o.strip()),
        ipc=tuple(ipc_prefix(p) for p in params.ipc if p.strip()),
        languages=tuple(lang.strip().lower() for lang in params.lang if lang.strip()),
        published_from=params.published_from,
        published_to=params.published_to,
    )
    if query.is_empty:
        return {
            "total": 0,
            "offset": params.offset,
            "limit": params.limit,
            "took_ms": 0.0,
            "hits": [],
        }
    results = corpus_search(query, limit=params.limit, offset=params.offset)
    return {
        "total": results.total,
        "offset": params.offset,
        "limit": params.limit,
        "took_ms": results.took_ms,
        "hits": [_hit(h) for h in results.hits],
    }


@router.get("/documents/{key}", response=CorpusDocumentOut, summary="A document of the corpus")
def document(request: HttpRequest, key: str) -> PatentDocument:
    return get_for_user_or_404(
        request.user, Perm.CORPUS_SEARCH, PatentDocument.objects.all(), key=key
    )


@router.get(
    "/ipc/{path:symbol}",
    response=IpcOut,
    summary="An IPC entry: titles, parent, children and corpus counts",
    description="The symbol in any form: A, A01, A01B, A01B 1/02, A01B0001020000.",
)
def ipc(request: HttpRequest, symbol: str) -> dict[str, Any]:
    require(request.user, Perm.CORPUS_SEARCH)
    code = ipc_code(symbol)
    if code is None:
        raise Http404
    node = ipc_node(code)
    return {
        "symbol": node.code,
        "title_en": node.title_en,
        "title_zh": node.title_zh,
        "parent": node.parent,
        "count": node.count,
        "children": [
            {"symbol": c.code, "title_en": c.title_en, "title_zh": c.title_zh, "count": c.count}
            for c in node.children
        ],
    }


# --- imports --------------------------------------------------------------------------------


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return get_for_user_or_404(request.user, Perm.CORPUS_IMPORT, import_jobs(), pk=job_id)


@router.get("/imports", response=list[ImportOut], summary="Corpus imports, newest first")
def import_list(request: HttpRequest, paging: Query[Paging]) -> list[ImportJob]:
    require(request.user, Perm.CORPUS_IMPORT)
    return list(import_jobs()[paging.offset : paging.offset + paging.limit])


@router.post("/imports", response={201: ImportOut}, summary="Import an uploaded corpus file")
@idempotent(recheck=lambda request, **_: require(request.user, Perm.CORPUS_IMPORT))
def import_create(request: HttpRequest, file: File[UploadedFile]) -> Status:
    require(request.user, Perm.CORPUS_IMPORT)
    job = services.corpus_import_create(actor=request.user, upload=file)
    return Status(201, job)


@router.get("/imports/{job_id}", response=ImportOut, summary="An import's progress")
def import_get(request: HttpRequest, job_id: int) -> ImportJob:
    return _job(request, job_id)


@router.get(
    "/imports/{job_id}/rejections",
    response=RejectionPage,
    summary="The records an import rejected, and why",
)
def import_rejection_list(
    request: HttpRequest, job_id: int, paging: Query[Paging]
) -> dict[str, Any]:
    job = _job(request, job_id)
    rejections = import_rejections(job)
    return {
        "total": rejections.count(),
        "offset": paging.offset,
        "limit": paging.limit,
        "items": list(rejections[paging.offset : paging.offset + paging.limit]),
    }


@router.post(
    "/imports/{job_id}/resume",
    response=ImportOut,
    summary="Queue a failed or cancelled import again; it goes on where it stopped",
)
def import_resume(request: HttpRequest, job_id: int) -> ImportJob:
    return services.corpus_import_resume(actor=request.user, job=_job(request, job_id))


@router.post("/imports/{job_id}/cancel", response=ImportOut, summary="Stop an import")
def import_cancel(request: HttpRequest, job_id: int) -> ImportJob:
    return services.corpus_import_cancel(actor=request.user, job=_job(request, job_id))
