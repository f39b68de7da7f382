"""The plan as a draft targets file for approval, never written over ``params/targets.yml``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from reviewkit.analysis.target_plan import VARIANTS
from reviewkit.core.periods import (
    Period,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_pct
from reviewkit.i18n.texts import t

DRAFT_PREFIX = "targets-draft-"


def _number(value: float) -> str:
    number = round(value)
    return f"{number:_}" if number >= 100_000 else str(number)


def _rate_lines(variants: pd.DataFrame, variant: str, *, lang: str) -> list[str]:
    lines = []
    for row in variants.itertuples(index=False):
        value = float(getattr(row, variant))
        shown = format_pct(value, lang=lang) if row.kind == "rate" else _number(value)
        lines.append(f"#   {row.driver}: {shown}")
    return lines


def draft_targets_yaml(
    plan: pd.DataFrame,
    *,
    variant: str = "expected",
    months: Sequence[Period],
    period_label: str,
    generated_from: str,
    rates: pd.DataFrame,
    lang: str = "en",
    proration: Literal["linear", "seasonal"] = "linear",
    segment: tuple[str, str] | None = None,
) -> str:
    """A draft ``targets.yml`` for next quarter's months, for approval.

    Parameters
    ----------
    plan
        :func:`back_solve`.
    variant
        Which variant's counts to write.
    months
        The quarter's months.
    period_label
        The quarter's label (``FY2026-Q3``).
    generated_from
        The review that proposed it, with its date (``quarterly review FY2026-Q2, as of
        2026-11-23``).
    rates
        :func:`plan_variants`: the rates written in the header.
    lang
        The language of the header comments.
    proration
        The ``proration:`` line (copy the current file's).
    segment
        ``(column, value)`` for a segment pack's plan: the months go under ``segments:``
        instead of ``company:``.

    Returns
    -------
    str
        ``proration:`` and ``company:`` with one flow map per month, values aligned in columns
        as in ``params/targets.yml``: stage counts rounded up to whole people, the KGI to the
        whole currency unit. :func:`reviewkit.model.targets.load_targets` reads it.
    """
    if variant not in VARIANTS:
        raise ParameterError(f"variant: {variant!r} is not a variant; use one of {VARIANTS}")
    name = t(f"plan.variant.{variant}", lang)
    count = not (rates["kind"] == "size").any()  # a count KGI: no deal size, no currency
    suffix = "_count" if count else ""
    chosen = plan[plan["variant"] == variant]
    table = chosen.pivot_table(index="month", columns="metric", values="rounded", aggfunc="first")
    metrics = [m for m in dict.fromkeys(chosen["metric"]) if m in table.columns]
    labels = [m.label for m in months]
    missing = [label for label in labels if label not in table.index]
    if missing:
        raise ParameterError(
            f"months: {missing[0]} is not in the plan (its months are {list(table.index)}); "
            "pass the months the plan was back-solved for"
        )
    texts = {m: {label: _number(float(table.loc[label, m])) for label in labels} for m in metrics}
    width = {m: max(len(x) for x in texts[m].values()) for m in metrics}
    lines = [
        f"# {t('plan.draft.title', lang, period=period_label, variant=name.lower())}",
        f"# {t('plan.draft.generated', lang, source=generated_from)}",
        f"# {t(f'plan.draft.rates{suffix}', lang)}",
        *_rate_lines(rates, variant, lang=lang),
        f"# {t(f'plan.draft.rounding{suffix}', lang)}",
        f"# {t('plan.draft.approval', lang)}",
        f"# {t('plan.draft.never_read', lang)}",
        "",
        f"proration: {proration}",
        "",
    ]
    indent = "  "
    if segment is None:
        lines.append("company:")
    else:
        column, value = segment
        lines += ["segments:", f"  {column}:", f"    {json.dumps(value, ensure_ascii=False)}:"]
        indent = "      "
    lines.append(f"{indent}# {period_label}: {labels[0]} .. {labels[-1]}")
    for label in labels:
        cells = ", ".join(f"{m}: {texts[m][label]:>{width[m]}}" for m in metrics)
        lines.append(f"{indent}{label}: {{{cells}}}")
    return "\n".join(lines) + "\n"
