"""``<output-dir>/index.html``: every pack and every failed run, by cadence, newest period first.

Each row is one run: a published pack (its ``manifest.json``) or a failed run kept under
``_failed/<cadence>/<period>/<stamp>-<lang>/``. Its status is ``ok``, ``failed`` (linking to
the executed notebook) or ``stale data`` (the data ended before the period's last day: the
pack was built before the period was complete). For each cadence, period and language the
newest run is the current state; older runs are marked as earlier. Every row links to the
previous pack of the same cadence and language. The page is one file with no external
resources, in the workspace language; every value read from disk is escaped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from reviewkit.atomic import write_text_atomic
from reviewkit.errors import ParameterError
from reviewkit.formatting import format_date, format_datetime, format_period
from reviewkit.periods import CADENCES, FiscalCalendar, Period, parse_period
from reviewkit.texts import LANGS, t

FAILED_DIR = "_failed"
FAILED_STAMP = "%Y%m%dT%H%M%S"  # runner._keep_failed: <stamp>Z-<id>-<lang>, UTC
EARLIER_FAILED_SHOWN = 3  # per cadence, period and language, besides the current state

_CSS = """
body { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic",
  Meiryo, "Noto Sans CJK JP", "Noto Sans JP", system-ui, sans-serif; color: #1f2933;
  margin: 0; line-height: 1.6; }
main { max-width: 1120px; margin: 0 auto; padding: 24px; }
h1 { border-bottom: 3px solid #1d4e89; padding-bottom: 8px; margin-bottom: 4px; }
.rk-company { color: #5f6b7a; margin: 0 0 12px; }
.rk-legend { color: #5f6b7a; font-size: 0.9em; }
h2 { color: #1d4e89; margin-top: 28px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th:nth-child(1) { width: 20%; } th:nth-child(2) { width: 8%; } th:nth-child(3) { width: 13%; }
th:nth-child(4) { width: 20%; } th:nth-child(5) { width: 11%; } th:nth-child(6) { width: 13%; }
th:nth-child(7) { width: 15%; }
th { text-align: left; color: #5f6b7a; border-bottom: 2px solid #d9dee5; padding: 6px 10px; }
td { border-bottom: 1px solid #d9dee5; padding: 6px 10px; vertical-align: top; }
a { color: #1d4e89; }
.rk-code { display: block; color: #5f6b7a; font-size: 0.85em; }
.rk-status { white-space: nowrap; font-weight: 600; }
.rk-ok .rk-status { color: #1b7a3d; }
.rk-stale .rk-status { color: #8a5a00; }
.rk-failed .rk-status { color: #b3261e; }
.rk-earlier td { color: #5f6b7a; background: #f6f7f9; }
.rk-earlier .rk-status { font-weight: 400; }
.rk-note { display: block; font-size: 0.85em; font-weight: 400; color: #5f6b7a; }
"""

_ORDER = {c: i for i, c in enumerate(CADENCES)}
_CALENDAR = FiscalCalendar()  # labels carry the fiscal year and quarter; starts only sort


@dataclass
class Run:
    """One row of the index: a published pack or a failed run."""

    cadence: str
    period: Period
    lang: str
    status: str  # ok, stale or failed
    href: str  # relative to the output folder
    when: dt.datetime | None  # built (packs) or failed (runs), aware
    manifest: dict[str, Any]
    current: bool = True
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """Cadence, period and language: the runs that compete for one current state."""
        return self.cadence, self.period.label, self.lang


def _href(path: Path, output_dir: Path) -> str:
    return quote(path.relative_to(output_dir).as_posix(), safe="/")


def _period(cadence: str, label: object) -> Period | None:
    try:
        period = parse_period(str(label), calendar=_CALENDAR)
    except ParameterError:
        return None
    return period if period.cadence == cadence else None


def _instant(text: object, tz: ZoneInfo) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(tz)


def is_stale(manifest: dict[str, Any], *, timezone: str) -> bool:
    """Whether a pack was built before its data was complete.

    True when the manifest's ``data_freshness`` (in ``timezone``) is a day earlier than its
    ``period_end`` (the period's last day), or when the store held no data at all.
    """
    try:
        last_day = dt.date.fromisoformat(str(manifest["period_end"]))
    except (KeyError, ValueError):
        return False  # an older manifest without the period's end: nothing to compare
    fresh = _instant(manifest.get("data_freshness"), ZoneInfo(timezone))
    return fresh is None or fresh.date() < last_day


def collect_packs(output_dir: Path, *, lang: str) -> list[dict[str, Any]]:
    """Read the manifest of every published pack under ``output_dir``.

    Each manifest gets ``href`` (its ``pack.html``, relative to ``output_dir``). Sorted by
    cadence, newest period first, the ``lang`` (default language) pack first.
    """
    found: list[dict[str, Any]] = []
    for cadence in CADENCES:
        for manifest in sorted((output_dir / cadence).glob("**/manifest.json")):
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if not isinstance(data, dict) or data.get("cadence") != cadence:
                continue
            period = _period(cadence, data.get("period"))
            if period is None:
                continue
            data["href"] = _href(manifest.parent / "pack.html", output_dir)
            data["_start"] = period.start
            found.append(data)
    found.sort(key=lambda d: (d.get("lang") != lang, str(d.get("lang", ""))))
    found.sort(key=lambda d: d["_start"], reverse=True)
    found.sort(key=lambda d: _ORDER[d["cadence"]])
    for data in found:
        del data["_start"]
    return found


def _failed_when(stamp: str, tz: ZoneInfo) -> dt.datetime | None:
    """When a failed run happened, from its folder name (``20261124T013500Z-ab12``)."""
    text = stamp.split("-")[0]
    try:
        if text.endswith("Z"):
            moment = dt.datetime.strptime(text, FAILED_STAMP + "Z").replace(tzinfo=dt.UTC)
        else:  # folders of earlier versions: the machine's local time
            moment = dt.datetime.strptime(text, FAILED_STAMP)
    except ValueError:
        return None
    return moment.astimezone(tz)


def _failed_runs(output_dir: Path, tz: ZoneInfo) -> list[Run]:
    """Every failed run kept under ``_failed/<cadence>/<period>/<stamp>-<lang>/``."""
    runs = []
    root = output_dir / FAILED_DIR
    for notebook in sorted(root.glob("*/*/*/notebook.ipynb")) if root.is_dir() else []:
        folder = notebook.parent
        cadence, label = folder.parent.parent.name, folder.parent.name
        stamp, _, lang = folder.name.rpartition("-")
        period = _period(cadence, label) if cadence in CADENCES else None
        if period is None or lang not in LANGS:
            continue
        when = _failed_when(stamp, tz)
        runs.append(
            Run(cadence, period, lang, "failed", _href(notebook, output_dir), when, manifest={})
        )
    return runs


def _runs(output_dir: Path, *, lang: str, timezone: str) -> list[Run]:
    """All rows, each cadence newest period first, default language first, newest run first.

    Marks each run that is not the newest of its cadence, period and language as earlier,
    and keeps at most :data:`EARLIER_FAILED_SHOWN` earlier failures of each.
    """
    tz = ZoneInfo(timezone)
    runs = [
        Run(
            p["cadence"],
            _period(p["cadence"], p["period"]),  # type: ignore[arg-type]
            str(p.get("lang", "")),
            "stale" if is_stale(p, timezone=timezone) else "ok",
            p["href"],
            _instant(p.get("built_at"), tz),
            manifest=p,
        )
        for p in collect_packs(output_dir, lang=lang)
    ]
    runs += _failed_runs(output_dir, tz)
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    runs.sort(key=lambda r: r.when or oldest, reverse=True)
    runs.sort(key=lambda r: (r.lang != lang, r.lang))
    runs.sort(key=lambda r: r.period.start, reverse=True)
    runs.sort(key=lambda r: _ORDER[r.cadence])

    shown: list[Run] = []
    current: dict[tuple[str, str, str], Run] = {}
    earlier_failed: Counter[tuple[str, str, str]] = Counter()
    hidden: Counter[tuple[str, str, str]] = Counter()
    for run in runs:
        first = current.setdefault(run.key, run)
        if first is not run:
            run.current = False
            if run.status == "failed":
                if earlier_failed[run.key] >= EARLIER_FAILED_SHOWN:
                    hidden[run.key] += 1
                    continue
                earlier_failed[run.key] += 1
            elif first.status == "failed":
                first.note = t("index.published_earlier", lang)
        shown.append(run)
    for key, n in hidden.items():
        last = [r for r in shown if r.key == key][-1]
        last.note = " ".join(x for x in (last.note, t("index.more_failed", lang, n=n)) if x)
    return shown


def _previous(run: Run, packs: list[Run]) -> Run | None:
    """The newest published pack of the same cadence and language before ``run``'s period."""
    earlier = [
        p
        for p in packs
        if p.cadence == run.cadence and p.lang == run.lang and p.period.start < run.period.start
    ]
    return max(earlier, key=lambda p: p.period.start, default=None)


def _link(href: str, text: str, *, rel: str = "") -> str:
    attr = f' class="{escape(rel)}"' if rel else ""
    return f'<a href="{escape(href)}"{attr}>{escape(text)}</a>'


def _row(run: Run, previous: Run | None, *, lang: str, timezone: str) -> str:
    tz = ZoneInfo(timezone)
    period = (
        f"{escape(format_period(run.period, lang=lang))}"
        f'<span class="rk-code">{escape(run.period.label)}</span>'
    )
    language = t(f"lang.{run.lang}", lang) if run.lang in LANGS else run.lang
    status = escape(t(f"index.status.{run.status}", lang))
    notes = [] if run.current else [t("index.earlier", lang)]
    notes += [run.note] if run.note else []
    status += "".join(f'<span class="rk-note">{escape(n)}</span>' for n in notes)
    if run.status == "failed":
        pack = _link(run.href, t("index.notebook", lang), rel="rk-notebook")
        fresh = "—"
    else:
        title = str(run.manifest.get("title") or run.period.label)
        pack = _link(run.href, title, rel="rk-pack")
        folder = run.href.rpartition("/")[0]
        for name in run.manifest.get("files") or []:  # e.g. the quarterly draft targets
            if isinstance(name, str) and name and "/" not in name and name != "..":
                link = _link(f"{folder}/{name}" if folder else name, name, rel="rk-file")
                pack += f'<span class="rk-note">{link}</span>'
        moment = _instant(run.manifest.get("data_freshness"), tz)
        fresh = "—" if moment is None else escape(format_date(moment.date(), lang=lang))
    built = "—" if run.when is None else escape(format_datetime(run.when, lang=lang))
    prev = (
        "—"
        if previous is None
        else _link(previous.href, format_period(previous.period, lang=lang), rel="rk-previous")
    )
    classes = f"rk-{run.status}" + ("" if run.current else " rk-earlier")
    return (
        f'<tr class="{classes}" data-cadence="{escape(run.cadence)}" '
        f'data-period="{escape(run.period.label)}" data-lang="{escape(run.lang)}" '
        f'data-status="{escape(run.status)}" data-current="{str(run.current).lower()}">'
        f"<td>{period}</td><td>{escape(language)}</td>"
        f'<td class="rk-status">{status}</td><td>{pack}</td><td>{fresh}</td>'
        f"<td>{built}</td><td>{prev}</td></tr>"
    )


def _company(runs: list[Run], *, lang: str) -> str:
    """The company named by the newest pack in the page's language (else by any pack)."""
    packs = sorted(
        (r for r in runs if r.manifest.get("company")),
        key=lambda r: (r.lang != lang, -(r.when.timestamp() if r.when else 0.0)),
    )
    return str(packs[0].manifest["company"]) if packs else ""


def render_index(output_dir: Path, *, lang: str, timezone: str) -> str:
    """The index page for ``output_dir`` as one HTML document (see :func:`write_index`)."""
    runs = _runs(output_dir, lang=lang, timezone=timezone)
    packs = [r for r in runs if r.status != "failed"]
    headings = [
        t(k, lang)
        for k in (
            "index.period", "index.lang", "index.status", "index.pack", "index.freshness",
            "index.built", "index.previous",
        )
    ]  # fmt: skip
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    sections = []
    for cadence in CADENCES:
        rows = [r for r in runs if r.cadence == cadence]
        if not rows:
            continue
        body = "".join(_row(r, _previous(r, packs), lang=lang, timezone=timezone) for r in rows)
        sections.append(
            f'<section id="{cadence}"><h2>{escape(t(f"title.{cadence}", lang))}</h2>'
            f'<table class="rk-index"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></section>"
        )
    if sections:
        sections.insert(0, f'<p class="rk-legend">{escape(t("index.legend", lang))}</p>')
    else:
        sections.append(f"<p>{escape(t('index.empty', lang))}</p>")
    title = escape(t("index.title", lang))
    company = _company(runs, lang=lang)
    company_html = f'<p class="rk-company">{escape(company)}</p>' if company else ""
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{title}</h1>{company_html}{''.join(sections)}</main></body></html>"
    )


def write_index(output_dir: Path, *, lang: str, timezone: str) -> Path:
    """Write ``index.html`` listing every pack and failed run under ``output_dir``.

    Parameters
    ----------
    output_dir
        The packs' output folder.
    lang
        Language of the page (the workspace default).
    timezone
        Dates and times are shown in this time zone; data freshness is compared with each
        period's last day in it.

    Returns
    -------
    Path
        The page written.
    """
    path = output_dir / "index.html"
    write_text_atomic(path, render_index(output_dir, lang=lang, timezone=timezone))
    return path
