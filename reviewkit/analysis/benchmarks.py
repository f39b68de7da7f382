"""Published benchmarks: reference ranges in ``params/benchmarks.yml``, placed against the company.

Benchmarks are context, never targets: the company's own past quarters come first, and
published ranges disagree because every source defines its stages differently. Each entry
names a metric of the definitions, an optional segment (e.g. the ad channels), the published
range and where it comes from; :func:`benchmark_positions` computes the company's value of the
same metric for the same segment and says whether it is below, within or above the range.

``params/benchmarks.yml``::

    benchmarks:
      - key: ad_lead_to_opportunity
        label: {ja: 広告経由リードの商談化率, en: Ad-sourced leads to opportunity}
        metric: lead_to_opportunity
        segment: {channel: [paid_search, display]}
        low: 0.11
        high: 0.20
        source: {ja: ..., en: ...}
        year: 2025
        sample: {ja: 日本の B2B マーケター 330人, en: "330 B2B marketers, Japan"}
        caveat: {ja: ..., en: ...}

A missing file is no error: there are simply no benchmarks, and the pack says where to add them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from reviewkit.core.workspace import Localized
from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError
from reviewkit.model.definitions import (
    Definitions,
    Metric,
)
from reviewkit.semantic.funnel import SEGMENT_COLUMNS

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.store.availability import Missing

FILE_NAME = "benchmarks.yml"
FIRST_YEAR = 1950  # older than any funnel benchmark anyone would cite
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


# --- the file's model ----------------------------------------------------------------------


def _number(value: object) -> float:
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            try:
                fraction = float(text.rstrip("%").strip()) / 100
            except ValueError:
                fraction = math.nan
            if math.isfinite(fraction):
                raise ValueError(
                    f"is text with a % sign; write the rate as a fraction: {fraction:g}"
                )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            "is not a number; write a rate as a fraction (0.11 for 11 %) or an amount in the "
            "workspace's currency as a plain number (no units or quotes)"
        )
    if not math.isfinite(value):
        raise ValueError("is not a finite number; write e.g. 0.11")
    return float(value)


def _year(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("is not a year; write the four-digit year of the source, e.g. 2025")
    return value


def _text_or_localized(value: object) -> object:
    """``sample`` may be one text for both languages."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {"ja": str(value), "en": str(value)}
    return value


def _segment(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise ValueError(
            "must be a mapping of lead attributes to values; write e.g. "
            "{channel: [paid_search, display]} or leave segment out for all leads"
        )
    out: dict[str, object] = {}
    for column, values in value.items():
        items = values if isinstance(values, list) else [values]
        if not items or any(v is None or isinstance(v, dict | list | bool) for v in items):
            raise ValueError(
                f"{column}: {values!r} is not a value or a list of values; write e.g. "
                f"{column}: [paid_search, display]"
            )
        texts = [str(v) for v in items]
        out[str(column)] = texts if isinstance(values, list) else texts[0]
    return out


Number = Annotated[float, BeforeValidator(_number)]
Year = Annotated[int, BeforeValidator(_year)]
SegmentFilter = Annotated[dict[str, str | list[str]] | None, BeforeValidator(_segment)]
Sample = Annotated[Localized | None, BeforeValidator(_text_or_localized)]


class Benchmark(BaseModel):
    """One published reference range (see the module docstring for the file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: Localized
    metric: str
    segment: SegmentFilter = None
    low: Number
    high: Number
    source: Localized
    year: Year | None = None
    sample: Sample = None
    caveat: Localized

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"{value!r} must be snake_case letters, digits and _ (e.g. ad_lead_to_opportunity)"
            )
        return value


class BenchmarksFile(BaseModel):
    """``params/benchmarks.yml`` as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    benchmarks: list[Benchmark] = Field(default_factory=list)


@dataclass(frozen=True)
class Benchmarks:
    """The benchmarks of a workspace.

    Parameters
    ----------
    entries
        The reference ranges, in file order.
    path
        The file they come from, or where it would be (no file: no entries).
    """

    entries: tuple[Benchmark, ...] = ()
    path: str = ""

    def __iter__(self) -> Iterator[Benchmark]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def is_empty(self) -> bool:
        """Whether no benchmark is configured."""
        return not self.entries

    def get(self, key: str) -> Benchmark:
        """The benchmark called ``key``."""
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)


def metric_kind(metric: Metric) -> str | None:
    """``rate`` or ``amount`` for a metric a benchmark may name; ``None`` for the others.

    Counts and revenue depend on the size of the company, so no published range fits them.
    """
    return metric.benchmark_kind


def needed_data(metric: Metric) -> tuple[Missing, ...]:
    """The optional data a benchmark's metric is computed from (empty: stage entries only).

    Cost per: campaign costs; deal size and the win rate by amount: deal amounts; the win
    rate: closed deals; the SLA: touches. Without them the value would be a 0 that says
    nothing, so the position is ``no_data``.
    """
    return metric.needs


# --- loading -------------------------------------------------------------------------------


def load_benchmarks(workspace: Workspace | Path, *, definitions: Definitions) -> Benchmarks:
    """Load and check ``params/benchmarks.yml``.

    Parameters
    ----------
    workspace
        A workspace, or the path of a benchmarks file.
    definitions
        The agreed funnel: every benchmark must name one of its rate or amount metrics.

    Returns
    -------
    Benchmarks
        The entries in file order; empty (with ``path`` set) when the file does not exist.

    Raises
    ------
    ConfigError
        One line naming the file, line and key path, the benchmark's key, the bad value and
        the fix: a missing or unknown key, a value that is not a number, an unknown metric
        or one that no range fits, a segment column that is not a lead attribute, a rate
        outside 0..1, low above high, an implausible year, a key used twice.
    """
    path = workspace if isinstance(workspace, Path) else workspace.params_dir / FILE_NAME
    if not path.is_file():
        return Benchmarks(path=str(path))
    data, lines = read_yaml(path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError(
            f"{where(path, lines, ())}: the file must be a mapping with a `benchmarks:` list "
            f"(got {type(data).__name__}); see the comments at the top of the shipped file"
        )
    try:
        parsed = validate_model(BenchmarksFile, path, data, lines)
    except ConfigError as exc:
        raise ConfigError(_name_entry(str(exc), data)) from None
    _check(parsed.benchmarks, definitions=definitions, path=path, lines=lines)
    return Benchmarks(tuple(parsed.benchmarks), path=str(path))


def _name_entry(message: str, data: object) -> str:
    """Add the benchmark's key after the key path ``benchmarks.<i>...`` of a message."""
    match = re.search(r": benchmarks\.(\d+)", message)
    if not match:
        return message
    index = int(match[1])
    raw = data.get("benchmarks") if isinstance(data, dict) else None
    entry = raw[index] if isinstance(raw, list) and index < len(raw) else None
    key = entry.get("key") if isinstance(entry, dict) else None
    end = message.find(": ", match.end())
    if end < 0:
        return message
    named = f" (benchmark {key!r})" if key else f" (benchmark #{index + 1}, which has no key yet)"
    return message[:end] + named + message[end:]


def _check(entries: list[Benchmark], *, definitions: Definitions, path: Path, lines: Lines) -> None:
    """The checks that need the definitions or the whole list."""
    allowed = [k for k, m in definitions.metric_map.items() if metric_kind(m) is not None]
    latest = dt.date.today().year
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        metric = definitions.metric_map.get(entry.metric)
        problem = (
            _key_problem(entry, seen)
            or _metric_problem(entry, metric, allowed=allowed)
            or _segment_problem(entry)
            or _range_problem(entry, metric)
            or _year_problem(entry, latest=latest)
        )
        if problem is not None:
            field, message = problem
            keys: tuple[str | int, ...] = ("benchmarks", i, *field)
            raise ConfigError(f"{where(path, lines, keys)} (benchmark {entry.key!r}): {message}")
        seen[entry.key] = i


_Problem = tuple[tuple[str, ...], str] | None  # the key path under the entry, and the message


def _key_problem(entry: Benchmark, seen: dict[str, int]) -> _Problem:
    """A key already used by an earlier entry."""
    if entry.key in seen:
        return ("key",), (
            f"{entry.key!r} is already the key of benchmarks.{seen[entry.key]}; give each "
            "benchmark its own key"
        )
    return None


def _metric_problem(entry: Benchmark, metric: Metric | None, *, allowed: list[str]) -> _Problem:
    """A metric the definitions lack, or one that no published range fits."""
    if metric is not None and metric_kind(metric) is not None:
        return None
    why = (
        "is not a metric of the definitions"
        if metric is None
        else f"is a {metric.type} metric, which depends on the company's size"
        if metric.size_dependent
        else f"is a {metric.type} metric, in {metric.kind}, not a rate or amount"
    )
    close = difflib.get_close_matches(entry.metric, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close and metric is None else ""
    return ("metric",), (
        f"{entry.metric!r} {why}{hint}; use a rate or an amount: {', '.join(allowed)}"
    )


def _segment_problem(entry: Benchmark) -> _Problem:
    """A segment column that is not a lead attribute."""
    for column in entry.segment or {}:
        if column not in SEGMENT_COLUMNS:
            close = difflib.get_close_matches(column, SEGMENT_COLUMNS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return ("segment", column), (
                f"{column!r} is not a lead attribute{hint}; use one of {', '.join(SEGMENT_COLUMNS)}"
            )
    return None


def _range_problem(entry: Benchmark, metric: Metric | None) -> _Problem:
    """A rate outside 0..1, a negative amount, or low above high."""
    for field in ("low", "high"):
        value = getattr(entry, field)
        if metric is not None and metric_kind(metric) == "rate" and not 0 <= value <= 1:
            shown = f"; {value:g} % is {value / 100:g}" if 1 < value <= 100 else ""
            return (field,), (
                f"{value:g} is not a rate between 0 and 1; write rates as fractions "
                f"(11 % is 0.11){shown}"
            )
        if value < 0:
            return (field,), f"{value:g} is negative; an amount is 0 or more"
    if entry.low > entry.high:
        return ("low",), (
            f"{entry.low:g} is above high ({entry.high:g}); low is the bottom of the range: "
            "swap the two or correct the one that is wrong"
        )
    return None


def _year_problem(entry: Benchmark, *, latest: int) -> _Problem:
    """A year of publication before :data:`FIRST_YEAR` or in the future."""
    if entry.year is not None and not FIRST_YEAR <= entry.year <= latest:
        return ("year",), (
            f"{entry.year} is not a plausible year of publication; write the four-digit "
            f"year of the source ({FIRST_YEAR}-{latest})"
        )
    return None
