"""Next quarter's target plan in tables and words (see :mod:`reviewkit.analysis.target_plan`).

:func:`plan_table` sets the three variants' stage counts beside the current targets, month by
month; :func:`rates_table` the rates and deal size each variant assumes beside those the current
targets imply; :func:`plan_sentence` says in one sentence what the funnel needs.
"""

from __future__ import annotations

import math

import pandas as pd

from reviewkit.analysis.kgi_target import KgiTarget
from reviewkit.analysis.plan_solving import implied_rates
from reviewkit.analysis.target_plan import MIN_MONTHS, TOTAL, VARIANTS
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.i18n.formatting import format_count, format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import driver_label, metric_label
from reviewkit.model.units import kgi_unit
from reviewkit.present.html import Html, note_html
from reviewkit.present.styling import TOP_ROWS
from reviewkit.present.tables import styled_table


def _kgi_text(value: float | None, *, definitions: Definitions, lang: str, currency: str) -> str:
    return format_value(value, kind=kgi_unit(definitions), lang=lang, currency=currency)


def _value_text(
    value: float, metric: str, *, definitions: Definitions, lang: str, currency: str
) -> str:
    if metric == definitions.kgi_metric:
        return _kgi_text(value, definitions=definitions, lang=lang, currency=currency)
    return format_count(value, lang=lang)


def _month_text(label: str, *, lang: str) -> str:
    if label == TOTAL:
        return t("plan.total", lang)
    return format_period(parse_period(label, calendar=FiscalCalendar()), lang=lang)


def plan_table(
    comparison: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
    months: int = 12,
) -> Html:
    """Months x stages: the current targets and the three variants side by side.

    Parameters
    ----------
    comparison
        :func:`~reviewkit.analysis.plan_solving.compare_with_targets`.
    definitions
        For labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for a revenue KGI.
    months
        The rates' window (for the note).

    Returns
    -------
    Html
        One row per month and metric, then the quarter's totals; each variant's cell shows
        the difference from the current target in brackets. Without any current target the
        target column and the brackets are left out. Over 15 rows, the table folds.
    """
    targets = bool(comparison["target"].notna().any())
    shown, classes = [], []
    previous = None
    for row in comparison.itertuples(index=False):
        total = row.month == TOTAL
        cells = {
            t("plan.col.month", lang): ""
            if row.month == previous
            else _month_text(row.month, lang=lang),
            t("plan.col.metric", lang): metric_label(definitions, row.metric, lang=lang),
            t("plan.col.target", lang): _value_text(
                row.target, row.metric, definitions=definitions, lang=lang, currency=currency
            ),
        }
        for v in VARIANTS:
            value = _value_text(
                getattr(row, v), row.metric, definitions=definitions, lang=lang, currency=currency
            )
            diff = getattr(row, f"diff_{v}")
            if not math.isnan(diff):
                signed = format_pct(diff, lang=lang, signed=True)
                value = t("plan.with_diff", lang, value=value, diff=signed)
            cells[t(f"plan.variant.{v}", lang)] = value
        if not targets:
            del cells[t("plan.col.target", lang)]
        previous = row.month
        shown.append(cells)
        extra = " rk-total" if total else ""
        numbers = [f"rk-num{extra}"] * (len(cells) - 2)
        classes.append([f"rk-label{extra}", f"rk-label{extra}", *numbers])
    # folded by whole months: the first month's rows, then the quarter's totals
    plan_months = comparison.loc[comparison["month"] != TOTAL, "month"]
    per_month = int(plan_months.value_counts().max()) if len(plan_months) else TOP_ROWS
    table = styled_table(
        pd.DataFrame(shown), classes, css_class="rk-plan", lang=lang, top=per_month
    )
    unit = kgi_unit(definitions)
    note = t("plan.table_note", lang, months=months, drivers=t(f"plan.drivers.{unit}", lang))
    if targets:
        note += ("" if lang == "ja" else " ") + t("plan.table_brackets", lang)
    return Html(table.html + note_html(note), text=f"{table.text}\n{note}")


def rates_table(
    variants: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
    comparison: pd.DataFrame | None = None,
    months: int = 12,
) -> Html:
    """The rates and deal size each variant assumes, against those the current targets imply.

    Parameters
    ----------
    variants
        :func:`~reviewkit.analysis.target_plan.plan_variants`.
    definitions
        For labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for the deal size.
    comparison
        :func:`~reviewkit.analysis.plan_solving.compare_with_targets`, for the implied rates
        (``None``: not shown).
    months
        The rates' window (for the note).

    Returns
    -------
    Html
        One row per driver; drivers with too few months are marked and named in the note.
        The implied column is left out when the current targets imply no driver.
    """
    implied = {} if comparison is None else implied_rates(comparison, definitions=definitions)
    any_implied = any(not math.isnan(v) for v in implied.values())
    shown, classes, few = [], [], []
    for row in variants.itertuples(index=False):

        def fmt(value: float, *, kind: str = row.kind) -> str:
            if kind == "rate":
                return format_pct(value, lang=lang)
            return _kgi_text(value, definitions=definitions, lang=lang, currency=currency)

        label = driver_label(definitions, row.driver, lang=lang)
        if row.pooled_only:
            few.append(label)
            label = f"{label} *"
        cells = {t("plan.col.driver", lang): label}
        for v in VARIANTS:
            cells[t(f"plan.variant.{v}", lang)] = fmt(getattr(row, v))
        if any_implied:
            cells[t("plan.col.implied", lang)] = fmt(implied.get(row.driver, math.nan))
        cells[t("plan.col.months", lang)] = format_count(row.valid_months, lang=lang)
        shown.append(cells)
        classes.append(["rk-label", *["rk-num"] * (len(cells) - 1)])
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-plan-rates", lang=lang)
    key = "plan.rates_note" if definitions.kgi_is_revenue else "plan.rates_note_count"
    last = definitions.stages[-1].label(lang)
    notes = [t(key, lang, months=months, min_months=MIN_MONTHS, last=last)]
    if any_implied:
        notes[0] += ("" if lang == "ja" else " ") + t("plan.rates_implied", lang)
    if few:
        notes.append(
            t("plan.rates_pooled_only", lang, drivers=t("summary.join", lang).join(few),
              min_months=MIN_MONTHS)
        )  # fmt: skip
    shown_notes = "".join(note_html(n) for n in notes)
    return Html(table.html + shown_notes, text="\n".join([table.text, *notes]))


def plan_sentence(
    comparison: pd.DataFrame,
    *,
    kgi_target: KgiTarget,
    definitions: Definitions,
    lang: str,
    currency: str,
    variant: str = "expected",
) -> str:
    """One sentence for the summary: the quarter's counts needed, against the current targets.

    A revenue KGI is written in ``currency``, the workspace's.

    Returns
    -------
    str
        ``To reach ¥531.0M in FY2026 Q3 at recent rates, the funnel needs Lead 6,100, ...
        (current targets: Lead 5,510, ...).``; without a KGI target, why there is no plan.
    """
    if kgi_target.by_month is None:
        return kgi_target.message(lang, kgi=definitions.kgi.label(lang)) or ""
    kgi = definitions.kgi_metric
    totals = comparison[(comparison["month"] == TOTAL) & (comparison["metric"] != kgi)]
    join = t("summary.join", lang)

    def items(column: str) -> str:
        return join.join(
            t("plan.count_item", lang, stage=metric_label(definitions, r.metric, lang=lang),
              count=format_count(getattr(r, column), lang=lang))
            for r in totals.itertuples(index=False)
        )  # fmt: skip

    values = {
        "kgi": definitions.kgi.label(lang),
        "total": _kgi_text(kgi_target.total, definitions=definitions, lang=lang, currency=currency),
        "period": format_period(kgi_target.period, lang=lang),
        "variant": t(f"plan.variant.{variant}", lang),
        "variant_lower": t(f"plan.variant.{variant}", lang).lower(),
        "needs": items(variant),
    }
    if totals["target"].isna().any():
        return t("plan.sentence", lang, **values)
    return t("plan.sentence_current", lang, **values, current=items("target"))
