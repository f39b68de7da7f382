"""Writing a zoo company's tables the way its systems export them: dates, money, CSV dialects."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

SALESFORCE_FOOTER = (
    "",
    '"Confidential Information - Do Not Distribute"',
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
)


def local_text(instants: pd.Series, pattern: str, *, tz: str) -> pd.Series:
    """Instants as local text with a :meth:`~datetime.datetime.strftime` pattern ('' for none)."""
    values = pd.to_datetime(instants)
    local = values.dt.tz_convert(tz)
    text = local.dt.strftime(pattern)
    return text.where(values.notna(), "").astype(object)


def us_datetime(instants: pd.Series, *, tz: str) -> pd.Series:
    """Salesforce's US date-time: ``11/3/2026 2:15 PM`` (no leading zeros)."""
    values = pd.to_datetime(instants)
    local = values.dt.tz_convert(tz)
    hour = local.dt.hour % 12
    hour = hour.where(hour != 0, 12)
    text = (
        local.dt.month.astype("Int64").astype(str) + "/" + local.dt.day.astype("Int64").astype(str)
        + "/" + local.dt.year.astype("Int64").astype(str) + " " + hour.astype("Int64").astype(str)
        + ":" + local.dt.strftime("%M") + " " + local.dt.strftime("%p")
    )  # fmt: skip
    return text.where(values.notna(), "").astype(object)


def us_date(instants: pd.Series, *, tz: str) -> pd.Series:
    """Salesforce's US date: ``12/31/2026``, ``4/8/2026`` (no leading zeros)."""
    values = pd.to_datetime(instants)
    local = values.dt.tz_convert(tz)
    text = (
        local.dt.month.astype("Int64").astype(str) + "/" + local.dt.day.astype("Int64").astype(str)
        + "/" + local.dt.year.astype("Int64").astype(str)
    )  # fmt: skip
    return text.where(values.notna(), "").astype(object)


def us_money(amounts: pd.Series) -> pd.Series:
    """``$22,700.00`` ('' for none)."""
    values = pd.to_numeric(amounts, errors="coerce")
    return pd.Series(
        ["" if pd.isna(v) else f"${v:,.2f}" for v in values], index=amounts.index, dtype=object
    )


def german_money(amounts: pd.Series) -> pd.Series:
    """``1.234,56 €`` ('' for none): dots group thousands, a comma marks the decimals."""
    values = pd.to_numeric(amounts, errors="coerce")
    text = [
        ""
        if pd.isna(v)
        else f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €"
        for v in values
    ]
    return pd.Series(text, index=amounts.index, dtype=object)


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    *,
    sep: str = ",",
    quote_all: bool = False,
    footer: Sequence[str] = (),
    bom: bool = False,
) -> Path:
    """Write ``frame`` as an export file: header, rows (None as empty), then footer lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    quoting: Literal[0, 1] = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, quoting=quoting, lineterminator="\r\n")
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            writer.writerow(["" if v is None or v is pd.NA or v != v else v for v in row])
        for line in footer:
            handle.write(line + "\r\n")
    return path


def person_names(
    rng: np.random.Generator, n: int, first: Sequence[str], last: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Made-up first and last names (for the name columns every export has)."""
    return (
        np.array(first, dtype=object)[rng.integers(0, len(first), n)],
        np.array(last, dtype=object)[rng.integers(0, len(last), n)],
    )


def phone_numbers(rng: np.random.Generator, n: int, pattern: str) -> np.ndarray:
    """Made-up phone numbers: every ``#`` in ``pattern`` is a random digit."""
    digits = rng.integers(0, 10, (n, pattern.count("#")))
    out = []
    for row in digits:
        it = iter(row)
        out.append("".join(str(next(it)) if ch == "#" else ch for ch in pattern))
    return np.array(out, dtype=object)
