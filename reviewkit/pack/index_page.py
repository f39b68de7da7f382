"""``<output-dir>/index.html``: every pack and every failed run, by cadence, newest period first.

The packs of the analysts' own templates (``<output-dir>/<name>/``, see
:mod:`reviewkit.review.templates`) follow the shipped cadences, one section per template, under its
title.

Each row is one run: a published pack (its ``manifest.json``) or a failed run kept under
``_failed/<cadence>/<period>/[<segment>/]<stamp>-<lang>/`` (with its ``failure.json``; older
folders have none and are read from their names). A run covers the whole company or one
segment (the manifest's ``segment``). Its status is ``ok``, ``failed`` (with its error line and
a link to the executed notebook) or ``stale data`` (the data ended before the period's last
day: the pack was built before the period was complete). For each cadence, period, scope and
language the newest run is the current state; older runs are marked as earlier. Every row
links to the previous pack of the same cadence, scope and language. When the batch runner has
left ``_logs/last-batch.json``, the page opens with that run: when, counts, time taken, its
log, and the packs that failed. The page is one file with no external resources, in the
workspace language; every value read from disk is escaped.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import CADENCES, FiscalCalendar, Period, parse_period
from reviewkit.core.redaction import redact_text
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_count, format_date, format_datetime, format_period
from reviewkit.i18n.texts import LANGS, TEXTS, t
from reviewkit.model.scope import Scope
from reviewkit.pack.batch_stop import batch_gone
from reviewkit.review.templates import NAME_PATTERN, humanise

FAILED_DIR = "_failed"
FAILED_STAMP = "%Y%m%dT%H%M%S"  # runner._Failure.keep: <stamp>Z-<id>-<lang>, UTC
FAILURE_FILE = "failure.json"
LAST_BATCH = "_logs/last-batch.json"
EARLIER_FAILED_SHOWN = 3  # per cadence, period, scope and language, besides the current state
ERROR_SHOWN = 300  # characters of an error line shown in the page

_CSS = """
body { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic",
  Meiryo, "Noto Sans CJK JP", "Noto Sans JP", system-ui, sans-serif; color: #1f2933;
  margin: 0; line-height: 1.6; }
main { max-width: 1240px; margin: 0 auto; padding: 24px; }
h1 { border-bottom: 3px solid #1d4e89; padding-bottom: 8px; margin-bottom: 4px; }
.rk-company { color: #5f6b7a; margin: 0 0 12px; }
.rk-legend { color: #5f6b7a; font-size: 0.9em; }
h2 { color: #1d4e89; margin-top: 28px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th:nth-child(1) { width: 12%; } th:nth-child(2) { width: 14%; } th:nth-child(3) { width: 6%; }
th:nth-child(4) { width: 12%; } th:nth-child(5) { width: 22%; } th:nth-child(6) { width: 12%; }
th:nth-child(7) { width: 12%; } th:nth-child(8) { width: 10%; }
th { text-align: left; color: #5f6b7a; border-bottom: 2px solid #d9dee5; padding: 6px 10px; }
td { border-bottom: 1px solid #d9dee5; padding: 6px 10px; vertical-align: top;
  overflow-wrap: break-word; }
tbody.rk-period { border-top: 2px solid #aab4c1; }
a { color: #1d4e89; }
.rk-code { display: block; color: #5f6b7a; font-size: 0.85em; }
.rk-status { font-weight: 600; }
.rk-ok .rk-status { color: #1b7a3d; }
.rk-stale .rk-status { color: #8a5a00; }
.rk-failed .rk-status { color: #b3261e; }
.rk-earlier td { color: #5f6b7a; background: #f6f7f9; }
.rk-earlier .rk-status { font-weight: 400; }
.rk-note { display: block; font-size: 0.85em; font-weight: 400; color: #5f6b7a; }
.rk-error { display: block; font-size: 0.85em; font-weight: 400; color: #b3261e; }
.rk-repeat .rk-shown { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.rk-batch { border: 1px solid #d9dee5; border-radius: 6px; padding: 4px 16px 12px;
  margin: 16px 0; background: #f6f7f9; }
.rk-batch h2 { margin-top: 8px; font-size: 1.15em; }
.rk-batch p { margin: 4px 0; }
.rk-counts span { margin-right: 16px; }
.rk-counts strong { font-size: 1.1em; }
.rk-alert { border: 2px solid #b3261e; border-left-width: 8px; background: #fdecea;
  color: #7a1712; padding: 8px 14px; margin-top: 10px; border-radius: 4px; }
.rk-alert p { font-weight: 700; }
.rk-alert ul { margin: 4px 0; padding-left: 20px; }
.rk-alert a { color: #7a1712; }
"""

_ORDER = {c: i for i, c in enumerate(CADENCES)}
# The page only names and orders labels, and a label says all it needs: a week's label its
# week start (2026-W47 ISO, 2026-S47 Sunday weeks; packs made before week_start changed keep
# theirs), a quarter's its fiscal year and number. This calendar places quarters' starts for
# sorting only, which any fiscal calendar does in the same order; no company setting is read.
_LABELS = FiscalCalendar()


def _group_order(cadence: str, template: str) -> tuple[int, int, str]:
    """The shipped cadences in their order, then the analysts' templates by name."""
    return (1, 0, template) if template else (0, _ORDER[cadence], "")


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
    segment: dict[str, Any] | None = None  # as recorded by runner.scope_record; None: company
    slug: str = ""  # the segment's folder name; "": the whole company
    error: str = ""  # a failed run's error line (failure.json)
    current: bool = True
    note: str = ""
    template: str = ""  # an analyst's template (its folder); "": the cadence's own
    template_title: Any = None  # {"ja": ..., "en": ...} as recorded, unchecked

    @property
    def group(self) -> str:
        """The template's name, else the cadence: one section of the page."""
        return self.template or self.cadence

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Cadence, period, scope and language: the runs that compete for one current state."""
        return self.group, self.period.label, self.slug, self.lang


def _href(path: Path, output_dir: Path) -> str:
    return quote(path.relative_to(output_dir).as_posix(), safe="/")


def _safe_href(text: object) -> str | None:
    """A path read from a file, as a link within the output folder; None if it is not one."""
    if not isinstance(text, str) or not text or "\\" in text or ":" in text:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts:
        return None
    return quote(path.as_posix(), safe="/")


def _period(cadence: str, label: object) -> Period | None:
    try:
        period = parse_period(str(label), calendar=_LABELS, any_week=True)
    except ParameterError:
        return None
    return period if period.cadence == cadence else None


def _instant(text: object, tz: ZoneInfo) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(tz)


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _slug(segment: object) -> str | None:
    """The scope's slug: ``""`` for the company (None), None when the record is unusable."""
    if segment is None:
        return ""
    if isinstance(segment, dict) and isinstance(segment.get("slug"), str) and segment["slug"]:
        return str(segment["slug"])
    return None


def _one_line(text: object) -> str:
    lines = str(text).strip().splitlines() if isinstance(text, str) else []
    line = lines[0].strip() if lines else ""
    return line if len(line) <= ERROR_SHOWN else line[: ERROR_SHOWN - 1] + "…"


def scope_label(segment: dict[str, Any] | None, *, lang: str) -> str:
    """The scope of a run in words, in ``lang``: ``全社`` or ``営業チーム: Team B``.

    Rebuilt from the recorded column, values and name when the column is known (so a pack in
    another language reads in the page's language); else the recorded label, text or slug.
    """
    if segment is None:
        return t("index.scope.company", lang)
    column, values = segment.get("column"), segment.get("values")
    name = segment.get("name") or ""
    if (
        isinstance(column, str)
        and f"dimension.{column}" in TEXTS
        and isinstance(values, list)
        and values
        and all(isinstance(v, str) for v in values)
        and isinstance(name, str)
    ):
        return Scope(column=column, values=tuple(values), name=name).label(lang)
    for field in ("label", "text", "slug"):
        if isinstance(segment.get(field), str) and segment[field]:
            return str(segment[field])
    return "?"


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


def _template_folders(output_dir: Path) -> list[str]:
    """The folders of the analysts' templates' packs (snake_case names, not a cadence)."""
    if not output_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in output_dir.iterdir()
        if p.is_dir() and p.name not in CADENCES and NAME_PATTERN.fullmatch(p.name)
    )


def _belongs(data: dict[str, Any], folder: str) -> bool:
    """Whether a manifest is a pack of the folder: its cadence's own, or its template's."""
    if folder in CADENCES:
        return data.get("cadence") == folder and not data.get("template_name")
    return data.get("template_name") == folder and data.get("cadence") in CADENCES


def collect_packs(output_dir: Path, *, lang: str) -> list[dict[str, Any]]:
    """Read the manifest of every published pack under ``output_dir``.

    Each manifest gets ``href`` (its ``pack.html``, relative to ``output_dir``). Sorted by
    cadence (then the analysts' templates by name), newest period first, the company before
    segments (by slug), the ``lang`` (default language) pack first. A manifest whose
    ``segment`` is neither null nor a record with a ``slug`` is skipped, like an unreadable
    one.
    """
    found: list[dict[str, Any]] = []
    for folder in (*CADENCES, *_template_folders(output_dir)):
        for manifest in sorted((output_dir / folder).glob("**/manifest.json")):
            data = _read_json(manifest)
            if data is None or not _belongs(data, folder):
                continue
            period = _period(str(data["cadence"]), data.get("period"))
            if period is None or _slug(data.get("segment")) is None:
                continue
            data["href"] = _href(manifest.parent / "pack.html", output_dir)
            data["_start"] = period.start
            found.append(data)
    found.sort(key=lambda d: (d.get("lang") != lang, str(d.get("lang", ""))))
    found.sort(key=lambda d: (_slug(d.get("segment")) != "", _slug(d.get("segment"))))
    found.sort(key=lambda d: d["_start"], reverse=True)
    found.sort(key=lambda d: _group_order(d["cadence"], str(d.get("template_name") or "")))
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


def _failed_run(notebook: Path, output_dir: Path, tz: ZoneInfo) -> Run | None:
    """One failed run: its ``failure.json`` if readable, else its folder names."""
    parts = notebook.relative_to(output_dir / FAILED_DIR).parts
    if len(parts) not in (4, 5):  # <cadence>/<period>/[<segment>/]<stamp>-<lang>/notebook
        return None
    stamp, _, lang = parts[-2].rpartition("-")
    cadence, label = parts[0], parts[1]
    folder_slug = parts[2] if len(parts) == 5 else ""
    record = _read_json(notebook.parent / FAILURE_FILE) or {}
    label = str(record.get("period") or label)
    template = ""
    if cadence not in CADENCES:  # an analyst's template: its cadence is in its record
        if not NAME_PATTERN.fullmatch(cadence):
            return None
        template, cadence = cadence, ""
        with contextlib.suppress(ParameterError):  # no record: the period says it
            cadence = parse_period(label, calendar=_LABELS, any_week=True).cadence
    cadence = str(record.get("cadence") or cadence)
    lang = str(record.get("lang") or lang)
    segment: dict[str, Any] | None = None
    slug = _slug(record.get("segment")) if "segment" in record else None
    if slug is not None:
        segment = record["segment"]
    elif folder_slug:  # no usable record: a segment named only by its folder
        segment, slug = {"slug": folder_slug}, folder_slug
    else:  # folders of earlier versions: the whole company
        slug = ""
    period = _period(cadence, label) if cadence in CADENCES else None
    if period is None or lang not in LANGS:
        return None
    when = _instant(record["failed_at"], tz) if record.get("failed_at") else None
    return Run(
        cadence, period, lang, "failed", _href(notebook, output_dir),
        when or _failed_when(stamp, tz), manifest={}, segment=segment, slug=slug,
        error=_one_line(record.get("error")), template=template,
        template_title=record.get("template_title"),
    )  # fmt: skip


def _failed_runs(output_dir: Path, tz: ZoneInfo) -> list[Run]:
    """Every failed run kept under ``_failed/`` (any depth: company and segment runs)."""
    root = output_dir / FAILED_DIR
    notebooks = sorted(root.glob("**/notebook.ipynb")) if root.is_dir() else []
    return [run for nb in notebooks if (run := _failed_run(nb, output_dir, tz)) is not None]


def _runs(output_dir: Path, *, lang: str, timezone: str) -> list[Run]:
    """All rows, in the order of the page.

    Each cadence newest period first, then the company and the segments by label, then the
    default language first, then the newest run first. Marks each run that is not the newest
    of its cadence, period, scope and language as earlier, and keeps at most
    :data:`EARLIER_FAILED_SHOWN` earlier failures of each.
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
            segment=p.get("segment"),
            slug=_slug(p.get("segment")) or "",
            template=str(p.get("template_name") or ""),
            template_title=p.get("template_title"),
        )
        for p in collect_packs(output_dir, lang=lang)
    ]
    runs += _failed_runs(output_dir, tz)
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    runs.sort(key=lambda r: r.when or oldest, reverse=True)
    labels: dict[str, str] = {}  # one label per slug (its newest run's), so a scope stays together
    for run in runs:
        labels.setdefault(run.slug, scope_label(run.segment, lang=lang))
    runs.sort(key=lambda r: (r.lang != lang, r.lang))
    runs.sort(key=lambda r: (r.slug != "", labels[r.slug], r.slug))
    runs.sort(key=lambda r: r.period.start, reverse=True)
    runs.sort(key=lambda r: _group_order(r.cadence, r.template))

    shown: list[Run] = []
    current: dict[tuple[str, str, str, str], Run] = {}
    earlier_failed: Counter[tuple[str, str, str, str]] = Counter()
    hidden: Counter[tuple[str, str, str, str]] = Counter()
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


class _Previous:
    """The newest published pack of the same cadence (or template), scope and language."""

    def __init__(self, packs: list[Run]) -> None:
        self._lines: dict[tuple[str, str, str], list[Run]] = defaultdict(list)
        for p in sorted(packs, key=lambda p: p.period.start):
            self._lines[p.group, p.slug, p.lang].append(p)
        self._starts = {k: [p.period.start for p in v] for k, v in self._lines.items()}

    def of(self, run: Run) -> Run | None:
        key = run.group, run.slug, run.lang
        i = bisect.bisect_left(self._starts.get(key, []), run.period.start)
        return self._lines[key][i - 1] if i else None


def _link(href: str, text: str, *, rel: str = "") -> str:
    attr = f' class="{escape(rel)}"' if rel else ""
    return f'<a href="{escape(href)}"{attr}>{escape(text)}</a>'


def _cell(content: str, *, repeat: bool) -> str:
    """A cell that repeats the one above: kept for screen readers and copying, not shown."""
    if not repeat:
        return f"<td>{content}</td>"
    return f'<td class="rk-repeat"><span class="rk-shown">{content}</span></td>'


def _row(
    run: Run,
    previous: Run | None,
    *,
    lang: str,
    timezone: str,
    same_period: bool = False,
    same_scope: bool = False,
) -> str:
    tz = ZoneInfo(timezone)
    period = (
        f"{escape(format_period(run.period, lang=lang))}"
        f'<span class="rk-code">{escape(run.period.label)}</span>'
    )
    scope = escape(scope_label(run.segment, lang=lang))
    language = t(f"lang.{run.lang}", lang) if run.lang in LANGS else run.lang
    status = escape(t(f"index.status.{run.status}", lang))
    notes = [] if run.current else [t("index.earlier", lang)]
    notes += [run.note] if run.note else []
    status += "".join(f'<span class="rk-note">{escape(n)}</span>' for n in notes)
    if run.error:
        status += f'<span class="rk-error">{escape(run.error)}</span>'
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
    template = f' data-template="{escape(run.template)}"' if run.template else ""
    return (
        f'<tr class="{classes}" data-cadence="{escape(run.cadence)}"{template} '
        f'data-period="{escape(run.period.label)}" data-segment="{escape(run.slug)}" '
        f'data-lang="{escape(run.lang)}" data-status="{escape(run.status)}" '
        f'data-current="{str(run.current).lower()}">'
        f"{_cell(period, repeat=same_period)}{_cell(scope, repeat=same_scope)}"
        f"<td>{escape(language)}</td>"
        f'<td class="rk-status">{status}</td><td>{pack}</td><td>{fresh}</td>'
        f"<td>{built}</td><td>{prev}</td></tr>"
    )


def _template_heading(runs: list[Run], *, lang: str) -> str:
    """A template's section title: its title as its newest run recorded it, and its cadence."""
    newest = max(runs, key=lambda r: r.when or dt.datetime.min.replace(tzinfo=dt.UTC))
    recorded = newest.template_title
    title = recorded.get(lang) if isinstance(recorded, dict) else None
    if not isinstance(title, str) or not title.strip():
        title = humanise(newest.template)
    return t(
        "template.index.heading", lang, title=title,
        cadence=t(f"template.cadence.{newest.cadence}", lang),
    )  # fmt: skip


def _section(section: str, runs: list[Run], previous: _Previous, *, lang: str, tz: str) -> str:
    """One cadence's (or template's) table: a ``tbody`` per period, each scope shown once."""
    headings = [
        t(k, lang)
        for k in (
            "index.period", "index.scope", "index.lang", "index.status", "index.pack",
            "index.freshness", "index.built", "index.previous",
        )
    ]  # fmt: skip
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    bodies = []
    for label, group in itertools.groupby(runs, key=lambda r: r.period.label):
        rows, above = [], None
        for run in group:
            same_scope = above is not None and above.slug == run.slug
            row = _row(
                run, previous.of(run), lang=lang, timezone=tz, same_period=above is not None,
                same_scope=same_scope,
            )  # fmt: skip
            rows.append(row)
            above = run
        bodies.append(
            f'<tbody class="rk-period" data-period="{escape(label)}">{"".join(rows)}</tbody>'
        )
    if section in CADENCES:
        opening = f'<section id="{section}"><h2>{escape(t(f"title.{section}", lang))}</h2>'
    else:
        heading = _template_heading(runs, lang=lang)
        opening = (
            f'<section id="template-{escape(section)}" data-template="{escape(section)}">'
            f"<h2>{escape(heading)}</h2>"
        )
    return (
        f'{opening}<table class="rk-index"><thead><tr>{head}</tr></thead>{"".join(bodies)}'
        f"</table></section>"
    )


def _duration(seconds: float, *, lang: str) -> str:
    """``41秒`` / ``41 s``, ``2分5秒`` / ``2 min 5 s``, ``1時間2分`` / ``1 h 2 min``."""
    total = max(round(seconds), 0)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return t("index.duration.hours", lang, h=format_count(h, lang=lang), m=m)
    if m:
        return t("index.duration.minutes", lang, m=m, s=s)
    return t("index.duration.seconds", lang, s=s)


def _number(value: object) -> float | None:
    """A finite number read from JSON; None for anything else (text, NaN, true)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _batch_failure(item: dict[str, Any], *, lang: str) -> str:
    """One failed pack of the batch: what it was, its error line and its kept notebook."""
    cadence = str(item.get("cadence") or "")
    period = _period(cadence, item.get("period")) if cadence in CADENCES else None
    if period is None:
        what = escape(str(item.get("name") or "?"))
    else:
        segment = item.get("segment") if _slug(item.get("segment")) is not None else None
        item_lang = str(item.get("lang") or "")
        parts = [
            t(f"title.{cadence}", lang), format_period(period, lang=lang),
            scope_label(segment, lang=lang),
            t(f"lang.{item_lang}", lang) if item_lang in LANGS else item_lang,
        ]  # fmt: skip
        what = escape(" · ".join(p for p in parts if p))
    error = _one_line(item.get("error"))
    html = f"<strong>{what}</strong>"
    html += f'<span class="rk-error">{escape(error)}</span>' if error else ""
    href = _safe_href(item.get("notebook"))
    if href is not None:
        html += f" {_link(href, t('index.notebook', lang), rel='rk-notebook')}"
    return f"<li>{html}</li>"


def _batch(output_dir: Path, *, lang: str, timezone: str) -> str:
    """The block on the last batch run (``_logs/last-batch.json``); ``""`` if there is none."""
    record = _read_json(output_dir / LAST_BATCH)
    if record is None:
        return ""
    tz = ZoneInfo(timezone)
    start = _instant(record.get("started_at"), tz) if record.get("started_at") else None
    end = _instant(record.get("finished_at"), tz) if record.get("finished_at") else None
    shown_start = "—" if start is None else format_datetime(start, lang=lang)
    interrupted = record.get("status") == "interrupted"  # SIGINT or SIGTERM stopped it
    killed = end is None and batch_gone(record)  # e.g. kill -9: it could not write its end
    if killed:
        interrupted, when = True, t("index.batch.killed", lang, start=shown_start)
    elif end is None:
        when = t("index.batch.running", lang, start=shown_start)
    else:
        seconds = _number(record.get("seconds"))
        if seconds is None and start is not None:
            seconds = (end - start).total_seconds()
        duration = "—" if seconds is None else _duration(seconds, lang=lang)
        when = t(
            "index.batch.stopped" if interrupted else "index.batch.finished", lang,
            start=shown_start, end=format_datetime(end, lang=lang), duration=duration,
            signal=str(record.get("signal") or ""),
        )  # fmt: skip
    when_html = escape(when)
    try:
        as_of = dt.date.fromisoformat(str(record.get("as_of")))
        when_html += f" · {escape(t('index.batch.as_of', lang, day=format_date(as_of, lang=lang)))}"
    except ValueError:
        pass
    counts = record.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    tally = "".join(
        f'<span class="rk-count" data-count="{name}">{escape(t(f"index.batch.{name}", lang))} '
        f"<strong>{escape(format_count(_number(counts.get(name)), lang=lang))}</strong></span>"
        for name in ("built", "skipped", "failed", "interrupted")
        if name != "interrupted" or interrupted
    )
    log = _safe_href(record.get("log"))
    if log is not None:
        text = f"{t('index.batch.log', lang)} ({PurePosixPath(str(record['log'])).name})"
        tally += _link(log, text, rel="rk-log")
    failed = record.get("failed")
    items = [i for i in failed if isinstance(i, dict)] if isinstance(failed, list) else []
    n_failed = max(len(items), int(_number(counts.get("failed")) or 0))
    alert = ""
    if n_failed:
        words = (
            t("index.batch.alert_one", lang)
            if n_failed == 1
            else t("index.batch.alert", lang, n=format_count(n_failed, lang=lang))
        )
        listed = "".join(_batch_failure(i, lang=lang) for i in items)
        alert = (
            f'<div class="rk-alert" role="alert"><p>{escape(words)}</p>'
            f"{f'<ul>{listed}</ul>' if listed else ''}</div>"
        )
    state = "interrupted" if interrupted else "running" if end is None else "finished"
    return (
        f'<section id="last-batch" class="rk-batch" data-state="{state}">'
        f"<h2>{escape(t('index.batch.title', lang))}</h2>"
        f'<p class="rk-when">{when_html}</p><p class="rk-counts">{tally}</p>{alert}</section>'
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
    previous = _Previous([r for r in runs if r.status != "failed"])
    groups = [*CADENCES, *sorted({r.template for r in runs if r.template})]
    sections = [
        _section(group, rows, previous, lang=lang, tz=timezone)
        for group in groups
        if (rows := [r for r in runs if r.group == group])
    ]
    if sections:
        sections.insert(0, f'<p class="rk-legend">{escape(t("index.legend_scopes", lang))}</p>')
    else:
        sections.append(f"<p>{escape(t('index.empty', lang))}</p>")
    title = escape(t("index.title", lang))
    company = _company(runs, lang=lang)
    company_html = f'<p class="rk-company">{escape(company)}</p>' if company else ""
    batch = _batch(output_dir, lang=lang, timezone=timezone)
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{title}</h1>{company_html}{batch}{''.join(sections)}</main></body></html>"
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
    # The page quotes error lines and labels read from disk, maybe written before redaction.
    write_text_atomic(path, redact_text(render_index(output_dir, lang=lang, timezone=timezone)))
    return path
