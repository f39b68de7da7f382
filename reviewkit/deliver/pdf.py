"""Printing packs to PDF, A4 landscape, with every chart drawn, through headless Chromium.

A pack draws its charts with script (vega-embed), so only a browser prints it whole: this
module opens the pack in the system's Chromium through Playwright, waits until every chart
holds its SVG, and prints with the pack's own print stylesheet (``@page A4 landscape`` in
``pack.css``). A pack is offline by design: every request that is not ``file:``, ``data:`` or
``blob:`` is aborted and recorded in :attr:`PdfPrinter.blocked`.

:class:`PdfPrinter` keeps one browser for many packs (a batch prints dozens);
:func:`print_pdf` prints one. Playwright is imported only when a browser starts, so that
``import reviewkit`` stays quick.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reviewkit.core.atomic import write_bytes_atomic
from reviewkit.errors import ParameterError, PdfUnavailableError, RunFailedError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_NAMES",
    "PdfPrinter",
    "find_chromium",
    "pdf_pages",
    "print_pdf",
    "resolve_pack",
]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
"""What Chromium is called on PATH, in the order looked for."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
INSTALL_HINT = (
    "install it with `apt-get install chromium fonts-noto-cjk` (Debian/Ubuntu) or set "
    "REVIEWKIT_CHROMIUM=/path/to/chrome; HTML packs and e-mails without PDF still work"
)
LOCAL_SCHEMES = ("file:", "data:", "blob:")
# The printable width of A4 landscape less pack.css's 12 mm @page margins (273 mm at 96 dpi)
# plus <main>'s 28 px side padding on screen: charts sized to their container are laid out
# at the paper's width before printing, as printing itself lays out no chart again.
VIEWPORT = {"width": round(273 / 25.4 * 96) + 2 * 28, "height": 800}
# embed.js marks each chart data-rendered="true" (drawn) or data-error (failed)
_CHART_STATE = """() => {
  const charts = Array.from(document.querySelectorAll('.rk-chart[data-spec]'));
  const drawn = c => c.getAttribute('data-rendered') === 'true' && c.querySelector('svg, canvas');
  return {
    total: charts.length,
    failed: charts.filter(c => c.hasAttribute('data-error')).length,
    pending: charts.filter(c => !drawn(c) && !c.hasAttribute('data-error')).length,
  };
}"""
_ALL_SETTLED = f"() => ({_CHART_STATE})().pending === 0"
# On paper a closed drill-down would hide its table: open every one before printing.
_OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def find_chromium() -> str:
    """The Chromium to print with: ``$REVIEWKIT_CHROMIUM``, else the first one on PATH.

    Returns
    -------
    str
        The browser's executable.

    Raises
    ------
    PdfUnavailableError
        ``$REVIEWKIT_CHROMIUM`` names no file, or no Chromium is on PATH (one line saying how
        to install it).
    """
    configured = os.environ.get("REVIEWKIT_CHROMIUM", "")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise PdfUnavailableError(
            f"REVIEWKIT_CHROMIUM={configured!r} is not an executable file: no Chromium to "
            f"print PDF with; point it at Chrome or Chromium, or unset it and {INSTALL_HINT}"
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfUnavailableError(
        f"no Chromium found to print PDF with (looked for {', '.join(CHROMIUM_NAMES)} on "
        f"PATH): {INSTALL_HINT}"
    )


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF that Chromium wrote (its page objects are not compressed).

    Parameters
    ----------
    data
        The PDF's bytes.

    Returns
    -------
    int
        How many ``/Type /Page`` objects it holds.
    """
    return len(re.findall(rb"/Type\s*/Page\b", data))


def resolve_pack(path: Path) -> Path:
    """The pack's HTML file that ``path`` names: the file itself, or a folder's ``pack.html``.

    Parameters
    ----------
    path
        A pack's HTML file, or a pack's folder.

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    ParameterError
        Nothing is there, the folder holds no ``pack.html``, or the file is not HTML.
    """
    if path.is_dir():
        pack = path / "pack.html"
        if not pack.is_file():
            raise ParameterError(
                f"PACK: folder {str(path)!r} holds no pack.html; give a pack's folder or its "
                "pack.html (see `reviewkit index` for where packs are)"
            )
        return pack
    if not path.is_file():
        raise ParameterError(
            f"PACK: {str(path)!r} does not exist; give a pack.html or the folder holding it"
        )
    if path.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(
            f"PACK: {str(path)!r} is not an HTML file; give a pack.html or the folder holding it"
        )
    return path


def default_output(pack: Path) -> Path:
    """Where the PDF of ``pack`` goes by default: beside it, ``pack.html`` → ``pack.pdf``."""
    return pack.with_suffix(".pdf")


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class PdfPrinter:
    """One headless Chromium that prints packs to PDF; use it as a context manager.

    Each pack gets a fresh browser context (nothing carries over from one pack to the next);
    the browser and Playwright stay up until the ``with`` block ends. Like Playwright's sync
    API, a printer belongs to the thread that entered it, and one thread runs one printer at
    a time.

    Parameters
    ----------
    executable
        The browser; default :func:`find_chromium`.

    Examples
    --------
    >>> with PdfPrinter() as printer:  # doctest: +SKIP
    ...     for pack in packs:
    ...         printer.print(pack)
    """

    def __init__(self, *, executable: str | None = None) -> None:
        self.executable = executable
        self.blocked: list[str] = []
        """Every request a pack made beyond local files, aborted (a pack must make none)."""
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def __enter__(self) -> PdfPrinter:
        executable = self.executable or find_chromium()
        from playwright.sync_api import Error, sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            self._playwright.stop()
            self._playwright = None
            raise PdfUnavailableError(
                f"Chromium at {executable} did not start ({_first_line(error)}): {INSTALL_HINT}"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and Playwright (again is harmless)."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def print(self, pack: Path, *, out: Path | None = None, timeout: float = 60.0) -> Path:
        """Print ``pack`` to PDF, A4 landscape, once every chart is drawn.

        Parameters
        ----------
        pack
            The pack's HTML file.
        out
            Where the PDF goes; default :func:`default_output` (``pack.pdf`` beside it).
        timeout
            Seconds for opening the pack, drawing its charts and printing.

        Returns
        -------
        Path
            The PDF, written atomically.

        Raises
        ------
        RunFailedError
            A chart failed or did not draw within ``timeout``, or the page did not load.
        """
        if self._browser is None:
            raise RuntimeError("PdfPrinter.print outside its `with` block")
        pack = Path(pack).resolve()
        target = Path(out) if out is not None else default_output(pack)
        context = self._browser.new_context(
            viewport=VIEWPORT,  # type: ignore[arg-type]
            service_workers="block",  # a worker could fetch past the route below
        )
        try:
            context.route("**/*", self._guard)
            page = context.new_page()
            data = self._render(page, pack, timeout=timeout)
        finally:
            context.close()
        write_bytes_atomic(target, data)  # a reader never sees half a PDF
        return target

    def _guard(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _render(self, page: Page, pack: Path, *, timeout: float) -> bytes:
        from playwright.sync_api import Error

        deadline = time.monotonic() + timeout

        def left() -> float:  # milliseconds, for Playwright
            return max(1.0, (deadline - time.monotonic()) * 1000)

        try:
            page.goto(pack.as_uri(), wait_until="load", timeout=left())
        except Error as error:
            raise RunFailedError(
                f"PDF of {pack}: the pack did not open ({_first_line(error)}); check that it "
                "is a pack's HTML file"
            ) from None
        self._wait_for_charts(page, pack, left(), total=timeout)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.evaluate(_OPEN_DETAILS)
        page.emulate_media(media="print")
        try:
            return page.pdf(
                format="A4",
                landscape=True,
                print_background=True,
                prefer_css_page_size=True,
            )
        except Error as error:
            raise RunFailedError(
                f"PDF of {pack}: Chromium did not print it ({_first_line(error)})"
            ) from None

    @staticmethod
    def _wait_for_charts(page: Page, pack: Path, timeout_ms: float, *, total: float) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # on a timeout, what is still pending is counted below: it did not draw in time
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(_ALL_SETTLED, timeout=timeout_ms)
        state: dict[str, Any] = page.evaluate(_CHART_STATE)
        undrawn = int(state["failed"]) + int(state["pending"])
        if state["pending"]:
            raise RunFailedError(
                f"PDF of {pack}: {undrawn} of {state['total']} charts were not drawn in "
                f"{total:g} s; open the pack in a browser to see which, or raise the timeout"
            )
        if undrawn:
            raise RunFailedError(
                f"PDF of {pack}: {undrawn} of {state['total']} charts failed to draw; open the "
                "pack in a browser to see which (its console names the error)"
            )


def print_pdf(pack: Path, *, out: Path | None = None, timeout: float = 60.0) -> Path:
    """Print one pack to PDF (a browser started and stopped for it).

    Parameters
    ----------
    pack
        The pack's HTML file.
    out
        Where the PDF goes; default ``pack.pdf`` beside ``pack.html``.
    timeout
        Seconds for opening the pack, drawing its charts and printing.

    Returns
    -------
    Path
        The PDF.

    Raises
    ------
    PdfUnavailableError
        No Chromium (one line saying how to install it).
    RunFailedError
        A chart did not draw in time, or the pack did not open.
    """
    with PdfPrinter() as printer:
        return printer.print(pack, out=out, timeout=timeout)
