"""Read and check ``params/targets.yml``: its schema, its months, metric and segment keys.

:func:`read_targets_file` gives the file's rows (one per month, metric and segment) and its
proration; :func:`reviewkit.model.targets.load_targets` turns them into
:class:`~reviewkit.model.targets.Targets`. Every problem is one :class:`ConfigError` line naming
the file, line and key path, the bad value, what is allowed and the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, get_args

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError

if TYPE_CHECKING:
    from reviewkit.model.definitions import Definitions

__all__ = [
    "COLUMNS", "PRORATIONS", "SEGMENT_KEYS", "Proration", "Segment", "TargetsFile",
    "read_targets_file",
]  # fmt: skip

Proration = Literal["linear", "seasonal"]
PRORATIONS: tuple[str, ...] = get_args(Proration)
COLUMNS = ["month", "metric", "segment_key", "segment_value", "value"]
Segment = tuple[str, str]

# The lead attributes a target may be set for.
SEGMENT_KEYS = (
    "channel", "campaign_id", "content_asset", "industry", "company_size", "region", "persona",
    "sales_team",
)  # fmt: skip

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TOP_KEYS = ("proration", "company", "segments")
_ROW_EXAMPLE = "{lead: 1690, mql: 370, revenue: 170_000_000}"


# --- the file's model ----------------------------------------------------------------------


def _number(value: object) -> float:
    if value is None:
        raise ValueError("has no value; write a number (0 or more) or remove the key")
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "").replace("_", ""))
        except ValueError:
            number = math.nan
        if math.isfinite(number) and number >= 0:
            plain = repr(number)
            if number.is_integer():
                plain = f"{int(number):_}" if number >= 100_000 else str(int(number))
            raise ValueError(f"is text, not a number; write it as a plain number: {plain}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            "is not a number; write a plain number such as 1690 or 170_000_000 "
            "(no commas, units or quotes)"
        )
    if math.isnan(value) or math.isinf(value):
        raise ValueError("is not a finite number; write a number such as 1690")
    if value < 0:
        raise ValueError("is negative; a target is 0 or more")
    return float(value)


def _mapping(what: str, example: str, *, allow_empty: bool) -> BeforeValidator:
    def check(value: object) -> object:
        if value is None and allow_empty:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{what} must be a mapping; write e.g. {example}")
        return value

    return BeforeValidator(check)


def _proration(value: object) -> object:
    if value not in PRORATIONS:
        raise ValueError(
            "is not a proration; use linear (a month's target spread evenly over its days) or "
            "seasonal (in proportion to each weekday's and holiday's share of past actuals)"
        )
    return value


Value = Annotated[float, BeforeValidator(_number)]
Row = Annotated[
    dict[str, Value],
    _mapping("a month's targets", _ROW_EXAMPLE, allow_empty=False),
]
Months = Annotated[
    dict[str, Row],
    _mapping("targets", f"2026-04: {_ROW_EXAMPLE}", allow_empty=True),
]
SegmentValues = Annotated[
    dict[str, Months],
    _mapping("a segment's targets", f"Team A: {{2026-04: {_ROW_EXAMPLE}}}", allow_empty=True),
]
Segments = Annotated[
    dict[str, SegmentValues],
    _mapping("segments", "sales_team: {Team A: {2026-04: {sql: 50}}}", allow_empty=True),
]


class TargetsFile(BaseModel):
    """``params/targets.yml`` as written (keys are checked against the definitions later)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    proration: Annotated[Proration, BeforeValidator(_proration)] = "linear"
    company: Months = Field(default_factory=dict)
    segments: Segments = Field(default_factory=dict)


def _text_keys(data: object) -> object:
    """Mapping keys as the text written in the file (YAML reads ``2026-04-01`` as a date)."""
    if isinstance(data, dict):
        return {
            (k.isoformat() if isinstance(k, dt.date) else str(k)): _text_keys(v)
            for k, v in data.items()
        }
    return data


def read_targets_file(
    path: Path, *, definitions: Definitions
) -> tuple[pd.DataFrame, Proration] | None:
    """The rows (:data:`COLUMNS`) and proration of a targets file; ``None`` when it is empty.

    Raises
    ------
    ConfigError
        A month not written ``YYYY-MM``, an unknown metric or segment key, a value that is
        negative or not a number, an unknown proration, a key given twice.
    """
    data, lines = read_yaml(path)  # a key given twice is refused there
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where(path, lines, ())}: the file must be a mapping with {', '.join(_TOP_KEYS)} "
            f"(got {data!r}); see the comments at the top of the sample targets.yml"
        )
    data = _text_keys(data)
    assert isinstance(data, dict)
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"{where(path, lines, (key,))}: unknown key {key!r}; the file has "
                f"{', '.join(_TOP_KEYS)}"
            )
    parsed = validate_model(TargetsFile, path, data, lines)
    # Targets are summed over months and prorated over days, so only additive metrics have
    # them: the stage counts and revenue (a rate or a median does not add up).
    metrics = [
        key for key, metric in definitions.metric_map.items() if metric.type in ("count", "revenue")
    ]
    rows = _month_rows(parsed.company, path, lines, ("company",), ("", ""), metrics=metrics)
    for seg_key, values in parsed.segments.items():
        if seg_key not in SEGMENT_KEYS:
            raise ConfigError(
                f"{where(path, lines, ('segments', seg_key))}: unknown segment key {seg_key!r}"
                f"{_did_you_mean(seg_key, SEGMENT_KEYS)}; use a lead attribute: "
                f"{', '.join(SEGMENT_KEYS)}"
            )
        for seg_value, block in values.items():
            if not seg_value.strip():
                raise ConfigError(
                    f"{where(path, lines, ('segments', seg_key, seg_value))}: the segment "
                    f"value is empty (got {seg_value!r}); name it, e.g. Team A"
                )
            keys = ("segments", seg_key, seg_value)
            rows += _month_rows(block, path, lines, keys, (seg_key, seg_value), metrics=metrics)
    return pd.DataFrame(rows, columns=COLUMNS), parsed.proration


def _month_rows(
    block: Mapping[str, Mapping[str, float]],
    path: Path,
    lines: Lines,
    keys: tuple[str, ...],
    seg: Segment,
    *,
    metrics: Sequence[str],
) -> list[tuple[dt.date, str, str, str, float]]:
    """The rows of one block of months (the company's, or one segment value's)."""
    rows: list[tuple[dt.date, str, str, str, float]] = []
    for month_text, row in block.items():
        here = (*keys, month_text)
        month = _parse_month(month_text, path, lines, here)
        for metric, value in row.items():
            if metric not in metrics:
                raise ConfigError(
                    f"{where(path, lines, (*here, metric))}: unknown metric {metric!r}"
                    f"{_did_you_mean(metric, metrics)}; targets add up over months, so use "
                    f"a stage count or revenue: {', '.join(metrics)}"
                )
            rows.append((month, metric, seg[0], seg[1], value))
    return rows


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse_month(text: str, path: Path, lines: Lines, keys: tuple[str, ...]) -> dt.date:
    match = _MONTH.match(text)
    if match and 1 <= int(match[2]) <= 12:
        if not 1990 <= int(match[1]) <= 2999:  # 0000-01 is no date; 9999-12 a typo of the year
            raise ConfigError(
                f"{where(path, lines, keys)}: {text!r} is out of range; write a month from "
                "1990-01 to 2999-12"
            )
        return dt.date(int(match[1]), int(match[2]), 1)
    raise ConfigError(
        f"{where(path, lines, keys)}: {text!r} is not a month; write YYYY-MM (e.g. 2026-04): "
        "targets are set per calendar month, and quarters and years are sums of months"
    )


# --- the earlier API -----------------------------------------------------------------------
