"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects).

Cases are unpublished applications: titles, reasons, findings and citations in their rows are
shown to the case's readers only (its applicant side, its examiner, its center's managers).
"""

from typing import Any

from django.db.models import QuerySet

from ipcenter.audit.subjects import register_subject
from ipcenter.preexam.models import Case, ExaminerConflict, OfficeAction
from ipcenter.preexam.selectors import cases_visible_to, conflicts_visible_to


def office_actions_visible_to(user: Any) -> QuerySet[OfficeAction]:
    return OfficeAction.objects.filter(case__in=cases_visible_to(user))


register_subject(Case, cases_visible_to)
register_subject(OfficeAction, office_actions_visible_to)
register_subject(ExaminerConflict, conflicts_visible_to)
