"""Technical-field lists: new versions checked against the real IPC scheme, in force by date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine

from ipcenter.audit.models import AuditEvent
from ipcenter.centers.models import FieldListVersion, FieldScheme
from ipcenter.centers.selectors import field_list_in_force
from ipcenter.centers.services import field_list_publish
from ipcenter.lib.errors import Conflict, InvalidInput
from tests.conftest import Cast, client_for

SHANGHAI_TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 3, 2)
APRIL = dt.date(2026, 4, 1)
API = "/api/v1/centers/shanghai/fields"
NEW_PAGE = "/centers/shanghai/fields/new/"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI_TZ), tick=False):
        yield


def publish(
    cast: Cast, on: dt.date = APRIL, ipc: tuple[str, ...] = ("A61K 31/00",)
) -> FieldListVersion:
    return field_list_publish(
        center=cast.shanghai, actor=cast.alice, effective_from=on, ipc=ipc, locarno=["14-02"]
    )


def shanghai_versions() -> int:
    return FieldListVersion.objects.filter(center__code="shanghai").count()


def test_publish_normalises_and_dedupes_codes(cast: Cast) -> None:
    version = field_list_publish(
        center=cast.shanghai,
        actor=cast.alice,
        effective_from=APRIL,
        ipc=["A61K 31/00", "a61k31/00", " B25J ", ""],
        locarno=["14-02", "24"],
        note="biomedicine",
    )
    assert version.symbols(FieldScheme.IPC) == ["A61K 31/00", "B25J"]
    assert sorted(version.symbols(FieldScheme.LOCARNO)) == ["14-02", "24"]
    assert version.created_by == cast.alice


def test_publish_is_audited_with_what_changed(cast: Cast) -> None:
    version = publish(cast, ipc=("A61K", "H04L"))
    event = AuditEvent.objects.get(tag="centers:fields:published")
    assert event.subject_id == str(version.pk)
    assert event.center == cast.shanghai
    assert event.new["ipc_added"] == ["H04L"]
    assert event.new["ipc_removed"] == ["B25J"]
    assert event.new["effective_from"] == "2026-04-01"


def test_unknown_codes_are_refused_naming_each_entry(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        field_list_publish(
            center=cast.shanghai,
            actor=cast.alice,
            effective_from=APRIL,
            ipc=["A61K 31/00", "Z99Z", "A61K 999/00"],
            locarno=["99"],
        )
    errors = refused.value.errors
    assert set(errors) == {"Z99Z", "A61K 999/00", "99"}
    assert "'Z'" in errors["Z99Z"]
    assert "not in the IPC" in errors["A61K 999/00"]
    assert shanghai_versions() == 1


def test_empty_list_is_refused(cast: Cast) -> None:
    with pytest.raises(InvalidInput):
        field_list_publish(
            center=cast.shanghai, actor=cast.alice, effective_from=APRIL, ipc=[" "], locarno=[]
        )
    assert shanghai_versions() == 1


def test_same_effective_date_twice_is_a_conflict(cast: Cast) -> None:
    publish(cast)
    with pytest.raises(Conflict):
        publish(cast, ipc=("B25J",))
    assert shanghai_versions() == 2
    assert AuditEvent.objects.filter(tag="centers:fields:published").count() == 1


def test_past_effective_date_is_refused(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        publish(cast, on=dt.date(2026, 3, 1))
    assert set(refused.value.errors) == {"effective_from"}


def test_list_in_force_depends_on_the_date(cast: Cast) -> None:
    new = publish(cast, ipc=("H04L",))
    old = field_list_in_force(center=cast.shanghai, on=dt.date(2026, 3, 31))
    assert old is not None
    assert old.effective_from == dt.date(2020, 1, 1)
    assert old.symbols(FieldScheme.IPC) == ["A61K", "B25J"]
    current = field_list_in_force(center=cast.shanghai, on=APRIL)
    assert current is not None
    assert current.pk == new.pk
    assert current.symbols(FieldScheme.IPC) == ["H04L"]
    assert field_list_in_force(center=cast.shanghai, on=dt.date(2019, 12, 31)) is None


def test_only_the_manager_of_the_center_may_publish(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    for who in (cast.bob, cast.carol, cast.sam, cast.dave):
        with pytest.raises(PermissionDenied):
            field_list_publish(center=cast.shanghai, actor=who, effective_from=APRIL, ipc=["A61K"])
    assert shanghai_versions() == 1


# --- the API --------------------------------------------------------------------------------


def test_api_publishes_a_version(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        API,
        {"effective_from": "2026-04-01", "ipc": ["A61K 31/00", "B25J"], "locarno": ["24"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["center"], body["effective_from"]) == ("shanghai", "2026-04-01")
    assert (body["ipc"], body["locarno"]) == (["A61K 31/00", "B25J"], ["24"])


def test_api_reads_the_version_in_force_on_a_date(cast: Cast) -> None:
    publish(cast, ipc=("H04L",))
    client = client_for(cast.erin)
    assert client.get(API, {"on": "2026-03-31"}).json()["ipc"] == ["A61K", "B25J"]
    assert client.get(API, {"on": "2026-04-01"}).json()["ipc"] == ["H04L"]
    assert client.get(API, {"on": "2019-01-01"}).status_code == 404


def test_api_invalid_code_is_422_naming_the_entry(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        API, {"effective_from": "2026-04-01", "ipc": ["Z99Z"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Z99Z"]
    assert shanghai_versions() == 1


def test_api_same_date_twice_is_409(cast: Cast) -> None:
    client = client_for(cast.alice)
    body = {"effective_from": "2026-04-01", "ipc": ["A61K"]}
    assert client.post(API, body, content_type="application/json").status_code == 201
    again = client.post(API, body, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


@pytest.mark.parametrize("who", ["bob", "carol", "dave", "sam"])
def test_api_publish_refused_to_others(cast: Cast, who: str) -> None:
    response = client_for(getattr(cast, who)).post(
        API, {"effective_from": "2026-04-01", "ipc": ["A61K"]}, content_type="application/json"
    )
    assert response.status_code == 404
    assert shanghai_versions() == 1


# --- the pages ------------------------------------------------------------------------------


def test_page_publishes_and_redirects_to_the_center(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        NEW_PAGE,
        {"effective_from": "2026-04-01", "ipc": "A61K 31/00\nB25J\n", "locarno": "14-02, 24"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/centers/shanghai/"
    version = FieldListVersion.objects.get(center=cast.shanghai, effective_from=APRIL)
    assert version.symbols(FieldScheme.IPC) == ["A61K 31/00", "B25J"]
    assert sorted(version.symbols(FieldScheme.LOCARNO)) == ["14-02", "24"]


def test_page_names_the_wrong_entry(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        NEW_PAGE, {"effective_from": "2026-04-01", "ipc": "A61K\nZ99Z\n", "locarno": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Some codes are not valid."
    assert [e for e in errors if "Z99Z" in e] == ["'Z99Z': IPC sections are A-H, not 'Z'"]
    alert = re.search(
        r'data-testid="form-errors">(.*?)</div>\s*\n', response.content.decode(), re.S
    )
    assert alert is not None
    assert "IPC sections are A-H" in alert.group(1)
    assert shanghai_versions() == 1


def test_page_same_date_twice_shows_the_conflict(cast: Cast) -> None:
    publish(cast)
    response = client_for(cast.alice).post(
        NEW_PAGE, {"effective_from": "2026-04-01", "ipc": "B25J", "locarno": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A version of the field list already takes effect on that date."
    ]


def test_new_version_page_is_404_for_the_examiner(cast: Cast) -> None:
    assert client_for(cast.bob).get(NEW_PAGE).status_code == 404


def test_center_page_shows_history_and_the_list_on_a_date(cast: Cast) -> None:
    publish(cast, ipc=("H04L",))
    client = client_for(cast.bob)
    page = client.get("/centers/shanghai/")
    assert page.status_code == 200
    assert [v.effective_from for v in page.context["versions"]] == [APRIL, dt.date(2020, 1, 1)]
    assert b"2026-04-01" in page.content
    assert b"2020-01-01" in page.content
    assert [s for s, _title in page.context["ipc_rows"]] == ["A61K", "B25J"]
    later = client.get("/centers/shanghai/", {"on": "2026-04-02"})
    assert [s for s, _title in later.context["ipc_rows"]] == ["H04L"]
