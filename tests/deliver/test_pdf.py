"""Printing packs to PDF: A4 landscape, every chart drawn and on the page, offline, one line
when Chromium is missing.

Two real packs (monthly in Japanese, weekly in English) are built once and printed by one
:class:`PdfPrinter`; pypdf reads the PDFs back. Playwright runs one browser per thread at a
time, so the tests that print through their own browser (the CLI) come after the class whose
printer they would otherwise meet.
"""

from __future__ import annotations

import html
import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from builders import DEMO_DATE
from click.testing import CliRunner
from pypdf import PdfReader

from reviewkit.cli.pdf import pdf as pdf_command
from reviewkit.core.workspace import Workspace
from reviewkit.deliver.pdf import PdfPrinter, find_chromium, pdf_pages, resolve_pack
from reviewkit.errors import ParameterError, PdfUnavailableError, RunFailedError

pytestmark = pytest.mark.browser

PACKS = [("monthly", "ja"), ("weekly", "en")]
A4_LANDSCAPE = (842, 595)  # pt
MARGIN = 34  # pack.css's 12 mm @page margin, in pt
PX = 0.75  # pt per CSS pixel: a page printed at full scale


# --- reading packs and PDFs ---------------------------------------------------------------


class _Specs(HTMLParser):
    """The chart specs of a pack: the JSON of each ``<script id="rk-spec-N">``."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: dict[str, str] = {}
        self._current = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        spec_id = found.get("id") or ""
        if tag == "script" and spec_id.startswith("rk-spec-"):
            self._current = spec_id
            self.specs[spec_id] = ""

    def handle_endtag(self, tag: str) -> None:
        self._current = ""

    def handle_data(self, data: str) -> None:
        if self._current:
            self.specs[self._current] += data


def chart_titles(pack: Path) -> dict[str, str]:
    """Each chart's title as its spec gives it (``title`` or ``title.text``)."""
    parser = _Specs()
    parser.feed(pack.read_text(encoding="utf-8"))
    titles: dict[str, str] = {}
    for spec_id, text in parser.specs.items():
        title: Any = json.loads(text).get("title")
        title = title.get("text") if isinstance(title, dict) else title
        titles[spec_id] = title if isinstance(title, str) else ""  # "": untitled, a failure
    return titles


def pack_title(pack: Path) -> str:
    """The text of the pack's ``<h1>``."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", pack.read_text(encoding="utf-8"), re.S)
    assert found, f"{pack} has no <h1>"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def squash(text: str) -> str:
    """Text as compared: NFKC, one dash and no white space.

    CJK fonts share glyphs between look-alikes, and the PDF's text says which character the
    glyph was first mapped to: 月 comes back as the Kangxi radical ⽉, — as ―.
    """
    text = unicodedata.normalize("NFKC", text).replace("\u2015", "\u2014")
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Run:
    """A run of text in a PDF: its page, where it starts (pt) and its drawing scale."""

    page: int
    x: float
    scale: float
    text: str


def text_runs(reader: PdfReader) -> list[Run]:
    """Every run of text of the PDF.

    Chromium draws CSS pixels at 0.75 pt (96 dpi); a page wider than the paper is shrunk to
    fit instead, at a smaller scale, which is how a chart too wide for the page shows.
    """
    found: list[Run] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text: str, cm: list[float], tm: list[float], *_: Any, n: int = number) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                found.append(Run(n, x, abs(cm[0] * tm[0]), text.strip()))

        page.extract_text(visitor_text=visit)
    return found


@dataclass(frozen=True)
class Printed:
    """A pack's PDF as read back once: the reader, its runs of text and all its text squashed."""

    reader: PdfReader
    runs: list[Run]
    text: str


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium the suite uses; missing it fails (PDF is a feature, not an extra)."""
    return find_chromium()


@pytest.fixture(scope="module")
def packs(
    sample_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory, chromium: str
) -> dict[tuple[str, str], Path]:
    """The monthly Japanese and weekly English packs of the demo date."""
    from reviewkit.pack.runner import run_pack

    out = tmp_path_factory.mktemp("pdf-packs")
    built = {}
    for cadence, lang in PACKS:
        result = run_pack(
            cadence, as_of=DEMO_DATE, lang=lang, output_dir=out, workspace=sample_workspace
        )
        built[(cadence, lang)] = result.pack
    return built


@dataclass
class Server:
    """A local HTTP server that counts what reaches it (a pack must reach nothing)."""

    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", hits)
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def write_page(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"<!doctype html><meta charset='utf-8'><body>{body}</body>", "utf-8")
    return path


# --- printing with one browser --------------------------------------------------------------


class TestPrinter:
    """Everything one :class:`PdfPrinter` prints (its browser lives as long as the class)."""

    @pytest.fixture(scope="class")
    @classmethod
    def printer(cls, chromium: str) -> Iterator[PdfPrinter]:
        with PdfPrinter(executable=chromium) as printer:
            yield printer

    @pytest.fixture(scope="class")
    @classmethod
    def printed(
        cls, printer: PdfPrinter, packs: dict[tuple[str, str], Path]
    ) -> dict[tuple[str, str], Printed]:
        found = {}
        for key, pack in packs.items():
            pdf = printer.print(pack)
            assert pdf == pack.with_suffix(".pdf")
            reader = PdfReader(pdf)
            runs = text_runs(reader)
            found[key] = Printed(reader, runs, squash("".join(run.text for run in runs)))
        assert printer.blocked == [], f"a pack asked the network for {printer.blocked}"
        return found

    @pytest.mark.parametrize("key", PACKS, ids="-".join)
    def test_every_page_is_a4_landscape(self, printed: dict, key: tuple[str, str]) -> None:
        reader = printed[key].reader
        sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages}
        for width, height in sizes:
            assert abs(width - A4_LANDSCAPE[0]) <= 1 and abs(height - A4_LANDSCAPE[1]) <= 1, sizes
        assert len(reader.pages) > 1

    @pytest.mark.parametrize("key", PACKS, ids="-".join)
    def test_every_chart_is_drawn_in_the_pdf(
        self, printed: dict, packs: dict, key: tuple[str, str]
    ) -> None:
        # a chart's title exists only in the SVG the chart runtime draws: the pack's HTML holds
        # it in the spec's JSON, which is not printed
        titles = chart_titles(packs[key])
        assert len(titles) >= 4 and all(titles.values()), titles
        text = printed[key].text
        missing = {spec: title for spec, title in titles.items() if squash(title) not in text}
        assert not missing, f"charts not drawn in the PDF: {missing}"

    def test_japanese_text_extracts(self, printed: dict, packs: dict) -> None:
        title = pack_title(packs[("monthly", "ja")])
        assert "月次" in title
        first = "".join(run.text for run in printed[("monthly", "ja")].runs if run.page == 1)
        assert squash(title) in squash(first), f"{title!r} not on page 1: {first[:200]!r}"

    @pytest.mark.parametrize("key", PACKS, ids="-".join)
    def test_no_page_is_wider_than_the_paper(self, printed: dict, key: tuple[str, str]) -> None:
        # charts are drawn at the paper's width (the printer's viewport) and scaled to it by
        # pack.css: every page is printed at full scale (none shrunk to fit a wide chart), and
        # no axis label, legend or table text starts outside the margins
        reader, runs = printed[key].reader, printed[key].runs
        assert len(runs) > 100
        pages = {run.page for run in runs}
        blank = set(range(1, len(reader.pages) + 1)) - pages
        assert not blank, f"blank pages (a margin pushed a section past a page): {blank}"
        full = {run.page for run in runs if abs(run.scale - PX) < 0.001}
        assert full == pages, f"pages shrunk to fit something too wide: {sorted(pages - full)}"
        right = A4_LANDSCAPE[0] - MARGIN
        beyond = [(run.page, round(run.x), run.text) for run in runs if run.x > right]
        assert not beyond, f"text beyond the right margin ({right} pt), cut off: {beyond[:5]}"
        assert min(run.x for run in runs) >= MARGIN - 1

    def test_the_width_check_sees_a_chart_wider_than_the_paper(
        self, printer: PdfPrinter, tmp_path: Path
    ) -> None:
        # the check above, shown to catch what it looks for: an SVG 1600 px wide, no pack.css
        svg = (
            '<svg width="1600" height="100"><text x="10" y="50">left</text>'
            '<text x="1500" y="50">right</text></svg>'
        )
        pdf = printer.print(write_page(tmp_path, "wide.html", svg))
        runs = text_runs(PdfReader(pdf))
        assert {run.text for run in runs} == {"left", "right"}
        assert all(run.scale < PX - 0.1 for run in runs), runs  # shrunk to fit

    def test_no_request_leaves_the_printer(
        self, printer: PdfPrinter, server: Server, tmp_path: Path
    ) -> None:
        remote = [f"{server.url}/logo.png", "http://example.com/x.png"]
        body = "".join(f'<img src="{url}" alt="logo">' for url in remote) + "<p>offline</p>"
        pdf = printer.print(write_page(tmp_path, "remote.html", body), out=tmp_path / "r.pdf")
        assert server.hits == [], "a request reached the server"
        assert set(remote) <= set(printer.blocked)
        # NFKC: a font with ligatures prints "ffl" as one glyph (U+FB04), which pypdf returns
        assert "offline" in unicodedata.normalize("NFKC", PdfReader(pdf).pages[0].extract_text())
        printer.blocked.clear()

    def test_printing_again_replaces_the_pdf_and_leaves_no_temporary_file(
        self, printer: PdfPrinter, tmp_path: Path
    ) -> None:
        page = write_page(tmp_path, "pack.html", "<h1>再印刷</h1>")
        out = tmp_path / "out" / "again.pdf"
        first = printer.print(page, out=out).read_bytes()
        second = printer.print(page, out=out).read_bytes()
        assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-")
        assert pdf_pages(second) == 1 == len(PdfReader(out).pages)
        assert sorted(p.name for p in out.parent.iterdir()) == ["again.pdf"]

    def test_a_chart_that_never_draws_is_one_line_naming_the_pack(
        self, printer: PdfPrinter, tmp_path: Path
    ) -> None:
        charts = '<div class="rk-chart" data-spec="rk-spec-1"></div>' * 2
        page = write_page(tmp_path, "stuck.html", charts)
        with pytest.raises(RunFailedError) as caught:
            printer.print(page, timeout=1)
        message = str(caught.value)
        assert "\n" not in message
        assert str(page) in message and "2 of 2 charts were not drawn in 1 s" in message
        assert not page.with_suffix(".pdf").exists()

    def test_a_chart_that_failed_is_reported_at_once(
        self, printer: PdfPrinter, tmp_path: Path
    ) -> None:
        charts = (
            '<div class="rk-chart" data-spec="rk-spec-1" data-error="SyntaxError"></div>'
            '<div class="rk-chart" data-spec="rk-spec-2" data-rendered="true"><svg></svg></div>'
        )
        page = write_page(tmp_path, "broken.html", charts)
        with pytest.raises(RunFailedError, match=r"1 of 2 charts failed to draw"):
            printer.print(page, timeout=30)


# --- without Chromium -----------------------------------------------------------------------


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REVIEWKIT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no chromium on PATH


@pytest.mark.usefixtures("no_chromium")
def test_no_chromium_is_one_line_saying_how_to_install_it() -> None:
    with pytest.raises(PdfUnavailableError) as caught:
        find_chromium()
    message = str(caught.value)
    assert "\n" not in message
    assert "apt-get install chromium" in message and "REVIEWKIT_CHROMIUM" in message
    assert "HTML packs and e-mails without PDF still work" in message
    assert caught.value.exit_code == 1
    with pytest.raises(PdfUnavailableError):
        PdfPrinter().__enter__()


def test_a_bogus_reviewkit_chromium_is_named_with_its_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bogus = tmp_path / "no-such-chrome"
    monkeypatch.setenv("REVIEWKIT_CHROMIUM", str(bogus))
    with pytest.raises(PdfUnavailableError) as caught:
        find_chromium()
    message = str(caught.value)
    assert "\n" not in message
    assert f"REVIEWKIT_CHROMIUM={str(bogus)!r}" in message
    assert "apt-get install chromium" in message


def test_reviewkit_chromium_wins_over_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chromium: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("REVIEWKIT_CHROMIUM", chromium)
    assert find_chromium() == chromium


@pytest.mark.usefixtures("no_chromium")
def test_cli_without_chromium_fails_with_exit_1(packs: dict) -> None:
    result = CliRunner().invoke(pdf_command, [str(packs[("weekly", "en")])])
    assert isinstance(result.exception, PdfUnavailableError)
    assert result.exception.exit_code == 1


# --- the command ----------------------------------------------------------------------------


def test_cli_prints_a_pack_folder_into_an_output_folder(packs: dict, tmp_path: Path) -> None:
    pack = packs[("weekly", "en")]
    result = CliRunner().invoke(pdf_command, [str(pack.parent), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "pack.pdf"
    pages = len(PdfReader(pdf).pages)
    assert pages > 1
    assert re.fullmatch(rf"{re.escape(str(pdf))}: {pages} pages, \d+ KB\n", result.output)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing.html", "does not exist"),
        (lambda d: d, "holds no pack.html"),
        (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("x"))[0], "not an HTML file"),
    ],
    ids=["missing", "folder-without-pack", "not-html"],
)
def test_a_bad_pack_argument_is_one_line_exit_2(make: Any, says: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    with pytest.raises(ParameterError, match=says) as caught:
        resolve_pack(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    result = CliRunner().invoke(pdf_command, [str(path)])
    assert isinstance(result.exception, ParameterError)
    assert result.exception.exit_code == 2
