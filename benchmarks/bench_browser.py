"""(d) Each pack as a reader opens it: its HTML size, and the time until every chart is drawn.

The pack is opened from disk in headless Chromium with every request beyond ``file:``,
``data:`` and ``about:`` aborted (as in tests/e2e/test_browser.py). The clock runs from the
navigation until the page holds as many ``.rk-chart`` elements as the HTML embeds specs and
none is unfinished: the chart runtime (embed.js) marks each ``data-rendered="true"``, or
``data-error`` when it fails, which counts as a failed measurement. Median of three loads, each
in a fresh browser context (no cache).

The issue sets no goals for these figures; the goals below are this benchmark's: a pack small
enough to mail (under 2 MB) whose charts are all drawn within 2 s on this kind of machine.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

from bench_common import CADENCES, MB, Figure, published, seconds, size
from playwright.sync_api import Browser, Route, sync_playwright

LOADS = 3
SIZE_GOAL = 2 * MB
DRAWN_GOAL = 2.0  # seconds
LOCAL = ("file:", "data:", "about:")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ALL_DRAWN = """n => document.querySelectorAll('.rk-chart').length === n
  && document.querySelectorAll(
       ".rk-chart[data-spec]:not([data-rendered='true']):not([data-error])").length === 0"""


def chromium() -> str:
    """Chromium's path: ``$REVIEWKIT_CHROMIUM`` or ``chromium`` on the PATH.

    Raises
    ------
    RuntimeError
        When there is none.
    """
    found = os.environ.get("REVIEWKIT_CHROMIUM") or shutil.which("chromium")
    if not found or not Path(found).is_file():
        raise RuntimeError("no Chromium: set REVIEWKIT_CHROMIUM or install chromium")
    return found


def charts_in(html: str) -> int:
    """How many chart specs the pack embeds."""
    return len(re.findall(r'<script[^>]*id="rk-spec-\d+"', html))


def time_load(browser: Browser, pack: Path, charts: int) -> float:
    """Seconds from navigation until every chart is drawn, in a fresh offline context.

    Raises
    ------
    RuntimeError
        A chart failed, or the page asked for something beyond local files.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    blocked: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(pack.as_uri())
        page.wait_for_function(ALL_DRAWN, arg=charts, timeout=60_000)
        elapsed = time.perf_counter() - started
        failed = page.locator(".rk-chart[data-error]").count()
    finally:
        context.close()
    if failed or blocked:
        raise RuntimeError(f"{pack}: {failed} chart(s) failed; requests blocked: {blocked}")
    return elapsed


def measure(packs_out: Path) -> list[Figure]:
    """Size and drawing time of the company pack of each cadence published in ``packs_out``."""
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True, args=ARGS)
        try:
            for cadence in CADENCES:
                pack = published(packs_out, cadence)
                html = pack.read_text(encoding="utf-8")
                charts = charts_in(html)
                loads = [time_load(browser, pack, charts) for _ in range(LOADS)]
                drawn = statistics.median(loads)
                nbytes = pack.stat().st_size
                figures += [
                    Figure(
                        "d",
                        f"{cadence} pack.html size",
                        size(nbytes),
                        f"< {size(SIZE_GOAL)}",
                        nbytes < SIZE_GOAL,
                    ),
                    Figure(
                        "d",
                        f"{cadence}: all {charts} charts drawn (median of {LOADS})",
                        seconds(drawn),
                        f"≤ {seconds(DRAWN_GOAL)}",
                        drawn <= DRAWN_GOAL,
                    ),
                ]
        finally:
            browser.close()
    return figures
