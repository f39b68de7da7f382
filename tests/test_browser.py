"""Meeting packs as readers see them: opened from disk in headless Chromium, offline.

Every page runs in a context that lets ``file:``, ``data:`` and ``about:`` URLs through and
aborts and records any other request: a pack is one self-contained file and must never reach
for a host. Console errors and uncaught page errors are recorded too; every test asserts
that both records are empty.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import in_ci
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    expect,
    sync_playwright,
)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_SCHEMES = ("file:", "data:", "about:")

PACKS = [(c, lang) for c in ("weekly", "monthly", "quarterly") for lang in ("ja", "en")]
# The period of the demo date (2026-11-23) as each pack's <h1> names it.
PERIOD_IN_TITLE = {
    ("weekly", "ja"): "2026年 第47週",
    ("weekly", "en"): "Week 47, 2026",
    ("monthly", "ja"): "2026年10月",
    ("monthly", "en"): "October 2026",
    ("quarterly", "ja"): "2026年度 第2四半期",
    ("quarterly", "en"): "FY2026 Q2",
}
# Families of the pack's font stack that carry Japanese glyphs (pack.css, index_page.py).
JAPANESE_FAMILIES = (
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic UI",
    "Yu Gothic",
    "Meiryo",
    "Noto Sans CJK JP",
    "Noto Sans JP",
)
SCORECARD_ROWS = 6  # lead, MQL, SQL, opportunity, won, and revenue
STATUS = re.compile(r"^[✓△✕―]\s+\S+")  # a symbol, then a word: "✓ 達成", "✕ Missed"
SCREENSHOT = Path("/tmp/reviewkit-monthly-ja.png")
MIN_BYTES = 10_000


def _pack_id(key: tuple[str, str]) -> str:
    return "-".join(key)


@dataclass
class Watched:
    """A page and what it did that a pack must never do."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.requests == [], f"requests beyond file:// (blocked): {self.requests}"
        assert self.errors == [], f"console or page errors: {self.errors}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module; missing Chromium fails in CI, else skips."""
    executable = os.environ.get("REVIEWKIT_CHROMIUM") or shutil.which("chromium")
    if not executable or not Path(executable).is_file():
        message = (
            f"no Chromium at {executable or 'PATH'}: set REVIEWKIT_CHROMIUM to its path or "
            "install it (`apt-get install chromium fonts-noto-cjk`)"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    """A fresh 1280x800 page whose requests beyond local files are aborted and recorded."""
    context: BrowserContext = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    result = Watched(page)

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            result.requests.append(url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            result.errors.append(f"console: {message.text}")

    context.route("**/*", guard)
    page.on("console", on_console)
    page.on("pageerror", lambda error: result.errors.append(f"page error: {error}"))
    yield result
    context.close()


@pytest.fixture(scope="module")
def packs(browser: Browser, request: pytest.FixtureRequest) -> dict:
    """``demo_packs``, built only once Chromium is known to be there (a skip stays quick)."""
    return request.getfixturevalue("demo_packs")


@pytest.fixture(scope="module")
def output_dir(packs: dict) -> Path:
    """The folder all demo packs were published to (it holds ``index.html``)."""
    return Path(os.path.commonpath([r.pack for r in packs.values()]))


def test_network_guard_records_and_blocks_remote_requests(watched: Watched) -> None:
    # The guard itself: without it, the "no requests" assertions below would prove nothing.
    page = watched.page
    with page.expect_console_message(lambda m: m.type == "error"):
        page.set_content('<img src="https://example.com/logo.png" alt="">')
    assert watched.requests == ["https://example.com/logo.png"]
    assert any("ERR_FAILED" in e for e in watched.errors), watched.errors


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_pack_reads_offline(watched: Watched, packs: dict, key: tuple[str, str]) -> None:
    cadence, lang = key
    result = packs[key]
    page = watched.page
    page.goto(result.pack.as_uri())

    assert page.evaluate("document.documentElement.lang") == lang
    header = page.locator("header.rk-header")
    expect(header).to_have_count(1)
    expect(header).to_be_in_viewport(ratio=1)
    expect(header).to_have_attribute("data-cadence", cadence)
    expect(header).to_have_attribute("data-period", result.period)
    expect(header).to_have_attribute("data-lang", lang)
    expect(header.locator("h1")).to_contain_text(PERIOD_IN_TITLE[key])

    rows = page.locator("table.rk-scorecard tbody tr")
    expect(rows).to_have_count(SCORECARD_ROWS)
    statuses = page.locator("table.rk-scorecard td.rk-status")
    expect(statuses).to_have_count(SCORECARD_ROWS)
    for text in statuses.all_inner_texts():
        assert STATUS.match(text.strip()), f"status cell without symbol and word: {text!r}"

    # No code, prompt or papermill residue, neither shown nor hidden in the file.
    expect(page.locator(".jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt")).to_have_count(0)
    shown = page.locator("body").inner_text()
    source = page.content()
    for leak in ("In [", "Out[", "import reviewkit", "injected-parameters"):
        assert leak not in shown, f"{leak!r} is visible in the pack"
    for leak in ("import reviewkit", "injected-parameters", "open_review("):
        assert leak not in source, f"{leak!r} is in the pack's HTML"

    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert any(name in family for name in JAPANESE_FAMILIES), family
    watched.assert_clean()


def test_japanese_renders_with_japanese_glyphs(watched: Watched, packs: dict) -> None:
    page = watched.page
    page.goto(packs[("monthly", "ja")].pack.as_uri())
    expect(page.locator("header.rk-header h1")).to_contain_text("月次レビュー")

    # Chromium reports the fonts that drew each element's glyphs; a missing Japanese font
    # would show up as a fallback family (and as tofu boxes in the screenshot).
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    for selector in ("header.rk-header h1", "h2.rk-section", "td.rk-status"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used = {f["familyName"] for f in fonts if f["glyphCount"] > 0}
        assert used, f"{selector}: no glyphs drawn"
        assert used <= set(JAPANESE_FAMILIES), f"{selector} drawn with {sorted(used)}"

    page.screenshot(path=SCREENSHOT, full_page=True)
    assert SCREENSHOT.stat().st_size > MIN_BYTES
    watched.assert_clean()


def test_index_lists_every_pack_and_links_to_it(
    watched: Watched, packs: dict, output_dir: Path
) -> None:
    page = watched.page
    page.goto((output_dir / "index.html").as_uri())

    links = page.locator('a[href$="pack.html"]')
    expect(links).to_have_count(len(PACKS))
    hrefs = links.evaluate_all("all => all.map(a => a.getAttribute('href'))")
    assert {(output_dir / h).resolve() for h in hrefs} == {r.pack.resolve() for r in packs.values()}

    page.locator('a[href^="monthly/"]').first.click()
    expect(page).to_have_url(re.compile(r"/monthly/[^/]+/(en/)?pack\.html$"))
    expect(page.locator("header.rk-header")).to_have_attribute("data-cadence", "monthly")
    watched.assert_clean()


def test_print_layout_and_pdf(watched: Watched, packs: dict, tmp_path: Path) -> None:
    page = watched.page
    page.goto(packs[("monthly", "ja")].pack.as_uri())
    sections = page.locator("h2.rk-section")
    expect(sections.first).to_be_visible()
    break_before = "all => all.map(h => getComputedStyle(h).breakBefore)"
    assert set(sections.evaluate_all(break_before)) == {"auto"}  # on screen: no page breaks

    page.emulate_media(media="print")
    # the first section follows the header on page 1; every later one starts a page
    assert sections.evaluate_all(break_before) == ["auto"] + ["page"] * (sections.count() - 1)

    pdf = tmp_path / "pack.pdf"
    page.pdf(path=pdf, print_background=True, prefer_css_page_size=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > MIN_BYTES
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box, "the PDF names no page size"
    size = tuple(round(float(v)) for v in box.groups())
    assert size == (842, 595), f"{size} pt is not A4 landscape (pack.css @page)"
    watched.assert_clean()
