"""The second factor for staff: with IPCENTER_STAFF_TOTP=required nothing opens before the code."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipcenter.audit.models import AuditEvent
from tests.conftest import Cast, client_for


def current_code(device: TOTPDevice, drift: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:0{device.digits}d}"


def a_wrong_code(device: TOTPDevice) -> str:
    accepted = {current_code(device, drift) for drift in (-1, 0, 1)}  # the device's tolerance
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def confirmed_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def totp_required(settings: Any) -> None:
    settings.IPCENTER_STAFF_TOTP = "required"


def test_staff_without_device_is_sent_to_setup(cast: Cast, totp_required: None) -> None:
    client = client_for(cast.bob)
    response = client.get("/centers/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/totp/verify/?next=/centers/"
    setup = client.get(response["Location"])
    assert setup.status_code == 302
    assert setup["Location"] == "/accounts/totp/setup/?next=/centers/"
    page = client.get(setup["Location"])
    assert page.status_code == 200
    assert b'data-testid="totp-secret"' in page.content


def test_staff_with_device_is_asked_for_the_code(cast: Cast, totp_required: None) -> None:
    confirmed_device(cast.bob)
    client = client_for(cast.bob)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/totp/verify/?next=/"
    assert client.get(response["Location"]).status_code == 200


def test_staff_api_call_without_second_factor_is_403_json(cast: Cast, totp_required: None) -> None:
    response = client_for(cast.bob).get("/api/v1/accounts/me")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "TOTP" in response.json()["detail"]


def test_correct_code_opens_the_home_page(cast: Cast, totp_required: None) -> None:
    device = confirmed_device(cast.bob)
    client = client_for(cast.bob)
    response = client.post("/accounts/totp/verify/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/accounts/me").json()["username"] == "bob"


def test_wrong_code_keeps_the_door_shut(cast: Cast, totp_required: None) -> None:
    device = confirmed_device(cast.bob)
    wrong = a_wrong_code(device)
    client = client_for(cast.bob)
    response = client.post("/accounts/totp/verify/", {"token": wrong, "next": "/"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert client.get("/").status_code == 302


def test_enrolment_confirms_the_device_and_signs_in(cast: Cast, totp_required: None) -> None:
    client = client_for(cast.bob)
    client.get("/accounts/totp/setup/?next=/")
    device = TOTPDevice.objects.get(user=cast.bob, confirmed=False)
    response = client.post("/accounts/totp/setup/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.filter(tag="accounts:totp:enrolled").count() == 1
    assert client.get("/").status_code == 200


def test_non_staff_is_not_asked(cast: Cast, totp_required: None) -> None:
    client = client_for(cast.dave)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200


@pytest.mark.parametrize("mode", ["optional", "off"])
def test_optional_and_off_do_not_force_staff(cast: Cast, settings: Any, mode: str) -> None:
    settings.IPCENTER_STAFF_TOTP = mode
    confirmed_device(cast.bob)
    client = client_for(cast.bob)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200
