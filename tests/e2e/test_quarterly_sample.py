"""The quarterly review of the sample company's FY2026-Q2, as the demo renders it on 2026-11-23.

Done when the pack shows which KPIs still predict revenue, how the MQL rule trades volume for
quality, and a proposed target set for the next quarter that adds up to the KGI target. Each
figure is checked against the raw tables or a hand calculation, and the pack against the review.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

import reviewkit as rk
from reviewkit.analysis.plan_solving import forward_kgi, plan_totals
from reviewkit.analysis.relevance import combined
from reviewkit.analysis.relevance_series import leading_kpis
from reviewkit.core.periods import parse_period
from reviewkit.model.targets import load_targets


@pytest.fixture(scope="module")
def review(sample_workspace):
    return rk.open_review("quarterly", workspace=str(sample_workspace.root), as_of="2026-11-23",
                          lang="en")  # fmt: skip


def test_the_review_is_fy2026_q2_and_plans_q3(review):
    assert review.period.label == "FY2026-Q2"
    assert review.next_period.label == "FY2026-Q3"
    assert [m.label for m in review.next_months] == ["2026-10", "2026-11", "2026-12"]


def test_every_leading_kpi_has_a_verdict(review):
    verdicts = combined(review.relevance_results)
    assert set(verdicts["metric"]) == set(leading_kpis(review.definitions))
    assert set(verdicts["verdict"]) <= {"predicts", "weak", "none"}
    # Both the KGI and its volume (won deals) were examined.
    assert list(review.relevance_results) == ["revenue", "won"]


def test_the_mql_sweep_matches_the_funnel_at_the_current_rule(review, sample_con):
    sweep = review.sweep
    current = sweep[sweep["current"]].iloc[0]
    assert current["threshold"] == 60
    frame = review.funnel.metric_frame(["mql", "mql_to_sql"], [review.period])
    mql = frame[frame["metric"] == "mql"].iloc[0]
    rate = frame[frame["metric"] == "mql_to_sql"].iloc[0]
    assert current["entered"] == mql["value"]
    assert current["reached_next"] == rate["numerator"]
    # Volume for quality: a stricter rule never lets in more people.
    ordered = sweep.sort_values("threshold")
    assert ordered["entered"].is_monotonic_decreasing
    # The comparison is the current rule against a stricter one (the sweep suggests none).
    comparison = review.rule_comparison
    assert list(comparison["variant"]) == ["current", "proposed", "change"]
    assert review.proposed_rule == "score >= 65"


def test_every_variant_adds_up_to_the_kgi_target(review):
    targets = review.targets
    months = review.next_months
    kgi_target = sum(targets.month_value("revenue", m.start) for m in months)
    assert kgi_target == pytest.approx(531_000_000)
    plan, _, reason = review.planned
    assert reason == ""
    forward = forward_kgi(plan, review.plan_variants, definitions=review.definitions)
    by_variant = forward.groupby(level=0).sum()
    for variant, total in by_variant.items():
        assert total == pytest.approx(kgi_target, rel=1e-9), variant
    # Hand check of the expected variant's October: back from ¥165M through the pooled rates.
    rates = review.plan_variants.set_index("driver")["expected"]
    won = 165_000_000 / rates["average_deal_size"]
    lead = won / rates["opportunity_to_won"] / rates["sql_to_opportunity"]
    lead = lead / rates["mql_to_sql"] / rates["lead_to_mql"]
    row = plan[(plan["variant"] == "expected") & (plan["month"] == "2026-10")]
    assert row.set_index("metric").loc["lead", "value"] == pytest.approx(lead)
    assert row.set_index("metric").loc["lead", "rounded"] == math.ceil(lead - 1e-9)


def test_the_draft_targets_file_sits_next_to_the_pack_and_loads(
    demo_packs, demo_packs_workspace, tmp_path, review
):
    pack = demo_packs[("quarterly", "en")]
    draft = pack.directory / "targets-draft-FY2026-Q3.yml"
    assert draft.is_file()
    params = tmp_path / "params"
    params.mkdir()
    (params / "targets.yml").write_text(draft.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_targets(params / "targets.yml", definitions=review.definitions)
    plan, _, _ = review.planned
    expected = plan_totals(plan)
    expected = expected[expected["variant"] == "expected"].set_index("metric")["rounded"]
    cal = review.workspace.calendar
    for metric, total in expected.items():
        months = [parse_period(m, calendar=cal) for m in ("2026-10", "2026-11", "2026-12")]
        got = sum(loaded.month_value(metric, m.start) or math.nan for m in months)
        assert got == pytest.approx(total), metric
    # The workspace's own targets file was not touched by the run (the workspace the pack was
    # built from: another worker's under pytest -n; and this review's).
    for params_dir in (demo_packs_workspace / "params", review.workspace.params_dir):
        assert "targets-draft" not in (params_dir / "targets.yml").read_text(encoding="utf-8")


def test_the_first_screen_links_each_answer_to_its_evidence(demo_packs):
    html = demo_packs[("quarterly", "en")].pack.read_text(encoding="utf-8")
    summary = html[html.index('class="rk-summary"') :]
    summary = summary[: summary.index("</div>")]
    for anchor in ("trends", "relevance", "what_if", "plan", "actions_review"):
        assert f'href="#{anchor}"' in summary, anchor
        assert f'id="{anchor}"' in html, anchor
    text = re.sub(r"<[^>]+>", " ", summary)
    assert "¥472.6M" in text and "¥531.0M" in text  # the quarter's KGI and next quarter's target
    assert "966 people became MQL" in text
    # The draft is downloadable from the pack itself (offline: a data: URL).
    assert 'download="targets-draft-FY2026-Q3.yml"' in html


def test_the_quarter_kgi_equals_a_plain_recount(review, sample_tables):
    opportunities = pd.DataFrame(sample_tables["opportunities"])
    closed = pd.to_datetime(opportunities["closed_at"], utc=True).dt.tz_convert("Asia/Tokyo")
    won = opportunities[
        opportunities["is_won"] & (closed >= "2026-07-01 00:00+09:00")
        & (closed < "2026-10-01 00:00+09:00")
    ]  # fmt: skip
    trends = review.trend_frame.set_index("metric")
    assert trends.loc["revenue", "actual"] == pytest.approx(float(won["amount"].sum()))


def test_the_draft_is_written_only_while_a_pack_is_built(review, tmp_path, monkeypatch):
    from reviewkit.core.context import CONTEXT_ENV, PackContext

    monkeypatch.delenv(CONTEXT_ENV, raising=False)
    html = review.target_proposal().html
    assert "only downloadable" in html  # JupyterLab: nothing written anywhere
    context = PackContext(tmp_path)
    monkeypatch.setenv(CONTEXT_ENV, str(context.write()))
    html = review.target_proposal().html
    assert "next to the pack" in html and "only downloadable" not in html
    written = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert written == context.published() == ["targets-draft-FY2026-Q3.yml"]
    assert (tmp_path / "targets-draft-FY2026-Q3.yml").read_text(encoding="utf-8") == (
        review.draft_targets
    )
