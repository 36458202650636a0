"""Patent navigation in the browser: Nora imports real data and searches it.

Nora (navigation analyst, Chinese UI) uploads 40 real Chinese A01B applications (and one record
cut off in the middle, which is rejected) and watches the import page poll its progress until it
succeeds; in English she uploads 30 real US grants. She then searches in Chinese, in English,
across the languages by meaning, with fields and filters, pages through a long result list,
makes a typo in the query syntax, reads a document, and walks the IPC from section A down to
A01B with the scheme's Chinese titles.

The worker is a thread that runs the import service once the test has seen the job queued, so
the page's htmx polling is what shows the job finishing.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import translation
from playwright.sync_api import expect

from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, PatentDocument
from ipcenter.navigation.selectors import SYNTAX_MESSAGES
from ipcenter.patents.ipc import load_scheme
from tests.browser.conftest import CJK, Console
from tests.browser.test_home_pages import expect_lang, log_in
from tests.conftest import Cast

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]

CN_FILE, US_FILE = "cn_patents_a01.jsonl", "us_patents_ipc.jsonl"
CN_LINES, US_LINES = 40, 30  # every one of the 40 Chinese applications is in A01B
NO_TILLAGE = "CNAPP85105156"  # 利用苕子根茬免耕种植法: no-till planting in vetch root stubble
MAGNETIC = {"US10917092", "US10884092", "US10852161"}  # "magnetic" in the title


@dataclass
class Worker:
    """Runs queued imports in a thread, as the job worker would, once `gate` is open."""

    gate: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def enqueue(self, job_id: int) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,), daemon=True)
        self.threads.append(thread)
        thread.start()

    def _run(self, job_id: int) -> None:
        try:
            if self.gate.wait(timeout=60):
                services.corpus_import_run(job_id=job_id)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)
        finally:
            connection.close()

    def join(self) -> None:
        self.gate.set()
        for thread in self.threads:
            thread.join(timeout=60)


@pytest.fixture
def worker(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    from ipcenter.navigation import tasks

    running = Worker()
    monkeypatch.setattr(tasks, "corpus_import_task", running.enqueue)
    yield running
    running.join()


def slice_lines(source: Path, target: Path, count: int) -> Path:
    with source.open(encoding="utf-8") as lines:
        target.write_text("".join(itertools.islice(lines, count)), encoding="utf-8")
    return target


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)

    def __call__(self, page: Any, name: str) -> None:
        path = self.folder / f"navigation-{next(self.numbers):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


def switch_language(page: Any, lang: str) -> None:
    page.get_by_test_id("language-switch").locator("button").click()
    expect_lang(page, lang)


def search(page: Any, q: str, mode: str) -> None:
    """Type a query into the search form and send it."""
    form = page.get_by_test_id("search-form")
    form.locator("#id_q").fill(q)
    form.locator("#id_mode").select_option(mode)
    with page.expect_navigation():
        form.get_by_test_id("search-submit").click()
    expect(page.locator("#id_q")).to_have_value(q)


def result_keys(page: Any) -> list[str]:
    return [r.get_attribute("data-key") for r in page.get_by_test_id("result").all()]


def reason(code: str, language: str) -> str:
    with translation.override(language):
        return str(SYNTAX_MESSAGES[code])


def test_an_analyst_imports_real_patents_and_searches_them_in_both_languages(
    open_page: OpenPage,
    cast: Cast,
    worker: Worker,
    browser_console: Console,
    screenshot_dir: Path,
    shared_data: Path,
    tmp_path: Path,
) -> None:
    shot = Shots(screenshot_dir)
    # 40 real Chinese applications and the 41st cut in the middle of its JSON: a broken record.
    cn = slice_lines(shared_data / CN_FILE, tmp_path / "cn-a01b.jsonl", CN_LINES)
    with (shared_data / CN_FILE).open(encoding="utf-8") as lines:
        broken = next(itertools.islice(lines, CN_LINES, None))
    cn.write_text(cn.read_text(encoding="utf-8") + broken[: len(broken) // 2] + "\n", "utf-8")
    us = slice_lines(shared_data / US_FILE, tmp_path / "us-grants.jsonl", US_LINES)

    # 1. Nora signs in (her profile says Chinese) and uploads the Chinese file.
    page = open_page(locale="zh-CN")
    log_in(page, "nora")
    expect_lang(page, "zh-CN")
    page.goto("/navigation/imports/")
    expect(page.get_by_test_id("import-row")).to_have_count(0)
    page.get_by_test_id("import-form").locator("input[type='file']").set_input_files(str(cn))
    shot(page, "imports-zh")
    page.get_by_test_id("import-submit").click()
    expect(page).to_have_url(re.compile(r"/navigation/imports/\d+/$"))
    job = ImportJob.objects.get()
    state = page.get_by_test_id("import-state")
    expect(state).to_have_attribute("data-state", "queued")
    shot(page, "import-queued")

    # 2. The worker takes the job; the page polls until the job has succeeded.
    polls: list[str] = []
    page.on("response", lambda r: polls.append(r.url) if "progress=1" in r.url else None)
    worker.gate.set()
    expect(state).to_have_attribute("data-state", "succeeded", timeout=45_000)
    assert polls, "the import page never polled its progress"
    assert not worker.errors, worker.errors
    job.refresh_from_db()
    assert (job.read, job.created, job.rejected) == (CN_LINES + 1, CN_LINES, 1)
    expect(page.get_by_test_id("count-read")).to_contain_text(str(CN_LINES + 1))
    expect(page.get_by_test_id("count-created")).to_have_text(str(CN_LINES))
    expect(page.get_by_test_id("count-updated")).to_have_text("0")
    expect(page.get_by_test_id("count-rejected")).to_have_text("1")
    rejection = page.get_by_test_id("rejection")
    expect(rejection).to_have_count(1)
    expect(rejection.get_by_test_id("rejection-record")).to_have_text(str(CN_LINES + 1))
    expect(rejection).to_contain_text(f"line {CN_LINES + 1}")
    shot(page, "import-succeeded-zh")

    # 3. In English, she uploads the US grants too; none is rejected.
    switch_language(page, "en")
    page.goto("/navigation/imports/")
    page.get_by_test_id("import-form").locator("input[type='file']").set_input_files(str(us))
    page.get_by_test_id("import-submit").click()
    expect(page).to_have_url(re.compile(r"/navigation/imports/\d+/$"))
    expect(page.get_by_test_id("import-state")).to_have_attribute(
        "data-state", "succeeded", timeout=45_000
    )
    expect(page.get_by_test_id("count-created")).to_have_text(str(US_LINES))
    expect(page.get_by_test_id("count-rejected")).to_have_text("0")
    assert not worker.errors, worker.errors
    page.goto("/navigation/imports/")
    expect(page.get_by_test_id("import-row")).to_have_count(2)
    expect(page.get_by_test_id("corpus-size")).to_contain_text(str(CN_LINES + US_LINES))
    shot(page, "imports-en")
    assert PatentDocument.objects.filter(indexed_at__isnull=True).count() == 0

    # 4. English keywords find the English grants, the words marked in their passages.
    page.goto("/navigation/")
    search(page, "magnetic field sensor", "bm25")
    assert set(result_keys(page)[:3]) == MAGNETIC
    first = page.get_by_test_id("result").first
    magnetic = re.compile("^(magnetic|field|sensor)$", re.IGNORECASE)
    expect(first.get_by_test_id("result-title").locator("mark").first).to_have_text(magnetic)
    expect(first.get_by_test_id("passage").locator("mark").first).to_have_text(magnetic)
    assert first.locator("mark").first.evaluate("m => getComputedStyle(m).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    ), "the marks are not visible"
    expect(first.get_by_test_id("retrievers")).to_contain_text("BM25 #1")
    shot(page, "search-en-bm25")

    # 5. Chinese keywords find the Chinese application, with 免耕 marked.
    search(page, "免耕", "bm25")
    keys = result_keys(page)
    assert keys and all(k.startswith("CN") for k in keys), keys
    assert NO_TILLAGE in keys
    no_tillage = page.locator(f"[data-testid='result'][data-key='{NO_TILLAGE}']")
    expect(no_tillage.get_by_test_id("result-title").locator("mark")).to_have_text("免耕")
    expect(no_tillage.get_by_test_id("passage").locator("mark").first).to_have_text("免耕")
    expect(no_tillage).to_contain_text("Chinese")  # the document's language, named
    shot(page, "search-zh-bm25")

    # 6. An English query finds the Chinese application by meaning, in both dense and hybrid.
    search(page, "no-tillage planting with vetch root stubble", "dense")
    assert NO_TILLAGE in result_keys(page)[:5], result_keys(page)[:5]
    chinese = page.locator(f"[data-testid='result'][data-key='{NO_TILLAGE}']")
    expect(chinese.get_by_test_id("sentence").first).to_contain_text(CJK)
    expect(chinese.get_by_test_id("retrievers")).to_contain_text("semantic #")
    shot(page, "search-cross-language-dense")
    search(page, "no-tillage planting with vetch root stubble", "hybrid")
    assert NO_TILLAGE in result_keys(page)[:5], result_keys(page)[:5]

    # 7. Fields: the word in titles only, then an IPC prefix that keeps only A01B.
    search(page, "title:magnetic", "bm25")
    assert set(result_keys(page)) == MAGNETIC
    search(page, "machine ipc:A01B", "hybrid")
    keys = result_keys(page)
    assert keys and all(k.startswith("CN") for k in keys), keys
    for symbols in page.get_by_test_id("result").locator("code.symbol").all_inner_texts():
        assert symbols.startswith("A01B"), symbols
    shot(page, "search-fielded-ipc")

    # 8. A long result list is paged.
    search(page, "method", "hybrid")
    expect(page.get_by_test_id("result")).to_have_count(20)
    pages = page.locator(".pagination")
    expect(pages).to_contain_text(re.compile(r"Page 1 of [2-9]"))
    shot(page, "search-page-1")
    with page.expect_navigation():
        pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(pages).to_contain_text(re.compile(r"Page 2 of [2-9]"))
    expect(page.get_by_test_id("result").first).to_contain_text("21.")
    expect(page.locator("#id_q")).to_have_value("method")

    # 9. A quotation mark never closed: the reason in the reader's language, not an error page.
    search(page, '"magnetic field', "hybrid")
    error = page.get_by_test_id("query-error")
    expect(error).to_contain_text(reason("unclosed_quote", "en"))
    expect(page.get_by_test_id("results")).to_have_count(0)
    shot(page, "search-syntax-error-en")

    # 10. The document page of the Chinese application.
    search(page, "免耕", "bm25")
    page.locator(f"[data-testid='result'][data-key='{NO_TILLAGE}'] a").first.click()
    expect(page).to_have_url(re.compile(rf"/navigation/documents/{NO_TILLAGE}/$"))
    expect(page.get_by_test_id("document-title")).to_have_text("利用苕子根茬免耕种植法")
    expect(page.get_by_test_id("document-abstract")).to_contain_text("苕子")
    expect(page.get_by_test_id("document-ipc")).to_contain_text("A01B")
    # The scheme's cross-references read as symbols, not as the scheme's keys.
    expect(page.get_by_test_id("document-ipc")).to_contain_text("A01C 5/00")
    expect(page.get_by_test_id("document-ipc")).not_to_contain_text("A01C0005000000")
    shot(page, "document-en")

    # 11. Back in Chinese: the same syntax error, then the IPC from section A down to A01B.
    switch_language(page, "zh-CN")
    page.goto("/navigation/?q=%22magnetic+field&mode=bm25")
    expect(page.get_by_test_id("query-error")).to_contain_text(reason("unclosed_quote", "zh-hans"))
    scheme = load_scheme()
    page.goto("/navigation/ipc/")
    in_a, in_a01 = (
        PatentDocument.objects.filter(main_ipc__startswith=prefix).count()
        for prefix in ("A", "A01")
    )
    section = page.locator("[data-testid='ipc-child'][data-code='A']")
    expect(section).to_contain_text(scheme.title("A", "zh") or "")
    expect(section.locator("td").last).to_have_text(str(in_a))
    shot(page, "ipc-sections-zh")
    section.locator("a").first.click()
    expect(page.get_by_test_id("ipc-code")).to_have_text("A")
    klass = page.locator("[data-testid='ipc-child'][data-code='A01']")
    expect(klass).to_contain_text(scheme.title("A01", "zh") or "")
    expect(klass.locator("td").last).to_have_text(str(in_a01))
    klass.locator("a").first.click()
    expect(page.get_by_test_id("ipc-code")).to_have_text("A01")
    subclass = page.locator("[data-testid='ipc-child'][data-code='A01B']")
    expect(subclass).to_contain_text("整地")
    expect(subclass.locator("td").last).to_have_text(str(CN_LINES))
    shot(page, "ipc-class-zh")
    subclass.locator("a").first.click()
    expect(page.get_by_test_id("ipc-code")).to_have_text("A01B")
    expect(page.get_by_test_id("ipc-title")).to_contain_text("整地")
    expect(page.get_by_test_id("ipc-path")).to_contain_text("A01")
    expect(page.get_by_test_id("ipc-count")).to_contain_text(str(CN_LINES))
    expect(page.get_by_test_id("ipc-title-en")).to_contain_text("A01C 5/00")
    shot(page, "ipc-subclass-zh")
    page.get_by_test_id("ipc-search").click()
    # The class's documents are listed (a search with the filter and no words).
    expect(page).to_have_url(re.compile(r"/navigation/\?ipc=A01B"))
    expect(page.get_by_test_id("search-form").locator("#id_ipc")).to_have_value("A01B")
    expect(page.get_by_test_id("result")).to_have_count(20)
    expect(page.get_by_test_id("result-count")).to_contain_text(str(CN_LINES))
    assert all(k.startswith("CN") for k in result_keys(page))
    expect(page.get_by_test_id("retrievers")).to_have_count(0)  # listed, not ranked
    shot(page, "search-ipc-class-zh")

    browser_console.assert_no_csp_violations()
    assert not browser_console.errors, "console errors:\n" + "\n".join(browser_console.errors)
