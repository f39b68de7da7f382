"""The stages of the funnel and the segment dimensions the definitions add.

A stage is entered at a stage event from the store (:class:`EventStage`), or when a rule over
lead attributes holds (:class:`RuleStage`). A segment dimension (``segments:``) gives each lead
the value of the first rule that holds for it, and packs split and filter by it like a lead
column.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reviewkit.core.workspace import Localized
from reviewkit.errors import ConfigError
from reviewkit.model.metrics import KEY_PATTERN as _KEY
from reviewkit.model.metrics import StrictModel as _Strict
from reviewkit.model.rules import compile_rule

Department = Literal["marketing", "inside_sales", "sales"]

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


#: A stage with ``rule:`` is a RuleStage, else an EventStage; errors then name the stage's keys.
StageItem = Annotated[
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


def invalid_at(keys: tuple[str | int, ...], message: str, value: object) -> ValidationError:
    """A validation error located at ``keys`` (so the message can name the key path and line)."""
    error = PydanticCustomError("definitions", message)
    return ValidationError.from_exception_data(
        "Definitions", [{"type": error, "loc": keys, "input": value}]
    )


def check_stages(stages: list[Stage]) -> None:
    """Each stage has its own key; rule stages' entry times name a stage and form no cycle.

    Raises
    ------
    pydantic.ValidationError
        Located at the offending ``stages.<i>`` key.
    """
    keys = [s.key for s in stages]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise invalid_at(
                ("stages", i, "key"),
                f"stage key {key!r} is already used by stages.{keys.index(key)}; "
                "give each stage its own key",
                key,
            )
    # a rule stage may take its entry time from another stage: no cycles
    graph = {s.key: s.after_stage for s in stages if isinstance(s, RuleStage)}
    for i, stage in enumerate(stages):
        if not isinstance(stage, RuleStage) or stage.after_stage is None:
            continue
        loc = ("stages", i, "at")
        if stage.after_stage not in keys:
            raise invalid_at(
                loc, f"{stage.at!r} names no stage; use stage:<one of {keys}>", stage.at
            )
        seen = [stage.key]
        node: str | None = stage.after_stage
        while node is not None:
            if node in seen:
                chain = " -> ".join([*seen, node])
                raise invalid_at(
                    loc,
                    f"stage entry times form a cycle ({chain}); one of them must use "
                    "at: first_held, at: created_at or an event",
                    stage.at,
                )
            seen.append(node)
            node = graph.get(node)


def check_segments(segments: list[SegmentDimension]) -> None:
    """Each added dimension has its own key (not a lead column's) and distinct values.

    Raises
    ------
    pydantic.ValidationError
        Located at the offending ``segments.<i>`` key.
    """
    taken = set(LEAD_DIMENSIONS) | set(RULE_COLUMNS)
    seen: list[str] = []
    for i, segment in enumerate(segments):
        if segment.key in taken or segment.key in seen:
            what = (
                "a lead column" if segment.key in taken else f"segments.{seen.index(segment.key)}"
            )
            raise invalid_at(
                ("segments", i, "key"),
                f"segment key {segment.key!r} is already used by {what}; give the "
                "dimension its own key (e.g. account_tier)",
                segment.key,
            )
        seen.append(segment.key)
        values = [v.value for v in segment.values]
        for j, value in enumerate(values):
            if value in values[:j]:
                raise invalid_at(
                    ("segments", i, "values", j, "value"),
                    f"value {value!r} is already given by values.{values.index(value)}; "
                    "merge the two rules with `or`",
                    value,
                )
