"""The metric types of the definitions, each with its own behaviour.

A metric type knows the unit its values are in (:attr:`kind`), whether a higher value is the
better one (:attr:`higher_is_better`), whether its value grows with the company's size
(:attr:`size_dependent`: no published benchmark fits it), the optional data it is computed from
(:attr:`needs`), what its numerator and denominator count (:attr:`parts`) and the stages it
names (:meth:`stage_refs`). How a metric type is evaluated
on the store is its evaluator in :mod:`reviewkit.semantic.evaluators` (one per type). Code
elsewhere asks the metric instead of switching on its type.

The units: an ``amount`` is money in the workspace's currency (revenue, deal size, costs,
pipeline); a ``count`` is people or deals; a ``rate`` is a share (0..1); ``days`` and ``hours``
are durations; ``times`` is a multiple (pipeline coverage).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from reviewkit.core.workspace import Localized
from reviewkit.store.availability import Missing

Unit = Literal["amount", "count", "rate", "days", "hours", "times"]
UNITS: tuple[Unit, ...] = ("amount", "count", "rate", "days", "hours", "times")
#: What a numerator or denominator counts: ``(what, the stage it names or None, unit)``, e.g.
#: ``("entered", "mql", "count")`` or ``("revenue", None, "amount")``.
Part = tuple[str, str | None, Unit]

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_DURATION = re.compile(r"^(\d+)\s*([hdw])$")
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}

#: The longest window or deadline a definition may give (10 years).
MAX_DURATION_DAYS = 3650


def parse_duration(text: str) -> dt.timedelta:
    """Parse ``90d``, ``24h`` or ``2w`` into a timedelta (more than zero, at most 3650 days).

    Raises
    ------
    ValueError
        If ``text`` is not a whole number followed by h, d or w, is zero, or is longer than
        :data:`MAX_DURATION_DAYS`.
    """
    match = _DURATION.match(str(text).strip())
    if not match or int(match[1]) <= 0:
        raise ValueError(
            f"{text!r} is not a duration; write a whole number and h, d or w (e.g. 90d, 24h, 2w)"
        )
    hours = int(match[1]) * _UNIT_HOURS[match[2]]
    if hours > MAX_DURATION_DAYS * 24:
        raise ValueError(
            f"{text!r} is longer than {MAX_DURATION_DAYS} days (10 years); write at most "
            f"{MAX_DURATION_DAYS}d, {MAX_DURATION_DAYS * 24}h or {MAX_DURATION_DAYS // 7}w"
        )
    return dt.timedelta(hours=hours)


Duration = Annotated[str, Field(description="e.g. 90d, 24h, 2w")]


def check_duration(value: str) -> str:
    """Validate a duration field (see :func:`parse_duration`) and return it as written."""
    parse_duration(value)
    return value


class StrictModel(BaseModel):
    """A frozen model refusing unknown keys: the base of every definitions block."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _MetricBase(StrictModel):
    key: str
    label: Localized | None = None

    #: The unit of the metric's values.
    kind: ClassVar[Unit]
    #: Whether a higher value is the better one (costs, cycle and response time: lower).
    higher_is_better: ClassVar[bool] = True
    #: Whether the value grows with the company's size (counts, revenue).
    size_dependent: ClassVar[bool] = False

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise ValueError(f"{value!r} must be snake_case (e.g. mql_to_sql)")
        return value

    @property
    def needs(self) -> tuple[Missing, ...]:
        """The optional data the value is computed from (empty: stage entries only)."""
        return ()

    @property
    def benchmark_kind(self) -> Unit | None:
        """``rate`` or ``amount`` when a published range may describe it, else ``None``.

        Counts and revenue depend on the size of the company, so no published range fits
        them; durations and multiples have no benchmarks either.
        """
        if self.size_dependent or self.kind not in ("rate", "amount"):
            return None
        return self.kind

    def stage_refs(self) -> list[tuple[str, str]]:
        """``(key as written in the file, stage key)`` of each stage the metric names."""
        return []


class ConversionMetric(_MetricBase):
    """Share of people moving from stage ``from`` to stage ``to``."""

    kind: ClassVar[Unit] = "rate"
    type: Literal["conversion"]
    from_: str = Field(alias="from")
    to: str
    basis: Literal["cohort", "period"] = "cohort"
    window: Duration = "90d"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _w = field_validator("window")(check_duration)

    def stage_refs(self) -> list[tuple[str, str]]:
        """``from`` and ``to``."""
        return [("from", self.from_), ("to", self.to)]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """People who reached ``to`` (entered it, on the period basis) / entered ``from``."""
        return (
            ("reached" if self.basis == "cohort" else "entered", self.to, "count"),
            ("entered", self.from_, "count"),
        )


class WinRateMetric(_MetricBase):
    """Won / (won + lost) of opportunities closed in the period, by count or by amount."""

    kind: ClassVar[Unit] = "rate"
    type: Literal["win_rate"]
    by: Literal["count", "amount"] = "count"

    @property
    def needs(self) -> tuple[Missing, ...]:
        """Deal amounts (by amount) or closed deals (by count)."""
        return ("amounts",) if self.by == "amount" else ("closed_deals",)

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """Revenue won / amount closed (by amount), or deals won / closed."""
        return (
            (("revenue", None, "amount"), ("closed_amount", None, "amount"))
            if self.by == "amount"
            else (("won", None, "count"), ("closed", None, "count"))
        )


class AverageDealSizeMetric(_MetricBase):
    """Revenue won / number of opportunities won in the period."""

    kind: ClassVar[Unit] = "amount"
    type: Literal["average_deal_size"]

    @property
    def needs(self) -> tuple[Missing, ...]:
        """Deal amounts."""
        return ("amounts",)

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """Revenue won / deals won."""
        return ("revenue", None, "amount"), ("won", None, "count")


class SalesCycleMetric(_MetricBase):
    """Median days from opportunity created to won, for deals won in the period."""

    kind: ClassVar[Unit] = "days"
    higher_is_better: ClassVar[bool] = False
    type: Literal["sales_cycle"]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """No numerator (a median) / deals won."""
        return None, ("won", None, "count")


class PipelineCoverageMetric(_MetricBase):
    """Open pipeline at the review date / (revenue target - revenue booked) of the period."""

    kind: ClassVar[Unit] = "times"
    type: Literal["pipeline_coverage"]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """Open pipeline / revenue target remaining."""
        return ("pipeline", None, "amount"), ("remaining", None, "amount")


class SpeedToLeadMetric(_MetricBase):
    """Median hours from entering ``from`` to the first human touch."""

    kind: ClassVar[Unit] = "hours"
    higher_is_better: ClassVar[bool] = False
    type: Literal["speed_to_lead"]
    from_: str = Field("mql", alias="from")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def stage_refs(self) -> list[tuple[str, str]]:
        """``from``."""
        return [("from", self.from_)]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """People touched / entered ``from``."""
        return ("touched", None, "count"), ("entered", self.from_, "count")


class SlaMetric(_MetricBase):
    """Share of people entering ``from`` touched by a human within ``within``."""

    kind: ClassVar[Unit] = "rate"
    type: Literal["sla"]
    from_: str = Field("mql", alias="from")
    within: Duration = "24h"
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _w = field_validator("within")(check_duration)

    @property
    def needs(self) -> tuple[Missing, ...]:
        """Touches."""
        return ("touches",)

    def stage_refs(self) -> list[tuple[str, str]]:
        """``from``."""
        return [("from", self.from_)]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """People touched in time / due after entering ``from``."""
        return ("in_sla", None, "count"), ("due", self.from_, "count")


class CostPerMetric(_MetricBase):
    """Campaign cost in the period / people entering ``stage`` in the period."""

    kind: ClassVar[Unit] = "amount"
    higher_is_better: ClassVar[bool] = False
    type: Literal["cost_per"]
    stage: str

    @property
    def needs(self) -> tuple[Missing, ...]:
        """Campaign costs."""
        return ("campaign_costs",)

    def stage_refs(self) -> list[tuple[str, str]]:
        """``stage``."""
        return [("stage", self.stage)]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """Campaign spend / people entering ``stage``."""
        return ("cost", None, "amount"), ("entered", self.stage, "count")


class CountMetric(_MetricBase):
    """People entering ``stage`` in the period (one per stage, generated)."""

    kind: ClassVar[Unit] = "count"
    size_dependent: ClassVar[bool] = True
    type: Literal["count"]
    stage: str

    def stage_refs(self) -> list[tuple[str, str]]:
        """``stage``."""
        return [("stage", self.stage)]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """People entering ``stage``; no denominator."""
        return ("entered", self.stage, "count"), None


class RevenueMetric(_MetricBase):
    """Sum of amounts of opportunities won in the period (generated for the KGI)."""

    kind: ClassVar[Unit] = "amount"
    size_dependent: ClassVar[bool] = True
    type: Literal["revenue"]

    @property
    def parts(self) -> tuple[Part | None, Part | None]:
        """Revenue won; no denominator."""
        return ("revenue", None, "amount"), None


Metric = Annotated[
    ConversionMetric
    | WinRateMetric
    | AverageDealSizeMetric
    | SalesCycleMetric
    | PipelineCoverageMetric
    | SpeedToLeadMetric
    | SlaMetric
    | CostPerMetric
    | CountMetric
    | RevenueMetric,
    Field(discriminator="type"),
]
_METRIC = TypeAdapter(Metric)


def parse_metric(raw: dict[str, object]) -> Metric:
    """Validate one metric definition (used by analyses that build metrics on the fly)."""
    return _METRIC.validate_python(raw)
