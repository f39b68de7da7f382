"""The sample company's ``params/targets.yml``, written from its generated targets.

Regenerate the committed file with::

    .venv/bin/python -m reviewkit.ingest.sample.targets > params/targets.yml

The text depends only on the sample company's seed, so the same code always writes the same
file (a test checks that the committed one is current).
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd

FISCAL_YEAR_START_MONTH = 4

HEADER = """\
# Targets per calendar month, for the whole company and per segment. Packs show each period's
# target, achievement and status from this file; change it here, in a reviewed commit.
#
# - Months are calendar months, written YYYY-MM. A quarter's or a fiscal year's target is the
#   sum of its months; a week's or a month-to-date target is the month's share of those days
#   (see proration below). A period touching a month without a target shows no target.
# - Keys are metrics of params/definitions.yml: the stage counts (lead, mql, sql, opportunity,
#   won) and the KGI (revenue, in the workspace's currency). Write plain numbers; _ may group
#   digits (170_000_000).
# - segments: targets for one value of a lead attribute (channel, campaign_id, content_asset,
#   industry, company_size, region, persona or sales_team). They stand on their own: segment
#   targets need not add up to the company's.
#
# The sample company's targets are 1.1 x the same month a year earlier (won and revenue: the
# mean of the three months around it; FY2024, with no year before it, plans what it delivered),
# rounded. This file is generated from the sample data by
#   .venv/bin/python -m reviewkit.ingest.sample.targets > params/targets.yml
"""

PRORATION = """\
# How a month's target is spread over its days, for weeks and to-date targets:
#   linear    by calendar days (7 days of a 31-day month get 7/31 of it)
#   seasonal  by each weekday's and holiday's share of the last 365 days of actuals
proration: linear
"""


def _number(value: float) -> str:
    if float(value).is_integer():
        number = int(value)
        return f"{number:_}" if number >= 100_000 else str(number)
    return repr(float(value))


def _fiscal_year(month: dt.date) -> int:
    return month.year if month.month >= FISCAL_YEAR_START_MONTH else month.year - 1


def _block(frame: pd.DataFrame, indent: str) -> list[str]:
    """One line per month, ``YYYY-MM: {metric: value, ...}``, values aligned in columns."""
    metrics = list(dict.fromkeys(frame["metric"]))
    table = frame.pivot_table(index="month", columns="metric", values="value", aggfunc="first")
    texts = {
        metric: {m: _number(v) for m, v in table[metric].items() if pd.notna(v)}
        for metric in metrics
    }
    width = {metric: max(len(t) for t in texts[metric].values()) for metric in metrics}
    out: list[str] = []
    fiscal_year = None
    for month in sorted(table.index):
        fy = _fiscal_year(month)
        if fy != fiscal_year:
            last = dt.date(fy + 1, FISCAL_YEAR_START_MONTH, 1) - dt.timedelta(days=1)
            out.append(
                f"{indent}# FY{fy}: {dt.date(fy, FISCAL_YEAR_START_MONTH, 1):%Y-%m} .. {last:%Y-%m}"
            )
            fiscal_year = fy
        cells = [
            f"{metric}: {texts[metric][month]:>{width[metric]}}"
            for metric in metrics
            if month in texts[metric]
        ]
        out.append(f"{indent}{month:%Y-%m}: {{{', '.join(cells)}}}")
    return out


def targets_yaml(frame: pd.DataFrame) -> str:
    """Write a targets frame (the store's ``targets`` columns) as ``targets.yml`` text.

    Parameters
    ----------
    frame
        Columns ``month``, ``metric``, ``segment_key``, ``segment_value`` and ``value``;
        company rows have empty segment key and value.

    Returns
    -------
    str
        The file's text: the header, ``proration``, ``company`` and ``segments``.
    """
    frame = frame.assign(
        month=[dt.date(m.year, m.month, 1) for m in pd.to_datetime(frame["month"])],
        segment_key=frame["segment_key"].fillna("").astype(str),
        segment_value=frame["segment_value"].fillna("").astype(str),
    )
    lines = [HEADER, PRORATION]
    company = frame[frame["segment_key"] == ""]
    lines.append("company:")
    lines.extend(_block(company, "  "))
    segments = frame[frame["segment_key"] != ""]
    if not segments.empty:
        lines.append("")
        lines.append("segments:")
        for key in sorted(segments["segment_key"].unique()):
            lines.append(f"  {key}:")
            of_key = segments[segments["segment_key"] == key]
            for value in sorted(of_key["segment_value"].unique()):
                lines.append(f"    {value}:")
                lines.extend(_block(of_key[of_key["segment_value"] == value], "      "))
    return "\n".join(lines) + "\n"


def sample_targets_yaml() -> str:
    """The sample company's ``targets.yml``: its monthly targets, company-wide and per team.

    Returns
    -------
    str
        The text of ``params/targets.yml``.
    """
    from reviewkit.ingest.sample.company import generate

    return targets_yaml(generate().tables["targets"])


def main() -> None:
    """Print the sample company's ``targets.yml`` to standard output."""
    sys.stdout.write(sample_targets_yaml())


if __name__ == "__main__":
    main()
