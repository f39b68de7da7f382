"""Publish a built pack: move it from its staging folder into place, or keep a failed run.

A pack is published whole or not at all: its files are moved from the staging folder (on the
same file system) with the template's files first and ``pack.html`` last, so a reader never
sees a new pack without them. The template's files are exactly those it published through
its :class:`reviewkit.core.context.PackContext`. A failed run is redacted and kept under
``<output-dir>/_failed/`` with a ``failure.json`` (:class:`FailedRun`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.core.context import CONTEXT_FILE, FILES_RECORD, PACK_FILES
from reviewkit.core.periods import Period
from reviewkit.core.published import redact_folder, write_json
from reviewkit.core.workspace import Workspace
from reviewkit.model.scope import Scope
from reviewkit.pack.plan import scope_record
from reviewkit.pack.staging import OWNER_FILE


def publish(staging: Path, target: Path, *, files: Sequence[str] = ()) -> None:
    """Move the pack and the template's ``files`` from ``staging`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    # The template's files first, pack.html last: a reader never sees a new pack without them.
    for name in [*files, *PACK_FILES]:
        (staging / name).replace(target / name)


@dataclass(frozen=True)
class FailedRun:
    """Where a failed run is kept, and what to record about it."""

    out: Path
    period: Period
    lang: str
    scope: Scope | None
    name: str = ""  # an analyst's template: kept under its name, not its cadence
    record: Mapping[str, Any] | None = None  # added to failure.json (the template's name)

    def keep(self, staging: Path, error: str) -> Path:
        """Redact the staging folder, move it under ``_failed/`` with a ``failure.json``.

        Returns the kept notebook's path.
        """
        # UTC, and unique even for two failures within a second
        now = dt.datetime.now(dt.UTC)
        stamp = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:4]}"
        folder = self.out / "_failed" / (self.name or self.period.cadence) / self.period.label
        if self.scope is not None:
            folder = folder / self.scope.slug
        kept = folder / f"{stamp}-{self.lang}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        for own in (OWNER_FILE, CONTEXT_FILE, FILES_RECORD):  # the run's, not the template's
            (staging / own).unlink(missing_ok=True)
        redact_folder(staging, rendered=())  # _failed/ is published: its notebook is linked
        shutil.move(str(staging), kept)
        record = {
            "status": "failed", "cadence": self.period.cadence, "period": self.period.label,
            "lang": self.lang, "segment": scope_record(self.scope, lang=self.lang),
            "error": error, "failed_at": now.isoformat(timespec="seconds"),
            **(self.record or {}),
        }  # fmt: skip
        write_json(kept / "failure.json", record)
        return kept / "notebook.ipynb"

    @property
    def label(self) -> str:
        """The period (and segment) in messages: ``2026-10``, ``2026-10 sales_team=Team B``."""
        return self.period.label + ("" if self.scope is None else f" {self.scope.text}")


def refresh_index(out: Path, ws: Workspace) -> None:
    """Write the output folder's ``index.html`` again (see :mod:`reviewkit.pack.index_page`)."""
    from reviewkit.pack.index_page import write_index

    write_index(out, lang=ws.config.lang, timezone=ws.config.timezone)


def cleanup_staging_root(out: Path) -> None:
    """Remove ``_staging/`` when it is empty (another run may be using it: then it stays)."""
    with contextlib.suppress(OSError):  # not empty, or already gone
        (out / "_staging").rmdir()
