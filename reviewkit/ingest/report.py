"""What an import did, as the one line per file ``reviewkit import`` prints (ja/en).

The line accounts for every row of the file: the rows read (loaded, updated, unchanged or
rejected) and the lines the reader skipped (report titles above the header, blank lines,
footers below the data), a few of them quoted, shortened and redacted. A file imported before
with the same content and profile is reported "unchanged", its quarantined rows replaced rather
than added again. Merged ``.xlsx`` cells come back as a warning line.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reviewkit.core.escapes import escape_controls, quoted, shorten
from reviewkit.core.redaction import redact_text
from reviewkit.i18n.texts import t
from reviewkit.ingest.consistency import CONSISTENCY_COLUMNS
from reviewkit.ingest.readers_table import RawTable

__all__ = ["QUOTED_LINES", "ImportReport"]

#: How many skipped lines a report quotes (the rest are counted).
QUOTED_LINES = 3
_QUOTE_LENGTH = 40
_RANGES_SHOWN = 8


def _quote(line: str) -> str:
    """A skipped line for the report: its non-empty cells without quotes, short, redacted."""
    split = max((next(csv.reader([line], delimiter=d), []) for d in (",", "\t", ";")), key=len)
    text = ", ".join(cell.strip() for cell in split if cell.strip()) or line.strip()
    return quoted(shorten(redact_text(text), limit=_QUOTE_LENGTH))


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do).

    ``rows_read`` counts the data rows; with the header and ``skipped_title``,
    ``skipped_blank`` and ``skipped_footer`` it adds up to every row of the file.
    ``previous`` is when the same content was last imported with the same profile.
    """

    file: Path
    profile: str
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    dropped_footer: list[str] = field(default_factory=list)
    dry_run: bool = False
    skipped_title: list[str] = field(default_factory=list)
    skipped_blank: int = 0
    skipped_footer: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    sheet: str | None = None
    previous: str | None = None  # "2026-12-07 00:12 UTC"
    # quarantined rows of the earlier import of the same content that this one replaced
    replaced_quarantine: int = 0
    same_quarantine: bool = False
    # amounts converted to the workspace's currency (params/rates.yml), by their currency
    converted: Counter[str] = field(default_factory=Counter)
    # stage dates contradicting each other in the store after the import (see consistency)
    consistency: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CONSISTENCY_COLUMNS)
    )

    @classmethod
    def of(cls, table: RawTable, *, profile: str, dry_run: bool) -> ImportReport:
        """A report of ``table``'s rows and skipped lines, before anything is written."""
        title = [line for line in table.title_rows if line.strip(", \t;")]
        footer = [line for line in table.dropped_footer if line.strip(", \t;")]
        blank = (
            table.blank_rows
            + len(table.title_rows) - len(title)
            + len(table.dropped_footer) - len(footer)
        )  # fmt: skip
        return cls(
            file=table.file, profile=profile, rows_read=len(table.frame), dry_run=dry_run,
            dropped_footer=list(table.dropped_footer), skipped_title=title, skipped_blank=blank,
            skipped_footer=footer, merged=list(table.merged), sheet=table.sheet,
        )  # fmt: skip

    @property
    def skipped(self) -> int:
        """Every line the reader skipped (titles, blank lines, footers)."""
        return len(self.skipped_title) + self.skipped_blank + len(self.skipped_footer)

    @property
    def is_unchanged(self) -> bool:
        """The same content was imported before and this import changed nothing."""
        return (
            self.previous is not None
            and self.loaded == 0
            and self.updated == 0
            and self.same_quarantine
        )

    def line(self, lang: str = "en") -> str:
        """One line for the terminal, in ``lang`` (file names and quotes escaped)."""
        name = escape_controls(self.file.name)
        head = f"{name} [{escape_controls(self.profile)}]"
        reasons = t("import.list_sep", lang).join(
            f"{escape_controls(reason)} {n}" for reason, n in self.reasons.most_common()
        )
        if self.is_unchanged and self.previous is not None:
            text = t("import.unchanged_file", lang, head=head, when=self.previous,
                     read=self.rows_read,
                     unchanged=self.unchanged, rejected=self.rejected)  # fmt: skip
            if self.rejected:
                text += t("import.already_quarantined", lang)
        else:
            key = "import.line_dry" if self.dry_run else "import.line"
            text = t(key, lang, head=head, read=self.rows_read, loaded=self.loaded,
                     updated=self.updated, unchanged=self.unchanged,
                     rejected=self.rejected)  # fmt: skip
            if reasons:
                text += t("import.reasons", lang, reasons=reasons)
            if self.replaced_quarantine:
                text += t("import.replaced", lang, n=self.replaced_quarantine)
            if self.converted:
                by_code = ", ".join(f"{code} {n}" for code, n in sorted(self.converted.items()))
                text += t("import.converted", lang, n=self.converted.total(), by_code=by_code)
        return text + self._skipped_text(lang)

    def _skipped_text(self, lang: str) -> str:
        if not self.skipped:
            return ""
        parts = []
        if self.skipped_title:
            parts.append(t("import.skipped_title", lang, n=len(self.skipped_title),
                           s=_plural(len(self.skipped_title)))
                         + self._quotes(self.skipped_title))  # fmt: skip
        if self.skipped_blank:
            parts.append(
                t("import.skipped_blank", lang, n=self.skipped_blank, s=_plural(self.skipped_blank))
            )
        if self.skipped_footer:
            parts.append(t("import.skipped_footer", lang, n=len(self.skipped_footer),
                           s=_plural(len(self.skipped_footer)))
                         + self._quotes(self.skipped_footer))  # fmt: skip
        return t("import.skipped", lang, n=self.skipped, s=_plural(self.skipped),
                 parts=t("import.list_sep", lang).join(parts))  # fmt: skip

    @staticmethod
    def _quotes(lines: list[str]) -> str:
        shown = ", ".join(_quote(line) for line in lines[:QUOTED_LINES])
        return ": " + shown + (", …" if len(lines) > QUOTED_LINES else "")

    def warnings(self, lang: str = "en") -> list[str]:
        """Warning lines about the file (merged cells), in ``lang``."""
        if not self.merged:
            return []
        ranges = ", ".join(escape_controls(r) for r in self.merged[:_RANGES_SHOWN])
        if len(self.merged) > _RANGES_SHOWN:
            ranges += t("import.more", lang, n=len(self.merged) - _RANGES_SHOWN)
        name, sheet = escape_controls(self.file.name), quoted(self.sheet or "")
        return [t("import.merged", lang, file=name, sheet=sheet, ranges=ranges)]
