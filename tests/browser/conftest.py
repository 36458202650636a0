"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

The fixtures here are named `chromium_*` / `open_page` on purpose: pytest-playwright's own
`browser`, `context` and `page` fixtures would launch Playwright's downloaded browsers, which a
fresh machine does not have (and `playwright install` is never run). We launch /usr/bin/chromium
(installed by `make browser-deps`) ourselves, once per session, with a fresh temporary profile.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the fixtures and
# by assertions in the tests) refuses to run "in an async context" unless told it is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-output" / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Console:
    """What the pages of one test wrote to the console, and the uncaught errors they raised."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.errors + self.warnings if "content security policy" in m.lower()]

    def assert_no_csp_violations(self) -> None:
        violations = self.csp_violations()
        assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def chromium_profile_dir() -> Iterator[Path]:
    """A fresh, empty directory for this session's browser profile; removed at the end."""
    path = Path(tempfile.mkdtemp(prefix="ipcenter-chromium-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium_browser(chromium_profile_dir: Path) -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail("chromium missing: run `make browser-deps`", pytrace=False)
    from playwright.sync_api import sync_playwright

    # Playwright's driver puts the browser's user-data dir under its TMPDIR: point that at the
    # fresh directory of this session (the driver reads the variable when it starts).
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "TMP", "TEMP")}
    for key in saved:
        os.environ[key] = str(chromium_profile_dir)
    try:
        playwright = sync_playwright().start()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture
def browser_console() -> Console:
    return Console()


@pytest.fixture
def open_page(
    chromium_browser: Any, live_server: Any, transactional_db: Any, browser_console: Console
) -> Iterator[Callable[..., Any]]:
    """open_page(locale="zh-CN") -> a page in a new browser context (a fresh "device").

    Every page reports its console errors and warnings, and its uncaught exceptions, into
    `browser_console`.
    """
    contexts: list[Any] = []

    def _open(locale: str = "zh-CN") -> Any:
        context = chromium_browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": 1280, "height": 860},
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()

        def on_console(message: Any) -> None:
            text = f"[{message.type}] {page.url}: {message.text}"
            if message.type == "error":
                browser_console.errors.append(text)
            elif message.type == "warning":
                browser_console.warnings.append(text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: browser_console.errors.append(f"[pageerror] {exc}"))
        return page

    yield _open
    for context in contexts:
        context.close()
