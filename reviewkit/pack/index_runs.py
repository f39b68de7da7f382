"""What ``<output-dir>/index.html`` lists: every published pack and every failed run.

Each :class:`Run` is a published pack (its ``manifest.json``) or a failed run kept under
``_failed/<cadence>/<period>/[<segment>/]<stamp>-<lang>/`` (with its ``failure.json``; older
folders have none and are read from their names). Its status is ``ok``, ``failed`` or ``stale``
(the data ended before the period's last day). For each cadence, period, scope and language the
newest run is the current state; older runs are marked as earlier. Everything read from disk is
checked here; :mod:`reviewkit.pack.index_page` turns the runs into the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from reviewkit.core.periods import CADENCES, FiscalCalendar, Period, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import LANGS, TEXTS, t
from reviewkit.model.scope import Scope
from reviewkit.review.templates import NAME_PATTERN

FAILED_DIR = "_failed"
FAILED_STAMP = "%Y%m%dT%H%M%S"  # publish.FailedRun.keep: <stamp>Z-<id>-<lang>, UTC
FAILURE_FILE = "failure.json"
LAST_BATCH = "_logs/last-batch.json"
EARLIER_FAILED_SHOWN = 3  # per cadence, period, scope and language, besides the current state
ERROR_SHOWN = 300  # characters of an error line shown in the page

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
    segment: dict[str, Any] | None = None  # as recorded by plan.scope_record; None: company
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


def safe_href(text: object) -> str | None:
    """A path read from a file, as a link within the output folder; None if it is not one."""
    if not isinstance(text, str) or not text or "\\" in text or ":" in text:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts:
        return None
    return quote(path.as_posix(), safe="/")


def period_of(cadence: str, label: object) -> Period | None:
    """The period a label of ``cadence`` names; ``None`` for anything else."""
    try:
        period = parse_period(str(label), calendar=_LABELS, any_week=True)
    except ParameterError:
        return None
    return period if period.cadence == cadence else None


def instant(text: object, tz: ZoneInfo) -> dt.datetime | None:
    """An ISO time read from disk, in ``tz``; ``None`` when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(tz)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def segment_slug(segment: object) -> str | None:
    """The scope's slug: ``""`` for the company (None), None when the record is unusable."""
    if segment is None:
        return ""
    if isinstance(segment, dict) and isinstance(segment.get("slug"), str) and segment["slug"]:
        return str(segment["slug"])
    return None


def one_line(text: object) -> str:
    """The first line of an error read from disk, shortened for the page."""
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
    fresh = instant(manifest.get("data_freshness"), ZoneInfo(timezone))
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
            data = read_json(manifest)
            if data is None or not _belongs(data, folder):
                continue
            period = period_of(str(data["cadence"]), data.get("period"))
            if period is None or segment_slug(data.get("segment")) is None:
                continue
            data["href"] = _href(manifest.parent / "pack.html", output_dir)
            data["_start"] = period.start
            found.append(data)
    found.sort(key=lambda d: (d.get("lang") != lang, str(d.get("lang", ""))))
    found.sort(key=lambda d: (segment_slug(d.get("segment")) != "", segment_slug(d.get("segment"))))
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
    record = read_json(notebook.parent / FAILURE_FILE) or {}
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
    slug = segment_slug(record.get("segment")) if "segment" in record else None
    if slug is not None:
        segment = record["segment"]
    elif folder_slug:  # no usable record: a segment named only by its folder
        segment, slug = {"slug": folder_slug}, folder_slug
    else:  # folders of earlier versions: the whole company
        slug = ""
    period = period_of(cadence, label) if cadence in CADENCES else None
    if period is None or lang not in LANGS:
        return None
    when = instant(record["failed_at"], tz) if record.get("failed_at") else None
    return Run(
        cadence, period, lang, "failed", _href(notebook, output_dir),
        when or _failed_when(stamp, tz), manifest={}, segment=segment, slug=slug,
        error=one_line(record.get("error")), template=template,
        template_title=record.get("template_title"),
    )  # fmt: skip


def _failed_runs(output_dir: Path, tz: ZoneInfo) -> list[Run]:
    """Every failed run kept under ``_failed/`` (any depth: company and segment runs)."""
    root = output_dir / FAILED_DIR
    notebooks = sorted(root.glob("**/notebook.ipynb")) if root.is_dir() else []
    return [run for nb in notebooks if (run := _failed_run(nb, output_dir, tz)) is not None]


def index_runs(output_dir: Path, *, lang: str, timezone: str) -> list[Run]:
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
            period_of(p["cadence"], p["period"]),  # type: ignore[arg-type]
            str(p.get("lang", "")),
            "stale" if is_stale(p, timezone=timezone) else "ok",
            p["href"],
            instant(p.get("built_at"), tz),
            manifest=p,
            segment=p.get("segment"),
            slug=segment_slug(p.get("segment")) or "",
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
