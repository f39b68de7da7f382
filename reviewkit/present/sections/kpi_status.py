"""The KPI status section of every pack: scorecard, stage rates, trend and funnel charts.

Frames from :mod:`reviewkit.analysis.scorecard` (and the funnel's values) in, HTML and charts
out; the review (:mod:`reviewkit.review.base`) passes what it computed once.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from reviewkit.analysis.status import NEAR
from reviewkit.core.currency import money_labels_expr
from reviewkit.i18n.formatting import format_count, format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.present.charts.funnel import funnel_chart
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.trend import trend_chart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, missing_html
from reviewkit.present.tables import rates_table, scorecard_table, status_of

if TYPE_CHECKING:
    from reviewkit.core.periods import Period
    from reviewkit.model.definitions import Definitions


def missing_lines(lines: Sequence[str]) -> str:
    """One ``rk-missing`` line per kind of funnel data the store lacks; ``""`` when none."""
    return "".join(f'<p class="rk-missing">{escape(line)}</p>' for line in lines)


def scorecard_section(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    previous: Period,
    no_data: Collection[str],
    missing: Sequence[str],
    lang: str,
    currency: str,
) -> Html:
    """The scorecard as a table, with a note on how it is counted and what data is missing.

    Parameters
    ----------
    frame
        :func:`reviewkit.analysis.scorecard.scorecard`.
    previous
        The period compared with (named in the note).
    no_data
        Metrics without any record (marked in the table).
    missing
        The lines saying which funnel data the store lacks.
    """
    note = t("scorecard.note", lang, previous=format_period(previous, lang=lang))
    table = scorecard_table(
        frame, definitions=definitions, lang=lang, currency=currency, no_data=no_data
    )
    return Html(
        f'{table.html}<p class="rk-note">{escape(note)}</p>{missing_lines(missing)}',
        text=table.text,
    )


def rates_section(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> Html:
    """The stage rates as a table, with a note on bases and maturing cohorts.

    A maturing cohort is marked, the period's and the previous period's; when any is, the
    table compares both at the same age and the note says how to read it.
    """
    points = f"{definitions.conversion.show_both_when_gap * 100:g}"
    note = t("rates.note", lang, gap=t("rate.points", lang, value=points))
    if frame["equal_days"].notna().any():
        note += (" " if lang == "en" else "") + t("rates.note_equal", lang)
    table = rates_table(frame, definitions=definitions, lang=lang)
    return Html(f'{table.html}<p class="rk-note">{escape(note)}</p>', text=table.text)


def trend_section(
    points: Sequence[Mapping[str, Any]],
    *,
    kinds: dict[str, str],
    definitions: Definitions,
    date_format: str,
    lang: str,
    currency: str,
) -> PackChart:
    """Actual against target over recent periods, one metric at a time (a dropdown).

    Parameters
    ----------
    points
        One point per period and metric: ``period`` (a :class:`Period`), ``metric``,
        ``actual`` and ``target`` (``None`` without one), periods oldest first.
    kinds
        Each metric's kind (``count``, ``rate``, ``amount``, ...).
    date_format
        How the axis writes a period's start (``%m/%d`` for weeks, ``%Y-%m`` for months).
    """
    rows = []
    for point in points:
        period, metric, actual, target = (
            point[k] for k in ("period", "metric", "actual", "target")
        )
        rows.append(
            {
                "period": format_period(period, lang=lang),
                "start": period.start,
                "metric": metric,
                "actual": actual,
                "target": math.nan if target is None else float(target),
                "shown_actual": format_value(
                    actual, kind=kinds[metric], lang=lang, currency=currency
                ),
                "shown_target": format_value(
                    target, kind=kinds[metric], lang=lang, currency=currency
                ),
                "band_low": math.nan if target is None else NEAR * float(target),
                "band_high": math.nan if target is None else float(target),
            }
        )
    metrics = list(dict.fromkeys(point["metric"] for point in points))
    periods = len({point["period"].label for point in points})
    labels = {m: metric_label(definitions, m, lang=lang) for m in metrics}
    return trend_chart(
        pd.DataFrame(rows),
        metric_labels=labels,
        title=t("chart.trend.title", lang),
        choose=t("chart.trend.choose", lang),
        actual=t("series.actual", lang),
        target=t("series.target", lang),
        description=t("chart.trend.description", lang, n=periods),
        date_format=date_format,
        band=t("chart.trend.band", lang),
        label_expr=money_labels_expr(
            [labels[m] for m in metrics if kinds[m] == "amount"], currency=currency, lang=lang,
        ),
    )  # fmt: skip


def funnel_section(
    card: pd.DataFrame, *, definitions: Definitions, period: Period, lang: str
) -> PackChart | Html:
    """The period's stage counts against target, status in symbols and words.

    Only stages with a target are drawn (an achievement needs one); without a target for
    any stage, one line says so instead of bars at 0 %.
    """
    card = card[(card["kind"] == "count") & card["target"].notna()].copy()
    if card.empty:
        return missing_html(
            "targets", lang=lang, period=format_period(period, lang=lang),
            what=t("chart.funnel.what", lang),
        )  # fmt: skip
    card["status"] = [status_of(a) for a in card["achievement"]]
    card["status_text"] = [
        f"{t(f'status.{r.status}', lang)} {format_pct(r.achievement, lang=lang)} "
        f"({format_count(r.actual, lang=lang)} / {format_count(r.target, lang=lang)})"
        for r in card.itertuples()
    ]
    labels = {m: metric_label(definitions, m, lang=lang) for m in card["metric"]}
    return funnel_chart(
        card,
        labels=labels,
        title=t("chart.funnel.title", lang),
        description=t("chart.funnel.description", lang, period=format_period(period, lang=lang)),
    )
