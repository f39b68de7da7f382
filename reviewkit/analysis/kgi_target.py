"""Next quarter's KGI target: from the targets file, a parameter, or last year's months."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from reviewkit.analysis.scorecard import TargetSource
from reviewkit.analysis.target_plan import quarter_months
from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    same_period_last_year,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.semantic.funnel import Funnel


@dataclass(frozen=True)
class KgiTarget:
    """Next quarter's KGI target, per month.

    Attributes
    ----------
    period
        The quarter.
    metric
        The KGI's metric key (``revenue``).
    by_month
        ``YYYY-MM`` -> the month's KGI target, or ``None`` when there is none.
    source
        ``targets_file`` (the targets' monthly KGI), ``parameter`` (``next_kgi_target``) or
        ``none``.
    split
        How the quarter's total is spread over its months: ``targets_file`` (the file's
        months, or their shares of an override), ``last_year`` (the same months' actual
        shares a year earlier), ``equal``, or ``none``.
    missing_months
        Months of the quarter without a KGI target in the targets (``YYYY-MM``).
    """

    period: Period
    metric: str
    by_month: dict[str, float] | None
    source: Literal["targets_file", "parameter", "none"]
    split: Literal["targets_file", "last_year", "equal", "none"]
    missing_months: tuple[str, ...] = ()

    @property
    def total(self) -> float | None:
        """The quarter's KGI target (``None`` when there is none)."""
        return None if self.by_month is None else math.fsum(self.by_month.values())

    def message(self, lang: str, *, kgi: str = "KGI") -> str | None:
        """Why there is no plan and how to give a target (``None`` when there is a target).

        ``kgi`` is the KGI's name in ``lang`` (``definitions.kgi.label(lang)``).
        """
        if self.by_month is not None:
            return None
        return t(
            "plan.no_target", lang, kgi=kgi, period=format_period(self.period, lang=lang),
            months=", ".join(self.missing_months),
        )  # fmt: skip

    def describe(self, *, definitions: Definitions, lang: str, currency: str) -> str | None:
        """Where the target comes from and how it is split, in one sentence (in ``currency``)."""
        if self.by_month is None:
            return None
        return t(
            f"plan.source.{self.source}",
            lang,
            kgi=definitions.kgi.label(lang),
            total=format_value(self.total, kind=definitions.kgi_kind, lang=lang, currency=currency),
            period=format_period(self.period, lang=lang),
            split=t(f"plan.split.{self.split}", lang),
        )


def _check_override(override: object, *, count: bool = False) -> float | None:
    """The override as a float; ``count``: the KGI is a count, so the target is whole."""
    if override is None:
        return None
    example = "180" if count else "531_000_000"
    fix = (
        f"write the quarter's KGI target as a plain number (e.g. {example}), or leave it "
        "None to use params/targets.yml"
    )
    if isinstance(override, bool) or not isinstance(override, int | float):
        raise ParameterError(f"next_kgi_target: {override!r} is not a number; {fix}")
    if not math.isfinite(override) or override <= 0:
        raise ParameterError(f"next_kgi_target: {override!r} is not a positive number; {fix}")
    if count and not float(override).is_integer():
        raise ParameterError(
            f"next_kgi_target: {override!r} is not a whole number, but the KGI is a count; "
            f"write the quarter's target as a whole number (e.g. {example})"
        )
    return float(override)


def check_next_kgi_target(definitions: Definitions, value: object) -> float | None:
    """The parameter ``next_kgi_target`` checked: ``None`` when not given (``0`` or empty).

    Raises
    ------
    ParameterError
        One line: not a positive number, or not a whole number for a count KGI.
    """
    if value is None or value == "" or (isinstance(value, int | float) and value == 0):
        return None
    return _check_override(value, count=not definitions.kgi_is_revenue)


def whole_split(total: float, shares: Mapping[str, float]) -> dict[str, float]:
    """Split a whole ``total`` over ``shares`` in whole numbers that add up to it.

    The largest-remainder rule: each part is the floor of its exact share, and the units left
    go to the largest remainders (the earlier part on a tie).
    """
    whole = math.fsum(shares.values())
    exact = {k: total * v / whole for k, v in shares.items()}
    parts = {k: float(math.floor(v + 1e-9)) for k, v in exact.items()}
    left = round(total - math.fsum(parts.values()))
    order = sorted(exact, key=lambda k: -(exact[k] - parts[k]))
    for key in order[:left]:
        parts[key] += 1
    return parts


def next_quarter_target(
    targets: TargetSource | None,
    funnel: Funnel,
    next_period: Period,
    *,
    calendar: FiscalCalendar,
    override: float | None = None,
) -> KgiTarget:
    """The KGI target of each month of ``next_period``.

    Parameters
    ----------
    targets
        The targets (``params/targets.yml``); ``None`` when there are none.
    funnel
        For the KGI's key and, to split an override without monthly targets, last year's
        actual KGI of the same months.
    next_period
        The quarter to plan.
    calendar
        The fiscal calendar.
    override
        The template parameter ``next_kgi_target``: the quarter's total, split over its months
        by the targets' monthly KGI if every month has one, else by the same months' actual
        shares a year earlier, else equally. A count KGI's target is a whole number, split in
        whole numbers (:func:`whole_split`).

    Returns
    -------
    KgiTarget
        ``by_month is None`` (with :meth:`KgiTarget.message`) when there is neither an
        override nor a KGI target for every month.

    Raises
    ------
    ParameterError
        If ``override`` is not a positive number (a whole number for a count KGI).
    """
    count = not funnel.definitions.kgi_is_revenue
    total = _check_override(override, count=count)
    kgi = funnel.definitions.kgi_metric
    months = quarter_months(next_period, calendar=calendar)
    planned = {
        m.label: (None if targets is None else targets.for_period(kgi, m.start, m.end))
        for m in months
    }
    missing = tuple(k for k, v in planned.items() if v is None)
    in_file = {k: float(v) for k, v in planned.items() if v is not None}
    if total is None:
        if missing:
            return KgiTarget(next_period, kgi, None, "none", "none", missing)
        return KgiTarget(next_period, kgi, in_file, "targets_file", "targets_file")
    shares: dict[str, float] = {}
    split: Literal["targets_file", "last_year", "equal"] = "equal"
    if not missing and sum(in_file.values()) > 0:
        shares, split = in_file, "targets_file"
    else:
        before = [same_period_last_year(m, calendar=calendar) for m in months]
        actual = funnel.metric_frame([kgi], before).set_index("period")["value"]
        last_year = {
            m.label: float(actual.get(b.label, 0.0)) for m, b in zip(months, before, strict=True)
        }
        if sum(last_year.values()) > 0:
            shares, split = last_year, "last_year"
    if split == "equal":
        shares = {m.label: 1.0 for m in months}
    if count:  # a count KGI is planned in whole deals (or people) per month
        by_month = whole_split(total, shares)
    else:
        whole = math.fsum(shares.values())
        by_month = {k: total * v / whole for k, v in shares.items()}
    return KgiTarget(next_period, kgi, by_month, "parameter", split, missing)
