"""A case's content is for its applicant, its agency, its assigned examiner and its center's
managers; everyone else gets the answer a missing case gets; every read is audited."""

from __future__ import annotations

import pytest

from ipcenter.audit.models import AuditEvent
from ipcenter.preexam.models import Case
from tests.conftest import Cast, client_for
from tests.preexam.factories import amended_case, submitted_case

READERS = ("erin", "dave", "grace", "bob", "alice")
OUTSIDERS = ("frank", "olga", "pete", "carol", "gina")


def _paths(case: Case) -> list[str]:
    document = case.versions.get(number=1).documents.first()
    assert document is not None
    return [
        f"/api/v1/preexam/cases/{case.pk}",
        f"/api/v1/preexam/cases/{case.pk}/versions",
        f"/api/v1/preexam/cases/{case.pk}/diff?from=1&to=2",
        f"/api/v1/preexam/cases/{case.pk}/documents/{document.document_id}",
        f"/preexam/cases/{case.pk}/",
        f"/preexam/cases/{case.pk}/diff/?from=1&to=2",
        f"/preexam/cases/{case.pk}/documents/{document.document_id}/",
    ]


@pytest.fixture
def case(cast: Cast) -> Case:
    return amended_case(cast, by_agent=True)


@pytest.mark.parametrize("who", READERS)
def test_the_parties_read_the_content_and_each_read_is_audited(
    cast: Cast, case: Case, who: str
) -> None:
    person = getattr(cast, who)
    client = client_for(person)
    for path in _paths(case):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    viewed = AuditEvent.objects.filter(tag="preexam:case:viewed", actor=person)
    assert viewed.count() == 5  # API: case, versions, diff; pages: case, diff
    assert all(e.center_id == cast.shanghai.pk and e.subject_id == str(case.pk) for e in viewed)
    downloads = AuditEvent.objects.filter(tag="documents:document:downloaded", actor=person)
    assert downloads.count() == 2


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_the_answer_for_a_missing_case(cast: Cast, case: Case, who: str) -> None:
    client = client_for(getattr(cast, who))
    events = AuditEvent.objects.count()
    for path in _paths(case):
        refused = client.get(path)
        missing = client.get(path.replace(f"/cases/{case.pk}", "/cases/999999999"))
        assert refused.status_code == 404, (path, refused.status_code)
        assert (refused.status_code, refused.content) == (missing.status_code, missing.content)
    assert AuditEvent.objects.count() == events
    assert case.title.encode() not in client.get("/api/v1/preexam/cases").content
    assert case.title.encode() not in client.get("/preexam/cases/").content


@pytest.mark.parametrize("who", ("ivan", "sam", "walt", "nina"))
def test_people_without_a_case_role_are_refused(cast: Cast, case: Case, who: str) -> None:
    client = client_for(getattr(cast, who))
    assert client.get("/api/v1/preexam/cases").status_code == 403
    assert client.get(f"/api/v1/preexam/cases/{case.pk}").status_code in (403, 404)
    assert client.get("/preexam/cases/").status_code == 403


def test_lists_show_only_what_each_person_may_see(cast: Cast) -> None:
    mine = submitted_case(cast)
    Case.objects.filter(pk=mine.pk).update(title="visible-to-a-only")
    for who in ("erin", "bob", "alice"):
        assert b"visible-to-a-only" in client_for(getattr(cast, who)).get("/preexam/cases/").content
        listed = client_for(getattr(cast, who)).get("/api/v1/preexam/cases").json()
        assert [c["id"] for c in listed] == [mine.pk]
    for who in ("frank", "olga", "carol", "grace"):
        assert client_for(getattr(cast, who)).get("/api/v1/preexam/cases").json() == []


def test_the_examiner_loses_access_when_the_case_is_reassigned(cast: Cast) -> None:
    from ipcenter.preexam.assignment import case_reassign

    case = submitted_case(cast)
    case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason="leave", confirmed=True)
    assert client_for(cast.bob).get(f"/api/v1/preexam/cases/{case.pk}").status_code == 404
    assert client_for(cast.olga).get(f"/api/v1/preexam/cases/{case.pk}").status_code == 200


def test_documents_of_a_case_are_not_reachable_through_another_case(cast: Cast) -> None:
    first = submitted_case(cast)
    second = submitted_case(cast, title="Second")
    document = first.versions.get().documents.get().document_id
    response = client_for(cast.bob).get(f"/preexam/cases/{second.pk}/documents/{document}/")
    assert response.status_code == 404
    response = client_for(cast.bob).get(f"/preexam/cases/{second.pk}/documents/not-a-uuid/")
    assert response.status_code == 404
