"""Audit rows are written once: neither the ORM nor raw SQL may change or delete them."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, connection, transaction

from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind
from ipcenter.audit.models import AuditEvent, AuditLogIsAppendOnly
from ipcenter.audit.services import audit_record
from tests.conftest import Cast


@pytest.fixture
def event(cast: Cast) -> AuditEvent:
    with transaction.atomic():
        return audit_record(
            actor=cast.alice,
            tag="centers:settings:changed",
            subject=cast.shanghai,
            old={"preexam_decision_days": 7},
            new={"preexam_decision_days": 9},
            center=cast.shanghai,
        )


def assert_unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.tag, stored.actor_label, stored.old, stored.new) == (
        "centers:settings:changed",
        "alice",
        {"preexam_decision_days": 7},
        {"preexam_decision_days": 9},
    )


def test_save_of_existing_row_is_refused(event: AuditEvent) -> None:
    event.tag = "centers:settings:forged"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    assert_unchanged(event)


def test_delete_of_a_row_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert_unchanged(event)


def test_queryset_update_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(tag="forged")
    assert_unchanged(event)


def test_queryset_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert_unchanged(event)


def test_raw_sql_update_is_refused_by_the_database(event: AuditEvent) -> None:
    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET tag = 'forged', old = NULL WHERE id = %s", [event.pk]
        )
    assert_unchanged(event)


def test_raw_sql_delete_is_refused_by_the_database(event: AuditEvent) -> None:
    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert_unchanged(event)


def test_new_rows_can_still_be_added(event: AuditEvent) -> None:
    before = AuditEvent.objects.count()
    with transaction.atomic():
        audit_record(actor=None, tag="accounts:session:locked-out", subject=event.center)
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction() -> None:
    organization = Organization.objects.create(kind=OrgKind.ENTERPRISE, name="x")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, tag="accounts:org:created", subject=organization)
    assert AuditEvent.objects.count() == 0
