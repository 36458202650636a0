"""A case's IPC suggestion and prior art: computed after intake by the job, refreshed on request,
shown to the examiner and the managers only; citations marked for the opinion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.patents.application import ParsedApplication
from ipcenter.preexam import analysis as analysis_module
from ipcenter.preexam.analysis import (
    analysis_compute,
    case_analysis_refresh,
    case_citation_mark,
    case_citation_remove,
    classification_text,
)
from ipcenter.preexam.models import (
    AnalysisStatus,
    Case,
    CaseAnalysis,
    Citation,
    CutoffBasis,
    Finding,
    PatentType,
)
from ipcenter.preexam.services import case_accept, case_opinion_issue, case_withdraw
from tests.conftest import Cast, client_for
from tests.preexam.factories import opinion_items
from tests.preexam.priorart_support import Corpus, classifier, corpus, corpus_index, neural_case

__all__ = ["classifier", "corpus", "corpus_index"]  # fixtures


@pytest.fixture
def case(cast: Cast, corpus: Corpus, django_capture_on_commit_callbacks: Any) -> Case:
    """Submitted by Erin, assigned to Bob; the job analysed it after the intake committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return neural_case(cast, corpus)


def _analysis(case: Case) -> CaseAnalysis:
    return CaseAnalysis.objects.get(version__case=case, version__number=1)


# --- the job after intake -------------------------------------------------------------------------


def test_the_intake_job_finds_the_prior_art_of_each_independent_claim(
    case: Case, corpus: Corpus
) -> None:
    analysis = _analysis(case)
    assert analysis.status == AnalysisStatus.DONE, analysis.error
    assert analysis.error == ""
    assert analysis.corpus_size == len(corpus.records)
    assert analysis.cutoff == timezone.localdate(case.submitted_at)
    assert analysis.cutoff_basis == CutoffBasis.SUBMISSION
    assert analysis.requested_by is None
    hits = list(analysis.hits.all())
    assert {h.claim_number for h in hits} == {1, 3}  # claim 2 depends on claim 1
    first = [h for h in hits if h.claim_number == 1]
    assert [h.rank for h in first] == list(range(1, len(first) + 1))
    # Each claim is the abstract of a real grant: that grant comes first, with a snapshot of it.
    top = first[0]
    assert top.document_key == corpus.first.key
    assert top.document["title"] == corpus.first.title
    assert top.document["publication_date"] == corpus.first.publication_date.isoformat()  # type: ignore[union-attr]
    assert top.passages and top.passages[0]["spans"]
    assert next(h for h in hits if h.claim_number == 3).document_key == corpus.second.key
    event = AuditEvent.objects.get(tag="preexam:analysis:computed", subject_id=str(case.pk))
    assert event.actor is None and event.new["hits"] == len(hits)


def test_the_priority_date_is_the_cutoff(
    cast: Cast, corpus: Corpus, django_capture_on_commit_callbacks: Any
) -> None:
    published = corpus.first.publication_date
    assert published is not None
    with django_capture_on_commit_callbacks(execute=True):
        case = neural_case(
            cast,
            corpus,
            priority_claims=[{"country": "US", "number": "08/123,456", "date": published}],
        )
    analysis = _analysis(case)
    assert (analysis.cutoff, analysis.cutoff_basis) == (published, CutoffBasis.PRIORITY)
    keys = set(analysis.hits.values_list("document_key", flat=True))
    assert keys and corpus.first.key not in keys
    for hit in analysis.hits.all():
        assert dt.date.fromisoformat(hit.document["publication_date"]) < published


def _suggested(classifier: Any, case: Case) -> tuple[str, str]:
    """The best subclass (and its group) the classifier gives the case's text, asked directly."""
    app = ParsedApplication.from_dict(case.versions.order_by("-number").first().parsed)  # type: ignore[union-attr]
    found = classifier.suggest(classification_text(app), k=5)
    subclass = next(s.symbol for s in found if s.level == "subclass")
    group = next((s.symbol for s in found if s.level == "group"), "")
    return subclass, group


def test_the_suggestion_differs_from_the_applicants_code_and_the_centers_fields(
    case: Case, classifier: Any
) -> None:
    """Neural-network claims filed under A61B 5/00: the classifier's subclass is another one,
    outside Shanghai's field list (A61K, B25J, A61B, G06F)."""
    expected, _group = _suggested(classifier, case)
    assert expected not in ("A61B", "A61K", "B25J", "G06F")  # what this case is about
    analysis = _analysis(case)
    assert analysis.suggestions and analysis.classifier_version == classifier.version
    assert analysis.suggested_subclass == expected
    assert analysis.applicant_code == "A61B 5/00"
    assert analysis.mismatch and analysis.out_of_scope
    # Every suggestion names its reasons: labelled documents of the corpus where it has some.
    for suggestion in analysis.suggestions:
        assert suggestion["reasons"], suggestion["symbol"]
        assert all(r["key"] and r["ipc"] for r in suggestion["reasons"])
    findings = {f.code: f for f in Finding.objects.filter(version__case=case, center_only=True)}
    assert set(findings) == {"ipc_suggestion_mismatch", "ipc_suggestion_out_of_scope"}
    mismatch = findings["ipc_suggestion_mismatch"]
    assert mismatch.params["suggested"] == expected
    assert mismatch.params["applicant_code"] == "A61B 5/00"
    assert mismatch.params["confidence"] == analysis.suggestions[0]["confidence"]
    from ipcenter.preexam.selectors import finding_message

    with translation.override("en"):
        text = finding_message(mismatch.code, mismatch.params)
    assert expected in text and "A61B 5/00" in text and "%" in text


def test_the_reasons_are_documents_of_the_corpus_where_it_has_them(
    case: Case, corpus: Corpus
) -> None:
    analysis = _analysis(case)
    keys = {r.key for r in corpus.records}
    for suggestion in analysis.suggestions:
        for reason in suggestion["reasons"]:
            assert reason["in_corpus"] == (reason["key"] in keys)


def test_a_matching_code_in_the_fields_is_no_finding(
    cast: Cast, corpus: Corpus, classifier: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.preexam.factories import competent, cover_fields

    probe = neural_case(cast, corpus)  # the same text, to learn what the classifier says
    subclass, group = _suggested(classifier, probe)
    cover_fields(cast.shanghai, ipc=(subclass,))
    competent(cast.bob, "A61B", "G06F", subclass)
    with django_capture_on_commit_callbacks(execute=True):
        case = neural_case(cast, corpus, main_code=group or f"{subclass} 1/00")
    analysis = _analysis(case)
    assert analysis.suggested_subclass == subclass
    assert not analysis.mismatch and not analysis.out_of_scope
    assert not Finding.objects.filter(version__case=case, center_only=True).exists()


def test_a_failing_classifier_leaves_the_prior_art(
    cast: Cast, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(analysis_module, "_load_classifier", broken)
    case = neural_case(cast, corpus)
    case_analysis_refresh(case=case, actor=cast.bob)
    analysis = _analysis(case)
    assert analysis.status == AnalysisStatus.DONE
    assert "model file missing" in analysis.error
    assert analysis.suggestions == [] and not analysis.mismatch
    assert analysis.hits.exists()


def test_a_design_has_no_analysis(cast: Cast) -> None:
    design = Case(patent_type=PatentType.DESIGN, main_code="24-02")
    assert analysis_compute(design, None).status == AnalysisStatus.NOT_APPLICABLE  # type: ignore[arg-type]


# --- refresh --------------------------------------------------------------------------------------


def test_a_refresh_replaces_the_analysis(case: Case, cast: Cast) -> None:
    before = _analysis(case)
    hits = before.hits.count()
    client = client_for(cast.alice)  # a manager of the center may refresh
    response = client.post(f"/preexam/cases/{case.pk}/analysis/refresh/")
    assert response.status_code == 302 and response["Location"].endswith("#prior-art")
    after = _analysis(case)
    assert after.pk == before.pk and after.computed_at > before.computed_at
    assert after.requested_by == cast.alice
    assert after.hits.count() == hits
    assert Finding.objects.filter(version__case=case, center_only=True).count() == 2
    refreshed = AuditEvent.objects.filter(tag="preexam:analysis:computed", actor=cast.alice)
    assert refreshed.count() == 1

    api = client_for(cast.bob).post(f"/api/v1/preexam/cases/{case.pk}/analysis/refresh")
    assert api.status_code == 200
    assert api.json()["status"] == "done" and api.json()["prior_art"]


def test_no_refresh_once_the_case_left_the_center(case: Case, cast: Cast) -> None:
    case_withdraw(case=case, actor=cast.erin, reason="changed plans")
    with pytest.raises(Conflict):
        case_analysis_refresh(case=case, actor=cast.bob)
    response = client_for(cast.bob).post(f"/api/v1/preexam/cases/{case.pk}/analysis/refresh")
    assert response.status_code == 409
    page = client_for(cast.bob).post(f"/preexam/cases/{case.pk}/analysis/refresh/", follow=True)
    assert b"no longer refreshed" in page.content or "不再".encode() in page.content


def test_the_applicant_side_cannot_refresh(case: Case, cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        case_analysis_refresh(case=case, actor=cast.erin)
    missing = client_for(cast.erin).post("/api/v1/preexam/cases/999999999/analysis/refresh")
    refused = client_for(cast.erin).post(f"/api/v1/preexam/cases/{case.pk}/analysis/refresh")
    assert (refused.status_code, refused.content) == (404, missing.content)


# --- what each person sees ------------------------------------------------------------------------


def test_the_examiner_sees_the_panels(case: Case, cast: Cast, corpus: Corpus) -> None:
    page = client_for(cast.bob).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="classification"' in page and 'data-testid="prior-art"' in page
    suggested = _analysis(case).suggested_subclass
    assert f'data-testid="suggested-subclass">{suggested}<' in page
    assert 'data-testid="ipc-mismatch"' in page and 'data-testid="ipc-out-of-scope"' in page
    assert f'data-key="{corpus.first.key}"' in page
    assert "<mark>" in page
    assert f'href="/navigation/documents/{corpus.first.key}/"' in page
    assert 'data-code="ipc_suggestion_mismatch"' in page  # in the findings table too
    assert 'data-testid="cite-X"' in page


@pytest.mark.parametrize("who", ["erin", "dave"])
def test_the_applicant_side_sees_none_of_it(case: Case, cast: Cast, who: str) -> None:
    client = client_for(getattr(cast, who))
    page = client.get(f"/preexam/cases/{case.pk}/").content.decode()
    for marker in ("classification", "prior-art", "ipc_suggestion", "suggested-subclass", "cite-X"):
        assert marker not in page, marker
    data = client.get(f"/api/v1/preexam/cases/{case.pk}").json()
    codes = {f["code"] for v in data["versions"] for f in v["findings"]}
    assert codes and not any(c.startswith("ipc_suggestion") for c in codes)
    versions = client.get(f"/api/v1/preexam/cases/{case.pk}/versions").json()
    assert not any(f["code"].startswith("ipc_") for v in versions for f in v["findings"])
    assert client.get(f"/api/v1/preexam/cases/{case.pk}/analysis").status_code == 404


def test_the_analysis_api(case: Case, cast: Cast, corpus: Corpus) -> None:
    response = client_for(cast.alice).get(f"/api/v1/preexam/cases/{case.pk}/analysis")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1 and data["status"] == "done"
    assert data["suggested_subclass"] == _analysis(case).suggested_subclass
    assert data["suggestions"][0]["reasons"] and data["mismatch"] is True
    assert [c["claim_number"] for c in data["prior_art"]] == [1, 3]
    top = data["prior_art"][0]["hits"][0]
    assert top["document_key"] == corpus.first.key and top["cited_as"] is None
    assert top["document"]["publication_date"] == corpus.first.publication_date.isoformat()  # type: ignore[union-attr]
    assert {f["code"] for f in data["findings"]} == {
        "ipc_suggestion_mismatch",
        "ipc_suggestion_out_of_scope",
    }
    viewed = AuditEvent.objects.filter(tag="preexam:case:viewed", actor=cast.alice)
    assert [e.new["view"] for e in viewed] == ["analysis"]


def test_before_the_job_ran_the_analysis_is_pending(cast: Cast, corpus: Corpus) -> None:
    case = neural_case(cast, corpus)  # the job runs after commit, which never comes here
    data = client_for(cast.bob).get(f"/api/v1/preexam/cases/{case.pk}/analysis").json()
    assert (data["status"], data["prior_art"]) == ("pending", [])
    page = client_for(cast.bob).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="analysis-pending"' in page


# --- citations ------------------------------------------------------------------------------------


def test_the_examiner_cites_from_the_prior_art_list(case: Case, cast: Cast, corpus: Corpus) -> None:
    client = client_for(cast.bob)
    key = corpus.first.key
    response = client.post(
        f"/preexam/cases/{case.pk}/citations/",
        {"document_key": key, "claims": "1", "category": "X"},
    )
    assert response.status_code == 302
    citation = Citation.objects.get(case=case)
    assert (citation.category, citation.claims, citation.examiner) == ("X", [1], cast.bob)
    assert citation.document["title"] == corpus.first.title
    # Marked again from claim 3's list: one citation, now Y, for both claims.
    client.post(
        f"/preexam/cases/{case.pk}/citations/",
        {"document_key": key.lower(), "claims": "3", "category": "Y"},
    )
    citation.refresh_from_db()
    assert (citation.category, citation.claims) == ("Y", [1, 3])
    assert Citation.objects.filter(case=case).count() == 1
    page = client.get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="cited-as">Y<' in page
    tags = list(
        AuditEvent.objects.filter(subject_id=str(case.pk), tag__startswith="preexam:citation")
        .order_by("id")
        .values_list("tag", flat=True)
    )
    assert tags == ["preexam:citation:marked", "preexam:citation:marked"]

    client.post(f"/preexam/cases/{case.pk}/citations/{citation.pk}/remove/")
    assert not Citation.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(tag="preexam:citation:removed").count() == 1


def test_the_citations_api(case: Case, cast: Cast, corpus: Corpus) -> None:
    client = client_for(cast.bob)
    url = f"/api/v1/preexam/cases/{case.pk}/citations"
    created = client.post(
        url,
        {"document_key": corpus.second.key, "category": "A", "claims": [3], "note": "Fig. 2"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["claims"], body["note"]) == ("A", [3], "Fig. 2")
    assert body["document"]["title"] == corpus.second.title
    listed = client_for(cast.alice).get(url).json()  # the manager reads them
    assert [c["document_key"] for c in listed] == [corpus.second.key]
    # A document of the corpus that the prior-art list did not show can be cited too.
    other = next(r for r in corpus.records if r.key not in (corpus.first.key, corpus.second.key))
    assert (
        client.post(
            url, {"document_key": other.key, "category": "A"}, content_type="application/json"
        ).status_code
        == 201
    )
    gone = client.delete(f"{url}/{body['id']}")
    assert gone.status_code == 204
    assert client.delete(f"{url}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"document_key": "US1", "category": "X"}, "document_key"),  # not in the corpus
        ({"document_key": "__first__", "category": "Z"}, "category"),
        ({"document_key": "__first__", "category": "X", "claims": [4]}, "claims"),
    ],
)
def test_bad_citations_are_refused(
    case: Case, cast: Cast, corpus: Corpus, payload: dict[str, Any], field: str
) -> None:
    if payload["document_key"] == "__first__":
        payload = {**payload, "document_key": corpus.first.key}
    response = client_for(cast.bob).post(
        f"/api/v1/preexam/cases/{case.pk}/citations", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Citation.objects.exists()


def test_citations_go_with_the_opinion_and_then_stay(
    case: Case, cast: Cast, corpus: Corpus
) -> None:
    case_accept(case=case, actor=cast.bob)
    case_citation_mark(
        case=case, actor=cast.bob, document_key=corpus.first.key, category="X", claims=[1]
    )
    form = client_for(cast.bob).get(f"/preexam/cases/{case.pk}/opinion/").content.decode()
    assert corpus.first.key in form and 'data-testid="opinion-citations"' in form
    opinion = case_opinion_issue(
        case=case, actor=cast.bob, summary="Claim 1 lacks novelty.", items=opinion_items()
    )
    citation = Citation.objects.get(case=case)
    assert citation.opinion == opinion
    # The applicant reads the cited documents in the opinion.
    page = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="opinion-citations"' in page and corpus.first.key in page
    data = client_for(cast.erin).get(f"/api/v1/preexam/cases/{case.pk}").json()
    cited = data["opinions"][0]["citations"]
    assert cited == [
        {
            "document_key": corpus.first.key,
            "category": "X",
            "claims": [1],
            "publication_number": corpus.first.publication_number,
            "title": corpus.first.title,
            "publication_date": corpus.first.publication_date.isoformat(),  # type: ignore[union-attr]
        }
    ]
    # Issued: the citations no longer change.
    with pytest.raises(Conflict):
        case_citation_mark(case=case, actor=cast.bob, document_key=corpus.second.key, category="A")
    with pytest.raises(Conflict):
        case_citation_remove(citation=citation, actor=cast.bob)
    response = client_for(cast.bob).delete(
        f"/api/v1/preexam/cases/{case.pk}/citations/{citation.pk}"
    )
    assert response.status_code == 409


def test_only_the_assigned_examiner_cites(case: Case, cast: Cast, corpus: Corpus) -> None:
    from django.core.exceptions import PermissionDenied

    for person in (cast.alice, cast.olga, cast.erin):
        with pytest.raises(PermissionDenied):
            case_citation_mark(case=case, actor=person, document_key=corpus.first.key, category="X")
    with pytest.raises(InvalidInput):
        case_citation_mark(case=case, actor=cast.bob, document_key=" ", category="X")
