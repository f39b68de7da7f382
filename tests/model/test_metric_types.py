"""Each metric type knows its unit, direction, size dependence, data and stages; the KPI tree."""

from __future__ import annotations

import typing

import pytest

from reviewkit.analysis.effects import direction_of
from reviewkit.errors import ConfigError
from reviewkit.model.definitions import Definitions, TreeError, TreeStep, parse_metric
from reviewkit.model.metrics import UNITS, Metric
from reviewkit.semantic.evaluators import EVALUATORS

TEXT = {"ja": "テスト", "en": "Test"}
# type -> (extra fields, kind, higher is better, benchmark kind, needs, stage refs)
TYPES = {
    "count": ({"stage": "lead"}, "count", True, None, (), [("stage", "lead")]),
    "conversion": (
        {"from": "lead", "to": "mql"}, "rate", True, "rate", (), [("from", "lead"), ("to", "mql")],
    ),
    "win_rate": ({"by": "amount"}, "rate", True, "rate", ("amounts",), []),
    "sla": ({"from": "mql"}, "rate", True, "rate", ("touches",), [("from", "mql")]),
    "revenue": ({}, "amount", True, None, (), []),
    "average_deal_size": ({}, "amount", True, "amount", ("amounts",), []),
    "cost_per": (
        {"stage": "mql"}, "amount", False, "amount", ("campaign_costs",), [("stage", "mql")],
    ),
    "sales_cycle": ({}, "days", False, None, (), []),
    "speed_to_lead": ({"from": "mql"}, "hours", False, None, (), [("from", "mql")]),
    "pipeline_coverage": ({}, "times", True, None, (), []),
}  # fmt: skip


def _metric(kind: str) -> Metric:
    return parse_metric({"key": "m", "type": kind, **TYPES[kind][0]})


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_each_metric_type_knows_its_behaviour(kind):
    metric = _metric(kind)
    _, unit, higher, benchmark, needs, refs = TYPES[kind]
    assert metric.kind == unit and unit in UNITS
    assert metric.higher_is_better is higher
    assert direction_of(metric) == ("up" if higher else "down")
    assert metric.benchmark_kind == benchmark
    assert metric.needs == needs
    assert metric.stage_refs() == refs


def test_every_metric_type_is_listed_and_has_an_evaluator():
    union = typing.get_args(typing.get_args(Metric)[0])
    assert {t.model_fields["type"].annotation.__args__[0] for t in union} == set(TYPES)
    assert set(EVALUATORS) == set(union)


def test_a_win_rate_by_count_needs_closed_deals():
    assert parse_metric({"key": "w", "type": "win_rate"}).needs == ("closed_deals",)


def _definitions(*, tree: list[str] | None = None, kgi: str = "revenue") -> Definitions:
    stages = [
        {"key": k, "label": TEXT, "owner": "marketing", "description": TEXT, "event": k}
        for k in ("lead", "mql", "won")
    ]
    raw = {
        "version": "t", "agreed_by": ["sales"], "agreed_on": "2026-04-01", "stages": stages,
        "kgi": {"key": kgi, "label": TEXT, "owner": "sales", "description": TEXT,
                "tree": tree or []},
        "metrics": [{"key": "cycle", "type": "sales_cycle"}],
    }  # fmt: skip
    return Definitions.model_validate(raw)


def test_the_tree_walks_from_the_first_stage_to_the_kgi():
    head, steps = _definitions().tree_steps()
    assert head == "lead"
    assert steps == [
        TreeStep("lead_to_mql", "rate", "mql", "lead"),
        TreeStep("mql_to_won", "rate", "won", "mql"),
        TreeStep("average_deal_size", "size", "revenue", "won"),
    ]
    assert _definitions(kgi="won_count").tree_steps()[1][-1].driver == "mql_to_won"
    # a revenue tree written without deal size still reaches the KGI
    _, steps = _definitions(tree=["lead", "lead_to_mql", "mql_to_won"]).tree_steps()
    assert steps[-1] == TreeStep("average_deal_size", "size", "revenue", "won")


@pytest.mark.parametrize(
    ("tree", "keys", "words"),
    [
        (["lead_to_mql"], ("kgi", "tree", 0), "must start with a stage"),
        (["lead", "mql_to_won"], ("kgi", "tree", 1), "starts at 'mql' but the chain is at"),
        (["lead", "cycle"], ("kgi", "tree", 1), "is a sales_cycle metric"),
        (["lead", "lead_to_mql"], ("kgi", "tree"), "the chain ends at 'mql'"),
    ],
)
def test_a_tree_that_does_not_multiply_out_is_named_once(tree, keys, words):
    with pytest.raises(TreeError) as info:
        _definitions(tree=tree).tree_steps()
    assert info.value.keys == keys and words in info.value.problem
    assert isinstance(info.value, ConfigError)


def test_parts_name_what_the_numerator_and_denominator_count():
    assert _metric("count").parts == (("entered", "lead", "count"), None)
    assert _metric("conversion").parts == (
        ("reached", "mql", "count"),
        ("entered", "lead", "count"),
    )
    period = parse_metric(
        {"key": "m", "type": "conversion", "from": "a", "to": "b", "basis": "period"}
    )
    assert period.parts[0] == ("entered", "b", "count")
    assert _metric("win_rate").parts == (
        ("revenue", None, "amount"),
        ("closed_amount", None, "amount"),
    )
    assert _metric("sales_cycle").parts == (None, ("won", None, "count"))
    assert _metric("sla").parts == (("in_sla", None, "count"), ("due", "mql", "count"))
    for kind in TYPES:  # every unit a part is in is one a value may be in
        assert all(p is None or p[2] in UNITS for p in _metric(kind).parts)
