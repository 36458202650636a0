"""The home page, the language switch, center settings and the login form in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from ipcenter.accounts.models import User
from ipcenter.accounts.roles import Role
from ipcenter.centers.models import CenterSettingsVersion
from tests.browser.conftest import CJK, Console
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(password)
    page.get_by_test_id("login-submit").click()


def log_out(page: Any) -> None:
    # The sign-out button sits in the user menu, a Bootstrap dropdown: this needs the JS to run.
    page.get_by_test_id("user-menu").click()
    page.locator("form[action='/accounts/logout/'] button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


def expect_lang(page: Any, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize(
    ("who", "role", "org_zh", "org_en"),
    [
        ("bob", Role.PRE_EXAMINER, "中国（上海）知识产权保护中心", "Shanghai Center"),
        ("dave", Role.ENTERPRISE_ADMIN, "甲公司", "A Co"),
    ],
    ids=["pre-examiner-bob", "enterprise-admin-dave"],
)
def test_home_in_chinese_then_english_and_the_choice_is_remembered(
    open_page: OpenPage,
    cast: Cast,
    browser_console: Console,
    screenshot_dir: Path,
    who: str,
    role: str,
    org_zh: str,
    org_en: str,
) -> None:
    assert User.objects.get(username=who).language == "zh-hans"
    page = open_page(locale="zh-CN")

    log_in(page, who)
    expect(page).to_have_url(re.compile(r"/$"))
    expect_lang(page, "zh-CN")
    expect(page.get_by_test_id("home-title")).to_be_visible()
    roles = page.get_by_test_id("role")
    expect(roles).to_have_count(1)
    expect(roles).to_contain_text(org_zh)
    expect(roles).to_contain_text(role_label(role, "zh-hans"))
    expect(page.get_by_test_id("language-switch").locator("button")).to_have_text("English")
    body = page.locator("body").inner_text()
    assert CJK.search(body), "no Chinese characters in the page body"
    assert org_zh in body
    page.screenshot(path=str(screenshot_dir / f"home-{who}-zh.png"), full_page=True)

    # Switch with the header button: the page comes back in English.
    page.get_by_test_id("language-switch").locator("button").click()
    expect_lang(page, "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("home-title")).to_be_visible()
    expect(roles).to_contain_text(org_en)
    expect(roles).to_contain_text(role_label(role, "en"))
    expect(page.get_by_test_id("language-switch").locator("button")).to_have_text("中文")
    page.screenshot(path=str(screenshot_dir / f"home-{who}-en.png"), full_page=True)
    assert User.objects.get(username=who).language == "en", "the choice was not saved"

    # It survives a reload, and signing out and in again.
    page.reload()
    expect_lang(page, "en")
    log_out(page)
    log_in(page, who)
    expect(page).to_have_url(re.compile(r"/$"))
    expect_lang(page, "en")
    expect(page.get_by_test_id("home-title")).to_be_visible()

    # A fresh device (no language cookie, a Chinese browser): the login page is Chinese, and
    # after signing in the profile's language wins.
    other = open_page(locale="zh-CN")
    other.goto("/accounts/login/")
    expect_lang(other, "zh-CN")
    log_in(other, who)
    expect(other).to_have_url(re.compile(r"/$"))
    expect_lang(other, "en")
    expect(other.get_by_test_id("role")).to_contain_text(org_en)

    browser_console.assert_no_csp_violations()
    assert not browser_console.errors, "console errors:\n" + "\n".join(browser_console.errors)


def test_center_manager_changes_a_setting_and_finds_it_in_the_audit_log(
    open_page: OpenPage, cast: Cast, browser_console: Console, screenshot_dir: Path
) -> None:
    page = open_page(locale="en-US")
    log_in(page, "alice")
    expect(page).to_have_url(re.compile(r"/$"))
    expect_lang(page, "en")

    page.goto("/centers/shanghai/settings/")
    form = page.get_by_test_id("settings-form")
    expect(form).to_be_visible()
    days = page.locator("#id_preexam_decision_days")
    expect(days).to_have_value("7")

    # No reason: the form comes back with the error under the field, nothing is saved.
    days.fill("9")
    page.locator("#id_reason").fill("")
    page.get_by_test_id("settings-save").click()
    errors = page.get_by_test_id("field-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "settings-alice-error.png"), full_page=True)
    assert not CenterSettingsVersion.objects.filter(center=cast.shanghai).exists()

    # A value out of its limits (1 to 60 working days) is refused the same way.
    page.locator("#id_preexam_decision_days").fill("999")
    page.locator("#id_reason").fill("Browser test")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("field-error")).to_have_count(1)
    expect(page.get_by_test_id("field-error")).to_contain_text("60")
    assert not CenterSettingsVersion.objects.filter(center=cast.shanghai).exists()

    # A valid change with a reason is saved.
    page.locator("#id_preexam_decision_days").fill("9")
    page.locator("#id_reason").fill("Browser test: more time for the queue")
    page.get_by_test_id("settings-save").click()
    expect(page).to_have_url(re.compile(r"/centers/shanghai/settings/$"))
    success = page.locator(".alert-success[role='alert']")
    expect(success).to_contain_text("The settings were saved.")
    expect(page.locator("#id_preexam_decision_days")).to_have_value("9")
    expect(page.locator("main")).to_contain_text("Browser test: more time for the queue")
    expect(page.get_by_test_id("field-error")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "settings-alice-saved.png"), full_page=True)
    version = CenterSettingsVersion.objects.get(center=cast.shanghai)
    assert version.values["preexam_decision_days"] == 9

    page.goto("/audit/")
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("centers:settings:changed")
    row = table.locator("tbody tr", has_text="centers:settings:changed")
    expect(row).to_contain_text("alice", ignore_case=True)
    page.screenshot(path=str(screenshot_dir / "audit-alice.png"), full_page=True)

    browser_console.assert_no_csp_violations()


def test_wrong_password_shows_the_form_error(
    open_page: OpenPage, cast: Cast, browser_console: Console, screenshot_dir: Path
) -> None:
    page = open_page(locale="zh-CN")
    log_in(page, "bob", password="not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect_lang(page, "zh-CN")
    errors = page.get_by_test_id("form-errors")
    expect(errors).to_be_visible()
    expect(errors).not_to_be_empty()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    expect(page.get_by_test_id("home-title")).to_have_count(0)
    # The user name is kept, the password is not.
    expect(page.locator("input[name='username']")).to_have_value("bob")
    expect(page.locator("input[name='password']")).to_have_value("")
    page.screenshot(path=str(screenshot_dir / "login-wrong-password.png"), full_page=True)
    browser_console.assert_no_csp_violations()
