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
import datetime as dt
import itertools
import math
from collections import defaultdict
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import CADENCES
from reviewkit.core.redaction import redact_text
from reviewkit.i18n.formatting import format_count, format_date, format_datetime, format_period
from reviewkit.i18n.texts import LANGS, t
from reviewkit.pack.batch_stop import batch_gone
from reviewkit.pack.index_delivery import delivery_block
from reviewkit.pack.index_runs import (
    LAST_BATCH,
    Run,
    index_runs,
    instant,
    one_line,
    period_of,
    read_json,
    safe_href,
    scope_label,
    segment_slug,
)
from reviewkit.review.templates import humanise

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
        moment = instant(run.manifest.get("data_freshness"), tz)
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
    period = period_of(cadence, item.get("period")) if cadence in CADENCES else None
    if period is None:
        what = escape(str(item.get("name") or "?"))
    else:
        segment = item.get("segment") if segment_slug(item.get("segment")) is not None else None
        item_lang = str(item.get("lang") or "")
        parts = [
            t(f"title.{cadence}", lang), format_period(period, lang=lang),
            scope_label(segment, lang=lang),
            t(f"lang.{item_lang}", lang) if item_lang in LANGS else item_lang,
        ]  # fmt: skip
        what = escape(" · ".join(p for p in parts if p))
    error = one_line(item.get("error"))
    html = f"<strong>{what}</strong>"
    html += f'<span class="rk-error">{escape(error)}</span>' if error else ""
    href = safe_href(item.get("notebook"))
    if href is not None:
        html += f" {_link(href, t('index.notebook', lang), rel='rk-notebook')}"
    return f"<li>{html}</li>"


def _batch(output_dir: Path, *, lang: str, timezone: str) -> str:
    """The block on the last batch run (``_logs/last-batch.json``); ``""`` if there is none."""
    record = read_json(output_dir / LAST_BATCH)
    if record is None:
        return ""
    tz = ZoneInfo(timezone)
    end = instant(record.get("finished_at"), tz) if record.get("finished_at") else None
    interrupted = record.get("status") == "interrupted"  # SIGINT or SIGTERM stopped it
    killed = end is None and batch_gone(record)  # e.g. kill -9: it could not write its end
    interrupted = interrupted or killed
    when_html = escape(_batch_when(record, tz, end=end, killed=killed, lang=lang))
    try:
        as_of = dt.date.fromisoformat(str(record.get("as_of")))
        when_html += f" · {escape(t('index.batch.as_of', lang, day=format_date(as_of, lang=lang)))}"
    except ValueError:
        pass
    counts: dict[str, Any] = record["counts"] if isinstance(record.get("counts"), dict) else {}
    tally = "".join(
        f'<span class="rk-count" data-count="{name}">{escape(t(f"index.batch.{name}", lang))} '
        f"<strong>{escape(format_count(_number(counts.get(name)), lang=lang))}</strong></span>"
        for name in ("built", "skipped", "failed", "interrupted")
        if name != "interrupted" or interrupted
    )
    log = safe_href(record.get("log"))
    if log is not None:
        text = f"{t('index.batch.log', lang)} ({PurePosixPath(str(record['log'])).name})"
        tally += _link(log, text, rel="rk-log")
    alert = _batch_alert(record.get("failed"), counts, lang=lang)
    alert += delivery_block(record.get("delivery"), lang=lang)
    state = "interrupted" if interrupted else "running" if end is None else "finished"
    return (
        f'<section id="last-batch" class="rk-batch" data-state="{state}">'
        f"<h2>{escape(t('index.batch.title', lang))}</h2>"
        f'<p class="rk-when">{when_html}</p><p class="rk-counts">{tally}</p>{alert}</section>'
    )


def _batch_when(
    record: dict[str, Any], tz: ZoneInfo, *, end: dt.datetime | None, killed: bool, lang: str
) -> str:
    """When the batch ran: started, finished (or stopped) and how long it took."""
    start = instant(record.get("started_at"), tz) if record.get("started_at") else None
    shown_start = "—" if start is None else format_datetime(start, lang=lang)
    if killed:
        return t("index.batch.killed", lang, start=shown_start)
    if end is None:
        return t("index.batch.running", lang, start=shown_start)
    seconds = _number(record.get("seconds"))
    if seconds is None and start is not None:
        seconds = (end - start).total_seconds()
    duration = "—" if seconds is None else _duration(seconds, lang=lang)
    return t(
        "index.batch.stopped" if record.get("status") == "interrupted" else "index.batch.finished",
        lang, start=shown_start, end=format_datetime(end, lang=lang), duration=duration,
        signal=str(record.get("signal") or ""),
    )  # fmt: skip


def _batch_alert(failed: object, counts: dict[str, Any], *, lang: str) -> str:
    """The alert naming the batch's failed packs; ``""`` when none failed."""
    items = [i for i in failed if isinstance(i, dict)] if isinstance(failed, list) else []
    n_failed = max(len(items), int(_number(counts.get("failed")) or 0))
    if not n_failed:
        return ""
    words = (
        t("index.batch.alert_one", lang)
        if n_failed == 1
        else t("index.batch.alert", lang, n=format_count(n_failed, lang=lang))
    )
    listed = "".join(_batch_failure(i, lang=lang) for i in items)
    return (
        f'<div class="rk-alert" role="alert"><p>{escape(words)}</p>'
        f"{f'<ul>{listed}</ul>' if listed else ''}</div>"
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
    runs = index_runs(output_dir, lang=lang, timezone=timezone)
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
