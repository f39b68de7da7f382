"""A pack's first screen as data: its summary sentences and KPI statuses, for messages.

While a pack is built, the review writes these next to it as ``summary.json``; the e-mails and
chat messages that deliver the pack (:mod:`reviewkit.deliver`) quote them, so that a message
says exactly what the pack's first screen says.
"""

from __future__ import annotations

from collections.abc import Collection
from html.parser import HTMLParser

import pandas as pd

from reviewkit.analysis.status import status_of
from reviewkit.i18n.formatting import format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.glossary import metric_label

__all__ = ["pace_statuses", "scorecard_statuses", "summary_sentences"]

_LINK_MARK = "→"


class _Items(HTMLParser):
    """The text of each ``<li>`` (or, without a list, of the whole fragment)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list[str]] = []
        self.loose: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.depth += 1
            self.items.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        (self.items[-1] if self.depth else self.loose).append(data)


def _clean(parts: list[str]) -> str:
    text = " ".join("".join(parts).split())
    return text.removesuffix(_LINK_MARK).rstrip()


def summary_sentences(html: str) -> list[str]:
    """The sentences of a summary box as plain text, in order.

    Each ``<li>`` is one sentence (its links' arrows dropped, white space collapsed); a
    fragment without a list (a pack without data says so in one paragraph) is one sentence.
    """
    parser = _Items()
    parser.feed(html)
    parser.close()
    sentences = [_clean(item) for item in parser.items]
    if not sentences:
        sentences = [_clean(parser.loose)]
    return [s for s in sentences if s]


def _record(label: str, status: str, words: str, actual: str, target: str) -> dict[str, str]:
    return {"label": label, "status": status, "status_text": words, "actual": actual,
            "target": target}  # fmt: skip


def scorecard_statuses(
    card: pd.DataFrame,
    *,
    definitions: Definitions,
    no_data: Collection[str],
    lang: str,
    currency: str,
) -> list[dict[str, str]]:
    """The scorecard's rows as the pack's status column shows them.

    Parameters
    ----------
    card
        :func:`reviewkit.analysis.scorecard.scorecard`.
    no_data
        Metrics the store holds no record of (status "no data", never "missed").

    Returns
    -------
    list of dict
        ``label``, ``status``, ``status_text`` (symbol and word), ``actual``, ``target``
        (formatted; ``""`` without a target).
    """
    rows = []
    for row in card.itertuples(index=False):
        missing = row.metric in no_data
        status = "no_data" if missing else status_of(float(row.achievement))
        target = float(row.target)
        rows.append(
            _record(
                metric_label(definitions, str(row.metric), lang=lang), status,
                t(f"status.{status}", lang),
                "—" if missing else format_value(
                    float(row.actual), kind=str(row.kind), lang=lang, currency=currency
                ),
                "" if pd.isna(target) else format_value(
                    target, kind=str(row.kind), lang=lang, currency=currency
                ),
            )
        )  # fmt: skip
    return rows


def pace_statuses(
    pace: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> list[dict[str, str]]:
    """The month to date against its pace, as the weekly pack's status column shows it.

    Parameters
    ----------
    pace
        :func:`reviewkit.analysis.pacing.pace_frame`; the open month's rows are used.
    """
    month = pace[(pace["scope"] == "month") & ~pace["closed"].astype(bool)]
    rows = []
    for row in month.itertuples(index=False):
        target = float(row.target)

        def fmt(value: float, *, kind: str = str(row.kind)) -> str:
            return format_value(value, kind=kind, lang=lang, currency=currency)

        rows.append(
            _record(
                metric_label(definitions, str(row.metric), lang=lang), str(row.status),
                t(f"pace.status.{row.status}", lang), fmt(float(row.actual)),
                "" if pd.isna(target) else fmt(target),
            )
        )  # fmt: skip
    return rows
