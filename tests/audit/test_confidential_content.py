"""The audit log keeps references for every reader and shows content only to a reader entitled to
its subject: a canary written into a case, its reasons, its documents and a filing appears in no
audit view of anyone who may not read those objects (issue 9, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from ipcenter.accounts.models import Membership
from ipcenter.audit.models import AuditEvent
from ipcenter.audit.services import audit_record
from ipcenter.documents.services import document_store
from ipcenter.filings import services as filing_services
from ipcenter.patents.samples import sample_bytes
from ipcenter.preexam import services
from tests.conftest import Cast, client_for
from tests.filings.factories import draft, png
from tests.preexam.factories import SAMPLE, opinion_case, submitted_case, upload

# Upper case letters and digits only, so that it is also a well-formed credit code's start.
CANARY = "CANARY7F3A"
API = "/api/v1/audit/events"
PAGE = "/audit/"
EVERYONE = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan",
    "sam", "walt", "nina", "olga", "pete", "gina", "nora",
]  # fmt: skip
# Alice manages Shanghai, where every canary object lives: she may read them all.
ENTITLED = {"alice"}
AUDIT_READERS = {"alice", "carol", "sam"}
# The rows that carry the canary (in their label or values) once the fixture has run.
STORED_WITH_CANARY = {
    "preexam:case:submitted",  # the title, in the label
    "preexam:case:amended",  # the amendment reason
    "preexam:case:not_accepted",  # the refusal reason
    "preexam:analysis:computed",  # the IPC suggestion
    "documents:document:uploaded",  # the title
    "filings:filing:created",  # the legal name, in the label
    "filings:filing:updated",  # the credit code and phone, before and after
    "filings:filing:rejected",  # the refusal reason
}


@pytest.fixture
def canaries(cast: Cast) -> Cast:
    """The canary in a case's title, its document's file name, its amendment reason, another
    case's refusal reason, the IPC finding of an analysis, a loose document's name, and a
    filing's name, credit code, phone and refusal reason, all through the real services."""
    case = opinion_case(cast, title=f"{CANARY} gripper")
    services.case_amend(
        case=case,
        actor=cast.erin,
        files=[("claims", upload(f"{CANARY}-claims.docx", sample_bytes(SAMPLE)))],
        note=f"{CANARY} amendment",
    )
    refused = submitted_case(cast, title="Another invention")
    services.case_not_accept(case=refused, actor=cast.bob, reason=f"{CANARY} refusal")
    # The analysis needs the classifier and a corpus; its row is written as analysis_compute
    # writes it, with the center-only IPC suggestion.
    with transaction.atomic():
        audit_record(
            actor=None,
            tag="preexam:analysis:computed",
            subject=case,
            new={"suggested": CANARY, "findings": ["ipc-mismatch"]},
            organization=case.organization,
            center=case.center,
        )
    document_store(
        actor=cast.erin,
        organization=cast.ent_a,
        upload=upload(f"{CANARY}.docx", sample_bytes(SAMPLE)),
        title=f"{CANARY} draft",
    )
    filing = draft(
        cast,
        organization=cast.ent_b,
        legal_name=f"{CANARY} 公司",
        credit_code=f"{CANARY}00000000",
        contact_phone=f"021-{CANARY}",
    )
    filing_services.filing_update(
        actor=cast.frank,
        filing=filing,
        data={"credit_code": f"{CANARY}00000001", "contact_phone": f"021-{CANARY}-1"},
    )
    filing_services.filing_attach_document(
        actor=cast.frank, filing=filing, purpose="business_licence", upload=png(f"{CANARY}.png")
    )
    filing_services.filing_submit(actor=cast.frank, filing=filing)
    filing_services.filing_reject(actor=cast.alice, filing=filing, reason=f"{CANARY} refusal")
    stored = {e.tag for e in AuditEvent.objects.all() if CANARY in _content(e)}
    assert stored >= STORED_WITH_CANARY, stored
    return cast


def _content(event: AuditEvent) -> str:
    return f"{event.subject_label} {event.old} {event.new}"


def _audit_views(client: Any) -> dict[str, str]:
    """Every audit view the client can ask for, with the filters that narrow them."""
    bodies: dict[str, str] = {}
    for params in (
        {"limit": 500},
        {"subject": CANARY, "limit": 500},
        {"tag": "preexam:", "limit": 500},
        {"tag": "filings:", "limit": 500},
        {"tag": "documents:", "limit": 500},
        {"center": "shanghai", "limit": 500},
        {"actor": "erin", "limit": 500},
    ):
        bodies[f"api {params}"] = client.get(API, params).content.decode()
    for params in (
        {},
        {"subject": CANARY},
        {"tag": "preexam:"},
        {"tag": "filings:"},
        {"tag": "documents:"},
        {"actor": "frank"},
        {"page": 2},
    ):
        page = client.get(PAGE, params).content.decode()
        # The filter form repeats what the reader typed: only the table is the audit's answer.
        bodies[f"page {params}"] = page.partition('data-testid="audit-table"')[2]
    return bodies


def test_the_canary_appears_only_to_readers_entitled_to_its_objects(canaries: Cast) -> None:
    leaks: dict[str, list[str]] = {}
    for who in EVERYONE:
        client = client_for(getattr(canaries, who))
        bodies = _audit_views(client)
        if who in AUDIT_READERS:
            # The home page's audit panel is an audit view too (its other panels are not).
            bodies["home"] = client.get("/").content.decode()
        leaks[who] = [view for view, body in bodies.items() if CANARY in body]
    assert {who for who, views in leaks.items() if views} == ENTITLED, leaks
    # The entitled reader sees the content everywhere it is listed (else the test proves little).
    assert len(leaks["alice"]) >= 10, leaks["alice"]


def test_the_system_administrator_sees_references_and_no_content(canaries: Cast) -> None:
    body = client_for(canaries.sam).get(API, {"limit": 500}).json()
    rows = {(i["tag"], i["subject_type"]): i for i in body["items"]}
    submitted = rows["preexam:case:submitted", "preexam.case"]
    case = AuditEvent.objects.get(pk=submitted["id"])
    assert submitted["content_hidden"] is True
    assert (submitted["subject_label"], submitted["old"], submitted["new"]) == ("", None, None)
    # The references stay: who, what, when, which subject, where.
    assert submitted["actor"] == "erin"
    assert submitted["subject_id"] == case.subject_id
    assert submitted["center"] == "shanghai"
    assert submitted["organization_id"] == canaries.ent_a.pk
    # What the administrator runs keeps its content: people, tokens, settings.
    assert rows["accounts:role:granted", "accounts.user"]["content_hidden"] is False
    assert rows["accounts:role:granted", "accounts.user"]["new"]["role"]


def test_a_search_in_the_content_confirms_nothing_to_a_reader_not_entitled(
    canaries: Cast,
) -> None:
    sam = client_for(canaries.sam).get(API, {"subject": CANARY}).json()
    assert sam["count"] == 0
    alice = client_for(canaries.alice).get(API, {"subject": CANARY}).json()
    assert alice["count"] > 0
    assert all(not item["content_hidden"] for item in alice["items"])
    # A subject id is a reference: it finds the rows, their content still hidden.
    case_id = alice["items"][0]["subject_id"]
    by_id = client_for(canaries.sam).get(API, {"subject": case_id}).json()
    assert by_id["count"] > 0
    assert all(item["content_hidden"] for item in by_id["items"])


def test_the_page_marks_hidden_content(canaries: Cast) -> None:
    response = client_for(canaries.sam).get(PAGE, {"tag": "preexam:"})
    assert b'data-testid="content-hidden"' in response.content
    rows = list(response.context["page"])
    assert rows and all(e.content_hidden and e.new is None for e in rows)
    # Only the copy shown was emptied: the stored row keeps its content.
    stored = AuditEvent.objects.get(pk=rows[0].pk)
    assert stored.subject_label or stored.new


def test_a_manager_sees_no_content_of_what_she_may_not_read(cast: Cast) -> None:
    """A row in her center about an object of her center she is not entitled to stays closed:
    an unregistered subject type is confidential to everyone."""
    membership = Membership.objects.filter(user=cast.bob).first()
    assert membership is not None
    with transaction.atomic():
        audit_record(
            actor=cast.bob,
            tag="accounts:membership:noted",
            subject=membership,
            new={"note": CANARY},
            center=cast.shanghai,
        )
    [item] = client_for(cast.alice).get(API, {"tag": "accounts:membership"}).json()["items"]
    assert item["content_hidden"] is True
    assert CANARY not in str(item)
