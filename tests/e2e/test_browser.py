"""Meeting packs as readers see them: opened from disk in headless Chromium, offline.

Every page runs in a context that lets ``file:``, ``data:`` and ``about:`` URLs through and
aborts and records any other request: a pack is one self-contained file and must never reach
for a host. Console errors and uncaught page errors are recorded too; every test asserts
that both records are empty.

Screenshots of each pack's first screen go to ``test-artifacts/`` at the repository root.
The accessibility check runs axe-core from disk (``make test`` installs it with npm into
``.venv/npm``; ``REVIEWKIT_AXE`` names another ``axe.min.js``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from builders import ARTIFACTS, MIN_CHARTS, REPO, in_ci
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Route,
    expect,
)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}
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
STATUS = re.compile(r"^[✓△✕―…]\s+\S+")  # a symbol, then a word: "✓ 達成", "✕ Missed"
SCREENSHOT = ARTIFACTS / "monthly-ja-full.png"
MIN_BYTES = 10_000
# The pack's sections in order (agenda.py), each an h2.rk-section[id] the TOC links to.
SECTIONS = ["summary", "kpi_status", "deviations", "decisions", "actions", "glossary"]
# The scorecard: the weekly pack's is the pace table (month first), the others' the period's.
SCORECARD = {"weekly": "table.rk-pace", "monthly": "table.rk-scorecard",
             "quarterly": "table.rk-scorecard"}  # fmt: skip


def charts_in(pack: Path) -> int:
    """How many charts the pack's HTML embeds (each has its spec in a JSON script)."""
    return len(re.findall(r'<script[^>]*id="rk-spec-\d+"', pack.read_text(encoding="utf-8")))


# Data marks of a Vega SVG: lines, points and bars are all drawn as <path> (rect: <rect>).
DATA_MARKS = "g.role-mark path, g.role-mark rect"
UNFINISHED_CHARTS = ".rk-chart[data-spec]:not([data-rendered='true']):not([data-error])"
A4_LANDSCAPE = (842, 595)  # pt
PRINTABLE_WIDTH = "273mm"  # A4 landscape, 297 mm, less pack.css's 12 mm @page margins
AXE = REPO / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = ("serious", "critical")


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
        # DevTools' own CSS domain (CSS.enable, used to ask which fonts drew the glyphs) makes
        # some Chromium builds re-read the page itself under file:// and log this, even for an
        # empty page: the harness's message, not the pack's
        own = f"Unsafe attempt to load URL {page.url} from frame with URL {page.url}."
        if message.type == "error" and not message.text.startswith(own):
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


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's ``axe.min.js``; missing, it fails in CI and skips elsewhere."""
    path = Path(os.environ.get("REVIEWKIT_AXE") or AXE)
    if not path.is_file():
        message = (
            f"no axe-core at {path}: run `make test` (it installs axe-core with npm into "
            ".venv/npm) or set REVIEWKIT_AXE to an axe.min.js"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def open_pack(watched: Watched, pack: Path) -> Page:
    """Open ``pack`` and wait until the chart runtime has drawn, or failed, every chart."""
    page = watched.page
    page.goto(pack.as_uri())
    expect(page.locator(".rk-chart")).to_have_count(charts_in(pack))
    # embed.js marks each chart data-rendered="true" or data-error; neither means it hangs.
    expect(page.locator(UNFINISHED_CHARTS)).to_have_count(0)
    return page


def in_viewport(element: Locator) -> bool:
    """Whether any part of ``element`` is inside the viewport now (no waiting)."""
    return element.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; }"
    )


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

    table = page.locator(SCORECARD[cadence]).first
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(SCORECARD_ROWS)
    statuses = table.locator("td.rk-status")
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

    ARTIFACTS.mkdir(exist_ok=True)
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


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_print_layout_and_pdf(
    watched: Watched, packs: dict, key: tuple[str, str], tmp_path: Path
) -> None:
    page = open_pack(watched, packs[key].pack)
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
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "the PDF names no page size"
    sizes = {tuple(round(float(v)) for v in box) for box in boxes}
    assert sizes == {A4_LANDSCAPE}, f"{sizes} pt is not A4 landscape (pack.css @page)"

    # Chromium writes one uncompressed /Type /Page object per page; the page tree's root
    # /Count must agree, or the regex is not counting pages.
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    assert counts and max(counts) == pages, f"{pages} /Page objects, page tree {counts}"
    # page 1 holds the header and the first section; each later section starts a page
    assert pages >= sections.count(), f"{pages} pages for {sections.count()} sections"
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_printed_charts_fit_the_page(watched: Watched, packs: dict, key: tuple[str, str]) -> None:
    # Charts are laid out once, at the screen's width; printing lays the page out again at
    # the paper's width without running the chart runtime. Narrowing <main> to the printable
    # width fires no resize event either, so this is what the paper gets.
    page = open_pack(watched, packs[key].pack)
    page.emulate_media(media="print")
    page.add_style_tag(content=f"main {{ width: {PRINTABLE_WIDTH}; box-sizing: border-box; }}")
    widths = page.locator(".rk-chart").evaluate_all(
        "all => all.map(c => [c.dataset.spec, c.getBoundingClientRect().width,"
        " c.querySelector('svg').getBoundingClientRect().width])"
    )
    too_wide = [(spec, round(svg), round(box)) for spec, box, svg in widths if svg > box + 1]
    assert not too_wide, f"charts wider than the paper, cut off on the right: {too_wide}"
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_charts_render_offline(watched: Watched, packs: dict, key: tuple[str, str]) -> None:
    page = open_pack(watched, packs[key].pack)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{_pack_id(key)}.png"
    page.screenshot(path=shot)  # the first screen, 1280x800, kept whatever follows
    assert shot.stat().st_size > MIN_BYTES

    charts = page.locator(".rk-chart")
    errors = charts.evaluate_all(
        "all => all.filter(c => c.hasAttribute('data-error'))"
        ".map(c => `${c.dataset.spec}: ${c.dataset.error}`)"
    )
    assert errors == [], f"charts failed to draw: {errors}"
    count = charts_in(packs[key].pack)
    assert count >= MIN_CHARTS[key[0]]
    expect(page.locator(".rk-chart[data-rendered='true']")).to_have_count(count)
    for i in range(count):
        chart = charts.nth(i)
        spec = chart.get_attribute("data-spec")
        expect(page.locator(f"script[type='application/json']#{spec}")).to_have_count(1)
        expect(chart.locator("svg")).to_have_count(1)
        marks = chart.locator("svg").locator(DATA_MARKS).count()
        assert marks > 0, f"chart {spec} drew an SVG without data marks"
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_charts_are_named_by_their_description(
    watched: Watched, packs: dict, key: tuple[str, str]
) -> None:
    # A screen reader announces the chart by its description (PackChart), not the runtime's
    # generic default ("Vega visualization"), once the chart is drawn.
    page = open_pack(watched, packs[key].pack)
    figures = page.locator("figure.rk-figure:has(.rk-chart)")
    count = charts_in(packs[key].pack)
    expect(figures).to_have_count(count)
    for i in range(count):
        figure = figures.nth(i)
        description = figure.locator("figcaption").inner_text().strip()
        assert description
        expect(figure.locator(".rk-chart")).to_have_accessible_name(description)
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_toc_links_land_on_their_sections(
    watched: Watched, packs: dict, key: tuple[str, str]
) -> None:
    page = open_pack(watched, packs[key].pack)
    links = page.locator("nav.rk-toc a[href^='#']")
    hrefs = links.evaluate_all("all => all.map(a => a.getAttribute('href'))")
    assert hrefs == [f"#{s}" for s in SECTIONS]
    ids = page.locator("h2.rk-section[id]").evaluate_all("all => all.map(h => h.id)")
    assert ids == SECTIONS

    below_the_fold = []
    for section in SECTIONS:
        page.evaluate("window.scrollTo(0, 0)")
        heading = page.locator(f"[id='{section}']")
        expect(heading).to_have_count(1)
        expect(heading).to_have_js_property("tagName", "H2")
        if not in_viewport(heading):
            below_the_fold.append(section)
        page.locator(f"nav.rk-toc a[href='#{section}']").click()
        expect(page).to_have_url(re.compile(f"#{section}$"))
        expect(heading).to_be_in_viewport()
    # otherwise the clicks above proved nothing about scrolling
    assert below_the_fold, "every section heading is on the first screen"
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_trend_dropdown_redraws_the_chart(
    watched: Watched, packs: dict, key: tuple[str, str]
) -> None:
    page = open_pack(watched, packs[key].pack)
    with_dropdown = page.locator(".rk-chart:has(select)")
    # the trend, and in the monthly pack the gap's waterfall (one option per comparison)
    expect(with_dropdown).to_have_count(2 if key[0] == "monthly" else 1)
    if key[0] == "monthly":
        waterfall = with_dropdown.nth(1).locator("select option")
        expect(waterfall).to_have_count(3)  # target, previous month, same month last year
    trend = with_dropdown.first
    select = trend.locator("select")
    options = select.locator("option").evaluate_all("all => all.map(o => o.value)")
    assert len(options) == SCORECARD_ROWS, options  # one per scorecard metric
    chosen = select.input_value()
    assert chosen == options[0]

    svg = trend.locator("svg")
    drawn = {chosen: svg.evaluate("s => s.outerHTML")}
    for option in options[1:]:
        select.select_option(option)
        # vega redraws on the next animation frame
        page.wait_for_function(
            "([chart, before]) => document.getElementById(chart)"
            ".querySelector('svg').outerHTML !== before",
            arg=[trend.get_attribute("id"), drawn[chosen]],
        )
        chosen = option
        drawn[chosen] = svg.evaluate("s => s.outerHTML")
        assert svg.locator(DATA_MARKS).count() > 0, f"{option}: no data marks"
    assert len(set(drawn.values())) == len(options), "two metrics drew the same chart"
    expect(page.locator(".rk-chart[data-error]")).to_have_count(0)
    watched.assert_clean()


def text_outside(chart: Locator) -> list[str]:
    """The texts of ``chart``'s SVG (titles, axis labels, mark labels) that its box cuts off."""
    return chart.evaluate(
        """chart => {
            const svg = chart.querySelector("svg"), box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("text")].filter(t => {
                const r = t.getBoundingClientRect();
                return t.textContent.trim() && (r.left < box.left - 1 || r.right > box.right + 1
                    || r.top < box.top - 1 || r.bottom > box.bottom + 1);
            }).map(t => t.textContent);
        }"""
    )


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_chart_text_is_not_cut_off(watched: Watched, packs: dict, key: tuple[str, str]) -> None:
    page = open_pack(watched, packs[key].pack)
    charts = page.locator(".rk-chart")
    cut = {}
    for chart in charts.all():
        cut[chart.get_attribute("data-spec")] = text_outside(chart)
    # the trend chart lays out again for every metric (axis labels differ in width)
    trend = page.locator(".rk-chart:has(select)").first
    select = trend.locator("select")
    for option in select.locator("option").evaluate_all("all => all.map(o => o.value)")[1:]:
        before = trend.locator("svg").evaluate("s => s.outerHTML")
        select.select_option(option)
        page.wait_for_function(
            "([chart, before]) => document.getElementById(chart)"
            ".querySelector('svg').outerHTML !== before",
            arg=[trend.get_attribute("id"), before],
        )
        cut[f"{trend.get_attribute('data-spec')} ({option})"] = text_outside(trend)
    cut = {chart: texts for chart, texts in cut.items() if texts}
    assert not cut, f"text drawn outside the chart's SVG, so cut off: {cut}"
    watched.assert_clean()


@pytest.mark.parametrize("key", PACKS, ids=_pack_id)
def test_no_serious_accessibility_violations(
    watched: Watched, packs: dict, key: tuple[str, str], axe_script: Path
) -> None:
    page = open_pack(watched, packs[key].pack)
    page.add_script_tag(path=axe_script)
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "),
                    summary: n.failureSummary.replace(/\\s+/g, " ").trim(),
                })),
            }));
        }"""
    )
    blocking = [v for v in violations if v["impact"] in AXE_BLOCKING]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"  {n['target']}: {n['summary']}" for n in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe-core found serious or critical violations:\n{report}"
    watched.assert_clean()
