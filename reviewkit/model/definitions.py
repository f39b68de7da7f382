"""The agreed funnel: ``params/definitions.yml`` loaded, checked and completed.

Stages are an ordered, configurable list (lead -> MQL -> SQL -> opportunity -> won, or only
MQL -> won, or with an SAL). A stage is entered at a stage event from the store, or when a rule
over lead attributes holds. Metrics are named: each stage's count, the conversion between
consecutive stages (``mql_to_sql``), the KGI, and the metrics listed under ``metrics:``. The
KGI->KPI tree names the drivers whose product is the KGI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reviewkit.core.currency import check_currency, check_definitions_currency
from reviewkit.core.workspace import Localized, Workspace
from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError
from reviewkit.i18n.texts import add_dimension_labels
from reviewkit.model.rules import compile_rule

Department = Literal["marketing", "inside_sales", "sales"]
AVERAGE_DEAL_SIZE_LABEL = Localized(ja="平均受注単価", en="Average deal size")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_DURATION = re.compile(r"^(\d+)\s*([hdw])$")
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}

# The lead columns a rule may use (the store's segment attributes and score).
# The lead columns packs split and filter by (``semantic.SEGMENT_COLUMNS``, plus ``segments:``).
LEAD_DIMENSIONS = (
    "channel", "campaign_id", "content_asset", "industry", "company_size", "region", "persona",
    "sales_team",
)  # fmt: skip
RULE_COLUMNS = (
    "channel", "campaign_id", "content_asset", "industry", "company_size", "region", "persona",
    "sales_team", "score", "source_system", "company_domain",
)  # fmt: skip


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


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _invalid(keys: tuple[str | int, ...], message: str, value: object) -> ValidationError:
    """A validation error located at ``keys`` (so the message can name the key path and line)."""
    error = PydanticCustomError("definitions", message)
    return ValidationError.from_exception_data(
        "Definitions", [{"type": error, "loc": keys, "input": value}]
    )


class _StageBase(_Strict):
    key: str
    label: Localized
    owner: Department
    description: Localized

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(f"{value!r} must be snake_case letters, digits and _ (e.g. mql)")
        return value


class EventStage(_StageBase):
    """A stage entered at a stage event of the store (``stage_events.stage == event``)."""

    event: str

    @model_validator(mode="before")
    @classmethod
    def _has_event(cls, raw: object) -> object:
        if isinstance(raw, dict) and "event" not in raw:
            raise ValueError(
                f"stage {raw.get('key')!r} has neither event: nor rule:; add "
                "`event: <stage event name>` or `rule: <expression>`"
            )
        return raw

    @property
    def kind(self) -> str:
        """``event``."""
        return "event"


class RuleStage(_StageBase):
    """A stage entered when a rule over lead attributes holds."""

    rule: str
    at: str = "first_held"

    @model_validator(mode="before")
    @classmethod
    def _not_also_event(cls, raw: object) -> object:
        if isinstance(raw, dict) and "event" in raw:
            raise ValueError(
                f"stage {raw.get('key')!r} has both event: {raw['event']!r} and rule: "
                f"{raw.get('rule')!r}; a stage is defined by one of them, remove the other"
            )
        return raw

    @property
    def kind(self) -> str:
        """``rule``."""
        return "rule"

    @field_validator("rule")
    @classmethod
    def _valid_rule(cls, value: str) -> str:
        try:
            compile_rule(value, columns=RULE_COLUMNS)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("at")
    @classmethod
    def _valid_at(cls, value: str) -> str:
        if value in ("first_held", "created_at") or re.match(r"^stage:[a-z][a-z0-9_]*$", value):
            return value
        raise ValueError(
            f"{value!r} is not an entry time; use first_held, created_at or stage:<stage key>"
        )

    @property
    def after_stage(self) -> str | None:
        """The stage whose entry time this one takes (``at: stage:<key>``), if any."""
        return self.at.split(":", 1)[1] if self.at.startswith("stage:") else None


Stage = EventStage | RuleStage


def _stage_kind(raw: object) -> str | None:
    if isinstance(raw, dict):
        return "RuleStage" if "rule" in raw else "EventStage"
    if isinstance(raw, EventStage | RuleStage):
        return type(raw).__name__
    return None


# A stage with ``rule:`` is a RuleStage, else an EventStage; errors then name the stage's keys.
_StageItem = Annotated[
    Annotated[EventStage, Tag("EventStage")] | Annotated[RuleStage, Tag("RuleStage")],
    Discriminator(
        _stage_kind,
        custom_error_type="stage",
        custom_error_message="a stage must be a mapping with key, label, owner, description "
        "and event: or rule:",
    ),
]


class SegmentValue(_Strict):
    """One value of a derived segment dimension: the leads its rule holds for."""

    value: str = Field(min_length=1)
    rule: str

    @field_validator("rule")
    @classmethod
    def _valid_rule(cls, value: str) -> str:
        try:
            compile_rule(value, columns=RULE_COLUMNS)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value


class SegmentDimension(_Strict):
    """A segment dimension the definitions add to the lead columns (``segments:``).

    Each lead gets the ``value`` of the first entry of ``values`` whose rule holds for its
    current attributes, else ``otherwise`` (missing when that is empty). The dimension is then
    a segment column like ``channel``: packs split by it, ``--segment`` filters by it.
    """

    key: str
    label: Localized
    description: Localized
    values: list[SegmentValue] = Field(min_length=1)
    otherwise: str | None = None

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"{value!r} must be snake_case letters, digits and _ (e.g. account_tier)"
            )
        return value

    def sql(self, alias: str) -> str:
        """The dimension as a SQL ``CASE`` over the lead columns of table ``alias``."""
        whens = " ".join(
            f"WHEN {compile_rule(v.rule, columns=RULE_COLUMNS, alias=alias)} "
            f"THEN {_sql_text(v.value)}"
            for v in self.values
        )
        otherwise = "NULL" if self.otherwise is None else _sql_text(self.otherwise)
        return f"CASE {whens} ELSE {otherwise} END"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class ConversionDefaults(_Strict):
    """Defaults of the stage-to-stage conversion metrics."""

    basis: Literal["cohort", "period"] = "cohort"
    window: Duration = "90d"
    show_both_when_gap: float = Field(0.05, ge=0, le=1)

    _w = field_validator("window")(_check_duration)


class Kgi(_Strict):
    """The goal the funnel serves and its KPI tree."""

    key: Literal["revenue", "won_count"] = "revenue"
    label: Localized
    owner: Department
    description: Localized
    tree: list[str] = Field(default_factory=list)


class _MetricBase(_Strict):
    key: str
    label: Localized | None = None

    @field_validator("key")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(f"{value!r} must be snake_case (e.g. mql_to_sql)")
        return value


class ConversionMetric(_MetricBase):
    """Share of people moving from stage ``from`` to stage ``to``."""

    type: Literal["conversion"]
    from_: str = Field(alias="from")
    to: str
    basis: Literal["cohort", "period"] = "cohort"
    window: Duration = "90d"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _w = field_validator("window")(_check_duration)


class WinRateMetric(_MetricBase):
    """Won / (won + lost) of opportunities closed in the period, by count or by amount."""

    type: Literal["win_rate"]
    by: Literal["count", "amount"] = "count"


class AverageDealSizeMetric(_MetricBase):
    """Revenue won / number of opportunities won in the period."""

    type: Literal["average_deal_size"]


class SalesCycleMetric(_MetricBase):
    """Median days from opportunity created to won, for deals won in the period."""

    type: Literal["sales_cycle"]


class PipelineCoverageMetric(_MetricBase):
    """Open pipeline at the review date / (revenue target - revenue booked) of the period."""

    type: Literal["pipeline_coverage"]


class SpeedToLeadMetric(_MetricBase):
    """Median hours from entering ``from`` to the first human touch."""

    type: Literal["speed_to_lead"]
    from_: str = Field("mql", alias="from")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SlaMetric(_MetricBase):
    """Share of people entering ``from`` touched by a human within ``within``."""

    type: Literal["sla"]
    from_: str = Field("mql", alias="from")
    within: Duration = "24h"
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _w = field_validator("within")(_check_duration)


class CostPerMetric(_MetricBase):
    """Campaign cost in the period / people entering ``stage`` in the period."""

    type: Literal["cost_per"]
    stage: str


class CountMetric(_MetricBase):
    """People entering ``stage`` in the period (one per stage, generated)."""

    type: Literal["count"]
    stage: str


class RevenueMetric(_MetricBase):
    """Sum of amounts of opportunities won in the period (generated for the KGI)."""

    type: Literal["revenue"]


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


class Definitions(_Strict):
    """The whole definitions file, with the generated metrics added."""

    version: str
    agreed_by: list[Department] = Field(min_length=1)
    agreed_on: dt.date
    currency: str | None = None  # optional; when given, it must be the workspace's
    stages: list[_StageItem] = Field(min_length=1)
    conversion: ConversionDefaults = ConversionDefaults()
    kgi: Kgi
    metrics: list[Metric] = Field(default_factory=list)
    segments: list[SegmentDimension] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _count_kgi_by_default(cls, raw: object) -> object:
        """Without ``kgi:``, the KGI is the count of the last stage (a count KGI)."""
        if isinstance(raw, dict) and "kgi" not in raw:
            stages = raw.get("stages")
            last = stages[-1] if isinstance(stages, list) and stages else None
            if isinstance(last, dict) and {"label", "owner", "description"} <= set(last):
                raw = {
                    **raw,
                    "kgi": {
                        "key": "won_count",
                        "label": last["label"],
                        "owner": last["owner"],
                        "description": last["description"],
                    },
                }
        return raw

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        return None if value is None else check_currency(value)

    @model_validator(mode="after")
    def _consistent(self) -> Definitions:
        keys = self.stage_keys
        self._check_segments()
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise _invalid(
                    ("stages", i, "key"),
                    f"stage key {key!r} is already used by stages.{keys.index(key)}; "
                    "give each stage its own key",
                    key,
                )
        # a rule stage may take its entry time from another stage: no cycles
        graph = {s.key: s.after_stage for s in self.stages if isinstance(s, RuleStage)}
        for i, stage in enumerate(self.stages):
            if not isinstance(stage, RuleStage) or stage.after_stage is None:
                continue
            loc = ("stages", i, "at")
            if stage.after_stage not in keys:
                raise _invalid(
                    loc, f"{stage.at!r} names no stage; use stage:<one of {keys}>", stage.at
                )
            seen = [stage.key]
            node: str | None = stage.after_stage
            while node is not None:
                if node in seen:
                    chain = " -> ".join([*seen, node])
                    raise _invalid(
                        loc,
                        f"stage entry times form a cycle ({chain}); one of them must use "
                        "at: first_held, at: created_at or an event",
                        stage.at,
                    )
                seen.append(node)
                node = graph.get(node)
        names = [m.key for m in self.metrics]
        for i, m in enumerate(self.metrics):
            if m.key in names[:i]:
                raise _invalid(
                    ("metrics", i, "key"),
                    f"metric key {m.key!r} is already used by metrics.{names.index(m.key)}; "
                    "give each metric its own key",
                    m.key,
                )
            for field, ref in _stage_refs(m):
                if ref not in keys:
                    raise _invalid(
                        ("metrics", i, field),
                        f"{ref!r} is not a stage; use one of {keys}",
                        ref,
                    )
            if m.key in keys:
                raise _invalid(
                    ("metrics", i, "key"),
                    f"metric {m.key!r} has the name of a stage; rename it (e.g. {m.key}_rate)",
                    m.key,
                )
        all_metrics = self.metric_map
        for i, driver in enumerate(self.kgi.tree):
            if driver not in all_metrics:
                raise _invalid(
                    ("kgi", "tree", i),
                    f"{driver!r} is not a metric; use one of {sorted(all_metrics)}",
                    driver,
                )
        return self

    def _check_segments(self) -> None:
        taken = set(LEAD_DIMENSIONS) | set(RULE_COLUMNS)
        seen: list[str] = []
        for i, segment in enumerate(self.segments):
            if segment.key in taken or segment.key in seen:
                what = (
                    "a lead column"
                    if segment.key in taken
                    else f"segments.{seen.index(segment.key)}"
                )
                raise _invalid(
                    ("segments", i, "key"),
                    f"segment key {segment.key!r} is already used by {what}; give the "
                    "dimension its own key (e.g. account_tier)",
                    segment.key,
                )
            seen.append(segment.key)
            values = [v.value for v in segment.values]
            for j, value in enumerate(values):
                if value in values[:j]:
                    raise _invalid(
                        ("segments", i, "values", j, "value"),
                        f"value {value!r} is already given by values.{values.index(value)}; "
                        "merge the two rules with `or`",
                        value,
                    )

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Every segment column: the lead columns, then the ``segments:`` keys in file order."""
        return LEAD_DIMENSIONS + tuple(self.segment_keys)

    def column_sql(self, column: str, alias: str) -> str:
        """SQL for segment column ``column`` of the leads table ``alias``.

        A lead column as it is (``l."channel"``); a dimension ``segments:`` adds as its
        ``CASE`` (:meth:`SegmentDimension.sql`).
        """
        for segment in self.segments:
            if segment.key == column:
                return segment.sql(alias)
        return f'{alias}."{column}"'

    def dimension_labels(self) -> dict[str, dict[str, str]]:
        """The labels of the added dimensions, ``{key: {"ja": ..., "en": ...}}``."""
        return {s.key: s.label.model_dump() for s in self.segments}

    @property
    def segment_keys(self) -> list[str]:
        """The keys of the dimensions ``segments:`` adds, in file order."""
        return [s.key for s in self.segments]

    def segment(self, key: str) -> SegmentDimension:
        """Return the derived segment dimension called ``key``."""
        for segment in self.segments:
            if segment.key == key:
                return segment
        raise KeyError(key)

    def cost_metric(self, stage: str) -> CostPerMetric:
        """The definitions' cost per ``stage``, or one made for it (campaign cost / entrants).

        Sections that show campaign spend (content, resources) need it whether or not the
        company listed a ``cost_per`` metric; a made one is not added to :attr:`metric_map`.
        """
        for metric in self.metrics:
            if isinstance(metric, CostPerMetric) and metric.stage == stage:
                return metric
        taken = set(self.metric_map)
        key = next(k for k in (f"cost_per_{stage}", f"rk_cost_per_{stage}") if k not in taken)
        return CostPerMetric(type="cost_per", key=key, stage=stage)

    @property
    def sla_metric(self) -> SlaMetric | None:
        """The first SLA metric of ``metrics:`` (the follow-up promise), or ``None``."""
        return next((m for m in self.metrics if isinstance(m, SlaMetric)), None)

    @property
    def stage_keys(self) -> list[str]:
        """Stage keys in funnel order."""
        return [s.key for s in self.stages]

    def stage(self, key: str) -> Stage:
        """Return the stage called ``key``."""
        for s in self.stages:
            if s.key == key:
                return s
        raise ConfigError(f"definitions: no stage {key!r}; stages are {self.stage_keys}")

    @cached_property
    def metric_map(self) -> dict[str, Metric]:
        """Every metric by key: stage counts, consecutive conversions, the KGI, then ``metrics``.

        A metric in ``metrics:`` with the key of a generated one replaces it.
        """
        out: dict[str, Metric] = {}
        for s in self.stages:
            out[s.key] = CountMetric(type="count", key=s.key, stage=s.key, label=s.label)
        for a, b in zip(self.stages, self.stages[1:], strict=False):
            key = f"{a.key}_to_{b.key}"
            out[key] = ConversionMetric(
                type="conversion",
                key=key,
                **{"from": a.key},
                to=b.key,
                basis=self.conversion.basis,
                window=self.conversion.window,
            )
        if self.kgi.key == "revenue":
            out["revenue"] = RevenueMetric(type="revenue", key="revenue", label=self.kgi.label)
            # the tree's last driver: revenue per deal won (derived when not declared)
            out["average_deal_size"] = AverageDealSizeMetric(
                type="average_deal_size", key="average_deal_size", label=AVERAGE_DEAL_SIZE_LABEL
            )
        for m in self.metrics:
            out[m.key] = m
        return out

    def metric(self, key: str) -> Metric:
        """Return the metric called ``key``."""
        try:
            return self.metric_map[key]
        except KeyError:
            raise ConfigError(
                f"definitions: no metric {key!r}; known metrics are {sorted(self.metric_map)}"
            ) from None

    @property
    def kgi_metric(self) -> str:
        """The metric that is the KGI: ``revenue``, or the last stage's count."""
        return "revenue" if self.kgi.key == "revenue" else self.stages[-1].key

    @property
    def kgi_is_revenue(self) -> bool:
        """Whether the KGI is an amount (revenue won) rather than a count of the last stage."""
        return self.kgi.key == "revenue"

    @property
    def tree(self) -> list[str]:
        """The KGI's drivers: volume of the first stage, each consecutive rate, deal size."""
        if self.kgi.tree:
            return list(self.kgi.tree)
        drivers = [self.stages[0].key]
        drivers += [
            f"{a.key}_to_{b.key}" for a, b in zip(self.stages, self.stages[1:], strict=False)
        ]
        if self.kgi.key == "revenue":
            drivers.append("average_deal_size")
        return drivers

    @cached_property
    def version_hash(self) -> str:
        """A short hash of the definitions' content: any change gives a new one."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _stage_refs(metric: Metric) -> list[tuple[str, str]]:
    """``(key as written in the file, stage key)`` of each stage a metric names."""
    if isinstance(metric, ConversionMetric):
        return [("from", metric.from_), ("to", metric.to)]
    if isinstance(metric, SpeedToLeadMetric | SlaMetric):
        return [("from", metric.from_)]
    if isinstance(metric, CostPerMetric | CountMetric):
        return [("stage", metric.stage)]
    return []


def load_definitions(workspace: Workspace | Path) -> Definitions:
    """Load and validate ``params/definitions.yml``.

    Parameters
    ----------
    workspace
        A workspace, or the path of a definitions file.

    Raises
    ------
    ConfigError
        With the file, line, key path, bad value and what is allowed; also when the file's
        optional ``currency:`` is not the workspace's.
    """
    path = workspace if isinstance(workspace, Path) else workspace.params_dir / "definitions.yml"
    data, lines = read_yaml(path)
    definitions = validate_model(Definitions, path, data, lines)
    if len(definitions.stages) < 2:  # a review needs a rate to read: two stages at least
        raise ConfigError(
            f"{where(path, lines, ('stages',))}: a funnel needs at least two stages (got "
            f"{definitions.stage_keys}); add the stage before it, e.g. lead or mql"
        )
    if isinstance(workspace, Workspace):
        check_definitions_currency(
            definitions.currency, workspace.config.currency,
            definitions_at=where(path, lines, ("currency",)),
        )  # fmt: skip
    _check_tree(definitions, path, lines)
    if definitions.segments:  # packs label the added dimensions like the lead columns
        add_dimension_labels(definitions.dimension_labels())
    return definitions


def _check_tree(definitions: Definitions, path: Path, lines: Lines) -> None:
    """The tree must multiply out to the KGI: volume, a chain of rates, then deal size."""
    tree = definitions.tree
    fix = "list the first stage, each consecutive conversion, then average_deal_size"
    head = definitions.metric(tree[0]) if tree else None
    if not isinstance(head, CountMetric):
        shown = f" (got {tree[0]!r})" if tree else ""
        raise ConfigError(
            f"{where(path, lines, ('kgi', 'tree', 0))}: must start with a stage; {fix}{shown}"
        )
    current = head.stage
    for i, key in enumerate(tree[1:], start=1):
        at = where(path, lines, ("kgi", "tree", i))
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric):
            if metric.from_ != current:
                raise ConfigError(
                    f"{at}: {key!r} starts at {metric.from_!r} but the chain is at "
                    f"{current!r} (expected {current}_to_...); {fix}"
                )
            current = metric.to
        elif not isinstance(metric, AverageDealSizeMetric):
            raise ConfigError(f"{at}: {key!r} is a {metric.type} metric; {fix}")
    last = definitions.stages[-1].key
    if current != last:
        raise ConfigError(
            f"{where(path, lines, ('kgi', 'tree'))}: the chain ends at {current!r}, not at the "
            f"last stage {last!r} (got {tree}); {fix}"
        )


def parse_metric(raw: dict[str, object]) -> Metric:
    """Validate one metric definition (used by analyses that build metrics on the fly)."""
    return _METRIC.validate_python(raw)
