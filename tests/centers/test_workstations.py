"""The workstation directory: filter by center and text, page through it."""

from __future__ import annotations

import pytest

from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind
from ipcenter.centers.models import Center, Workstation
from tests.conftest import Cast, client_for

PAGE = "/centers/workstations/"
API = "/api/v1/workstations"


def add_workstations(center: Center, count: int, focus: str) -> None:
    for n in range(count):
        org = Organization.objects.create(
            kind=OrgKind.WORKSTATION, name=f"{center.code}-ws-{n:02d}", center=center
        )
        Workstation.objects.create(center=center, organization=org, host="园区", focus=focus)


@pytest.fixture
def stations(cast: Cast) -> Cast:
    add_workstations(cast.shanghai, 29, "生物医药")  # 30 in Shanghai with the cast's own
    add_workstations(cast.pudong, 4, "跨境电商")
    return cast


def test_page_lists_everything_in_pages_of_25(stations: Cast) -> None:
    client = client_for(stations.erin)
    first = client.get(PAGE)
    assert first.status_code == 200
    page = first.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page)) == (34, 2, 25)
    second = client.get(PAGE, {"page": 2})
    assert len(second.context["page"]) == 9


def test_page_filters_by_center_and_keeps_filter_in_links(stations: Cast) -> None:
    response = client_for(stations.erin).get(PAGE, {"center": "pudong"})
    names = [w.organization.name for w in response.context["page"]]
    assert names == [f"pudong-ws-{n:02d}" for n in range(4)]
    assert response.context["querystring"] == "center=pudong"


def test_page_filters_by_text(stations: Cast) -> None:
    response = client_for(stations.erin).get(PAGE, {"q": "跨境"})
    assert response.context["page"].paginator.count == 4
    response = client_for(stations.erin).get(PAGE, {"q": "协会"})
    assert [w.organization.name for w in response.context["page"]] == ["工作站"]


def test_page_out_of_range_gives_last_page(stations: Cast) -> None:
    response = client_for(stations.erin).get(PAGE, {"center": "shanghai", "page": 999})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert len(response.context["page"]) == 5


def test_page_needs_sign_in(stations: Cast) -> None:
    from django.test import Client

    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_api_filters_and_pages(stations: Cast) -> None:
    client = client_for(stations.dave)
    everything = client.get(API, {"limit": 200}).json()
    assert len(everything) == 34
    pudong = client.get(API, {"center": "pudong"}).json()
    assert [w["name"] for w in pudong] == [f"pudong-ws-{n:02d}" for n in range(4)]
    assert {w["center"] for w in pudong} == {"pudong"}
    window = client.get(API, {"center": "shanghai", "offset": 10, "limit": 5}).json()
    assert [w["name"] for w in window] == [f"shanghai-ws-{n:02d}" for n in range(10, 15)]
    found = client.get(API, {"q": "跨境"}).json()
    assert len(found) == 4


def test_api_limit_is_capped_and_offset_beyond_end_is_empty(stations: Cast) -> None:
    client = client_for(stations.dave)
    assert len(client.get(API, {"limit": 0}).json()) == 1
    assert client.get(API, {"offset": 500}).json() == []


def test_api_needs_authentication(stations: Cast) -> None:
    from django.test import Client

    assert Client().get(API).status_code == 401
