"""The agreed funnel: ``params/definitions.yml`` loaded, checked and completed.

Stages are an ordered, configurable list (lead -> MQL -> SQL -> opportunity -> won, or only
MQL -> won, or with an SAL). A stage is entered at a stage event from the store, or when a rule
over lead attributes holds. Metrics are named: each stage's count, the conversion between
consecutive stages (``mql_to_sql``), the KGI, and the metrics listed under ``metrics:``. The
KGI->KPI tree names the drivers whose product is the KGI (:meth:`Definitions.tree_steps`, the
one check that it multiplies out). The stage types live in :mod:`reviewkit.model.stages`, the
metric types and their behaviour in :mod:`reviewkit.model.metrics`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from reviewkit.core.currency import check_currency, check_definitions_currency
from reviewkit.core.workspace import Localized, Workspace
from reviewkit.core.yaml_config import read_yaml, validate_model, where
from reviewkit.errors import ConfigError
from reviewkit.model.metrics import (
    MAX_DURATION_DAYS,
    AverageDealSizeMetric,
    ConversionMetric,
    CostPerMetric,
    CountMetric,
    Duration,
    Metric,
    PipelineCoverageMetric,
    RevenueMetric,
    SalesCycleMetric,
    SlaMetric,
    SpeedToLeadMetric,
    WinRateMetric,
    parse_duration,
    parse_metric,
)
from reviewkit.model.metrics import StrictModel as _Strict
from reviewkit.model.metrics import check_duration as _check_duration
from reviewkit.model.stages import (
    LEAD_DIMENSIONS,
    RULE_COLUMNS,
    Department,
    EventStage,
    RuleStage,
    SegmentDimension,
    SegmentValue,
    Stage,
    StageItem,
    check_segments,
    check_stages,
    invalid_at,
)

# The metric and stage types are defined in :mod:`reviewkit.model.metrics` and
# :mod:`reviewkit.model.stages`; callers may keep importing them from here.
__all__ = [
    "AVERAGE_DEAL_SIZE_LABEL", "LEAD_DIMENSIONS", "MAX_DURATION_DAYS", "RULE_COLUMNS",
    "AverageDealSizeMetric", "ConversionDefaults", "ConversionMetric", "CostPerMetric",
    "CountMetric", "Definitions", "Department", "Duration", "EventStage", "Kgi", "Metric",
    "PipelineCoverageMetric", "RevenueMetric", "RuleStage", "SalesCycleMetric",
    "SegmentDimension", "SegmentValue", "SlaMetric", "SpeedToLeadMetric", "Stage",
    "TreeError", "TreeStep", "WinRateMetric", "load_definitions", "parse_duration",
    "parse_metric",
]  # fmt: skip

AVERAGE_DEAL_SIZE_LABEL = Localized(ja="平均受注単価", en="Average deal size")
_TREE_FIX = "list the first stage, each consecutive conversion, then average_deal_size"


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


class TreeError(ConfigError):
    """A KPI tree that does not multiply out to the KGI, located at ``keys`` of the file."""

    def __init__(self, keys: tuple[str | int, ...], problem: str) -> None:
        super().__init__(f"definitions: {'.'.join(map(str, keys))}: {problem}")
        self.keys = keys
        self.problem = problem


@dataclass(frozen=True)
class TreeStep:
    """One driver of the KPI tree: ``numerator = denominator x driver``.

    A stage rate (``kind="rate"``) takes the count of its ``from`` stage to the count of its
    ``to`` stage; the deal size (``kind="size"``) takes the last stage's count to the KGI.
    """

    driver: str
    kind: Literal["rate", "size"]
    numerator: str
    denominator: str


class Definitions(_Strict):
    """The whole definitions file, with the generated metrics added."""

    version: str
    agreed_by: list[Department] = Field(min_length=1)
    agreed_on: dt.date
    currency: str | None = None  # optional; when given, it must be the workspace's
    stages: list[StageItem] = Field(min_length=1)
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
        check_segments(self.segments)
        check_stages(self.stages)
        keys = self.stage_keys
        names = [m.key for m in self.metrics]
        for i, m in enumerate(self.metrics):
            if m.key in names[:i]:
                raise invalid_at(
                    ("metrics", i, "key"),
                    f"metric key {m.key!r} is already used by metrics.{names.index(m.key)}; "
                    "give each metric its own key",
                    m.key,
                )
            for field, ref in m.stage_refs():
                if ref not in keys:
                    raise invalid_at(
                        ("metrics", i, field),
                        f"{ref!r} is not a stage; use one of {keys}",
                        ref,
                    )
            if m.key in keys:
                raise invalid_at(
                    ("metrics", i, "key"),
                    f"metric {m.key!r} has the name of a stage; rename it (e.g. {m.key}_rate)",
                    m.key,
                )
        all_metrics = self.metric_map
        for i, driver in enumerate(self.kgi.tree):
            if driver not in all_metrics:
                raise invalid_at(
                    ("kgi", "tree", i),
                    f"{driver!r} is not a metric; use one of {sorted(all_metrics)}",
                    driver,
                )
        return self

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
    def kgi_kind(self) -> Literal["amount", "count"]:
        """The KGI's unit: ``amount`` for revenue, ``count`` for a won-count KGI."""
        kind = self.metric(self.kgi_metric).kind
        assert kind in ("amount", "count"), kind
        return kind

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

    def tree_steps(self) -> tuple[str, list[TreeStep]]:
        """The KPI tree checked and walked: its first stage and its steps down to the KGI.

        The tree must be the first stage's volume, a chain of consecutive conversions ending
        at the last stage, then (for a revenue KGI) the deal size; a revenue tree written
        without deal size still gets it, so the steps always reach the KGI.

        Raises
        ------
        TreeError
            Naming the tree's key path and what is wrong (the one check of the tree).
        """
        tree = self.tree
        head = self.metric_map.get(tree[0]) if tree else None
        if not isinstance(head, CountMetric):
            shown = f" (got {tree[0]!r})" if tree else ""
            raise TreeError(("kgi", "tree", 0), f"must start with a stage; {_TREE_FIX}{shown}")
        kgi, last = self.kgi_metric, self.stages[-1].key
        current, steps = head.stage, []
        for i, key in enumerate(tree[1:], start=1):
            metric = self.metric(key)
            if isinstance(metric, ConversionMetric):
                if metric.from_ != current:
                    raise TreeError(
                        ("kgi", "tree", i),
                        f"{key!r} starts at {metric.from_!r} but the chain is at {current!r} "
                        f"(expected {current}_to_...); {_TREE_FIX}",
                    )
                steps.append(TreeStep(key, "rate", metric.to, metric.from_))
                current = metric.to
            elif not isinstance(metric, AverageDealSizeMetric):
                raise TreeError(
                    ("kgi", "tree", i), f"{key!r} is a {metric.type} metric; {_TREE_FIX}"
                )
            elif kgi != last:  # deal size: the KGI per unit of the last stage
                steps.append(TreeStep(key, "size", kgi, last))
        if current != last:
            raise TreeError(
                ("kgi", "tree"),
                f"the chain ends at {current!r}, not at the last stage {last!r} (got {tree}); "
                f"{_TREE_FIX}",
            )
        if kgi != last and not any(s.kind == "size" for s in steps):
            steps.append(TreeStep("average_deal_size", "size", kgi, last))
        return head.stage, steps

    @cached_property
    def version_hash(self) -> str:
        """A short hash of the definitions' content: any change gives a new one."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


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
    try:  # the tree must multiply out to the KGI: volume, a chain of rates, then deal size
        definitions.tree_steps()
    except TreeError as exc:
        raise ConfigError(f"{where(path, lines, exc.keys)}: {exc.problem}") from None
    return definitions
