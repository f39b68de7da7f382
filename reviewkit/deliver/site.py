"""``reviewkit publish DIR``: the packs laid out per audience, each folder with its own index.

``DIR/<audience>/`` holds exactly the packs that audience receives (every period published so
far, in the output folder's layout) and an ``index.html`` listing only them, so a web server's
per-folder access rules (``location /team-b/`` with its own password, an ``.htaccess`` per
folder) keep Team B's packs from Team C. ``DIR`` itself gets no index: nothing lists what an
audience may not see. Each audience's folder is built beside the old one and swapped in, so a
reader never sees half a folder; files are hard links into the output folder where the file
system allows (no second copy on disk).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.deliver.config import Audience, DeliveryConfig
from reviewkit.errors import ParameterError

__all__ = ["SiteReport", "job_of", "publish_site"]

_SKIP = {"notebook.ipynb"}  # the executed notebook: the analysts', not the readers'


@dataclass(frozen=True)
class SiteReport:
    """What a publish laid out: packs per audience, and where."""

    folder: Path
    packs: dict[str, int]


def job_of(manifest: dict[str, Any]) -> str:
    """The batch job a published pack belongs to, from its manifest.

    ``<cadence|template>/<company|segment slug>/<lang>``, as :class:`reviewkit.pack.schedule.Job`
    names it (a workspace template's packs carry the template's name).
    """
    cadence = str(manifest.get("cadence", ""))
    stem = Path(str(manifest.get("template", ""))).stem
    name = cadence if not stem or stem == f"{cadence}_review" else stem
    segment = manifest.get("segment")
    slug = segment.get("slug") if isinstance(segment, dict) else None
    return f"{name}/{slug or 'company'}/{manifest.get('lang', '')}"


def _manifests(out: Path) -> list[Path]:
    """Every published pack's manifest (not those of failed or staged runs)."""
    return [
        p
        for p in sorted(out.rglob("manifest.json"))
        if not any(part.startswith("_") for part in p.relative_to(out).parts)
        and (p.parent / "pack.html").is_file()
    ]


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(staged: Path, final: Path) -> None:
    """Put ``staged`` in place of ``final`` (the old one removed after the rename)."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staged.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _audience_folder(
    audience: Audience, packs: list[tuple[Path, str]], *, out: Path, site: Path
) -> int:
    staged = site / f".{audience.name}.new-{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    count = 0
    for manifest, job in packs:
        if job not in audience.jobs:
            continue
        folder = manifest.parent
        for file in folder.iterdir():
            if file.is_file() and file.name not in _SKIP:
                _link_or_copy(file, staged / folder.relative_to(out) / file.name)
        count += 1
    return count


def publish_site(
    out: Path, site: Path, config: DeliveryConfig, *, lang: str, timezone: str
) -> SiteReport:
    """Lay the published packs out in ``site``, one folder and index per audience.

    Parameters
    ----------
    out
        The output folder the batch publishes into.
    site
        The site's folder (``site.dir`` of ``params/delivery.yml``, or ``reviewkit publish DIR``).
    config
        The audiences.
    lang, timezone
        The index pages' language and time zone (the workspace's).

    Raises
    ------
    ParameterError
        When ``site`` is inside the output folder or the output folder inside ``site`` (one
        would copy the other into itself).
    """
    from reviewkit.pack.index_page import write_index

    out, site = out.resolve(), site.expanduser().resolve()
    if site == out or site.is_relative_to(out) or out.is_relative_to(site):
        raise ParameterError(
            f"publish: {site} and the output folder {out} overlap; publish to a folder "
            "outside outputs/ (e.g. /srv/www/reviewkit)"
        )
    site.mkdir(parents=True, exist_ok=True)
    packs = []
    for manifest in _manifests(out):
        with contextlib.suppress(OSError, ValueError):
            packs.append((manifest, job_of(json.loads(manifest.read_text(encoding="utf-8")))))
    counts = {}
    for audience in config.audiences:
        staged = site / f".{audience.name}.new-{os.getpid()}"
        counts[audience.name] = _audience_folder(audience, packs, out=out, site=site)
        langs = {job.rsplit("/", 1)[-1] for job in audience.jobs}
        write_index(staged, lang=langs.pop() if len(langs) == 1 else lang, timezone=timezone)
        _swap(staged, site / audience.name)
    return SiteReport(site, counts)
