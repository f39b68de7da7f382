"""Next quarter's targets back-solved from the KGI target (reviewkit.analysis.target_plan).

Hand-made trees with round numbers check the backward walk; a property test checks that every
plan multiplies forward to the KGI target; the sample company's recent rates and targets are
re-derived with plain pandas (the recounts of test_scorecard_numbers).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from builders import FAR, SAMPLE_STAGES, TZ, event_definitions, expected_actuals, ratio
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.analysis.draft_targets import draft_targets_yaml
from reviewkit.analysis.kgi_target import next_quarter_target
from reviewkit.analysis.plan_solving import (
    back_solve,
    compare_with_targets,
    forward_kgi,
    plan_totals,
)
from reviewkit.analysis.target_plan import (
    COMPARISON_COLUMNS,
    PLAN_COLUMNS,
    POOLED,
    RATE_COLUMNS,
    TOTAL,
    VARIANT_COLUMNS,
    VARIANTS,
    plan_metrics,
    plan_variants,
    quarter_months,
    recent_rates,
)
from reviewkit.core.periods import FiscalCalendar, next_period, parse_period
from reviewkit.errors import DataError, ParameterError
from reviewkit.i18n.texts import TEXTS
from reviewkit.model.definitions import Definitions
from reviewkit.model.targets import Targets, load_targets
from reviewkit.present.sections.target_plan import plan_sentence, plan_table, rates_table
from reviewkit.review.drafts import write_draft
from reviewkit.semantic.funnel import Funnel

CAL = FiscalCalendar(4)
Q2 = parse_period("FY2026-Q2", calendar=CAL)
Q3 = parse_period("FY2026-Q3", calendar=CAL)
MONTHS = ["2026-10", "2026-11", "2026-12"]
DRIVERS = ["lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_won"]
TREE = [*DRIVERS, "average_deal_size"]
TEXT = {"ja": "x", "en": "x"}


def hand_definitions() -> Definitions:
    """lead -> mql -> sql -> opportunity -> won, revenue (the default tree)."""
    return event_definitions(SAMPLE_STAGES)


def variants_frame(values: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """driver -> (conservative, expected, optimistic), as plan_variants returns them."""
    return pd.DataFrame(
        [
            {
                "driver": d,
                "kind": "size" if d == "average_deal_size" else "rate",
                **dict(zip(VARIANTS, v, strict=True)),
                "valid_months": 12,
                "pooled_only": False,
                "no_data_months": (),
            }
            for d, v in values.items()
        ],
        columns=VARIANT_COLUMNS,
    )


def value_of(plan: pd.DataFrame, variant: str, month: str, metric: str, column="value") -> float:
    rows = plan[
        (plan["variant"] == variant) & (plan["month"] == month) & (plan["metric"] == metric)
    ]
    assert len(rows) == 1
    return float(rows[column].iloc[0])


# --- back-solving by hand --------------------------------------------------------------------


def test_back_solve_walks_the_tree_backwards_with_round_numbers():
    # expected: 10M / 1M = 10 won; / 50 % = 20 opp; / 40 % = 50 SQL; / 25 % = 200 MQL;
    # / 10 % = 2,000 leads. Conservative: deal size 2M -> 5 won, / 0.25 = 20, / 0.2 = 100,
    # / 0.2 = 500, / 0.05 = 10,000. Optimistic: 4M -> 2.5 won (3 rounded up), / 0.5 = 5,
    # / 0.5 = 10, / 0.5 = 20, / 0.5 = 40.
    variants = variants_frame(
        {
            "lead_to_mql": (0.05, 0.1, 0.5),
            "mql_to_sql": (0.2, 0.25, 0.5),
            "sql_to_opportunity": (0.2, 0.4, 0.5),
            "opportunity_to_won": (0.25, 0.5, 0.5),
            "average_deal_size": (2e6, 1e6, 4e6),
        }
    )
    plan = back_solve({"2026-10": 10e6}, variants, definitions=hand_definitions())
    assert list(plan.columns) == PLAN_COLUMNS
    assert list(plan["variant"].unique()) == list(VARIANTS)
    assert list(plan["metric"].unique()) == [*SAMPLE_STAGES, "revenue"]
    expected = {
        "expected": [2000, 200, 50, 20, 10],
        "conservative": [10_000, 500, 100, 20, 5],
        "optimistic": [40, 20, 10, 5, 2.5],
    }
    for variant, counts in expected.items():
        for stage, count in zip(SAMPLE_STAGES, counts, strict=True):
            assert value_of(plan, variant, "2026-10", stage) == pytest.approx(count, rel=1e-12)
            # whole numbers stay whole (no 2,001 from 2000.0000000000002)
            assert value_of(plan, variant, "2026-10", stage, "rounded") == math.ceil(count)
        assert value_of(plan, variant, "2026-10", "revenue", "rounded") == 10e6


def test_back_solve_rounds_each_stage_up_and_keeps_the_kgi():
    # 10M / 3M = 3.33 won -> 4; the KGI is the target as given, not rounded
    variants = variants_frame(
        {d: (0.5, 0.5, 0.5) for d in DRIVERS} | {"average_deal_size": (3e6,) * 3}
    )
    plan = back_solve({"2026-10": 10_000_000.4}, variants, definitions=hand_definitions())
    assert value_of(plan, "expected", "2026-10", "won") == pytest.approx(10_000_000.4 / 3e6)
    assert value_of(plan, "expected", "2026-10", "won", "rounded") == 4
    assert value_of(plan, "expected", "2026-10", "opportunity", "rounded") == 7  # 6.67
    assert value_of(plan, "expected", "2026-10", "lead", "rounded") == 54  # 53.33
    assert value_of(plan, "expected", "2026-10", "revenue", "rounded") == 10_000_000.4
    # 21 won / 70 % is 30.000000000000004 in floating point: 30 people, not 31
    variants.loc[variants["driver"] == "opportunity_to_won", list(VARIANTS)] = 0.7
    variants.loc[variants["driver"] == "average_deal_size", list(VARIANTS)] = 1e6
    plan = back_solve({"2026-10": 21e6}, variants, definitions=hand_definitions())
    assert value_of(plan, "expected", "2026-10", "opportunity") != 30  # not exact ...
    assert value_of(plan, "expected", "2026-10", "opportunity", "rounded") == 30  # ... yet 30
    assert value_of(plan, "expected", "2026-10", "lead", "rounded") == 240


def test_back_solve_is_generic_over_the_tree():
    # a funnel of three stages whose KGI is the number won: no deal size, no revenue row
    defs = event_definitions(
        ("inquiry", "meeting", "won"), kgi={"key": "won_count"}, version="t", agreed_by=("sales",)
    )
    assert plan_metrics(defs) == ["inquiry", "meeting", "won"]
    variants = variants_frame(
        {"inquiry_to_meeting": (0.2, 0.25, 0.5), "meeting_to_won": (0.3, 0.4, 0.5)}
    )
    plan = back_solve({"2026-10": 30, "2026-11": 12}, variants, definitions=defs)
    # 30 won / 40 % = 75 meetings / 25 % = 300 inquiries; 12 -> 30 -> 120
    assert value_of(plan, "expected", "2026-10", "inquiry") == pytest.approx(300)
    assert value_of(plan, "expected", "2026-11", "meeting") == pytest.approx(30)
    assert value_of(plan, "conservative", "2026-10", "inquiry", "rounded") == 500  # 30/.3/.2
    assert value_of(plan, "expected", "2026-10", "won", "rounded") == 30
    forward = forward_kgi(plan, variants, definitions=defs)
    assert forward.name == "won"
    assert forward[("optimistic", "2026-11")] == pytest.approx(12)


def test_a_rate_without_data_names_the_driver_and_its_months():
    rates = pd.DataFrame(
        [
            (
                m,
                d,
                "size" if d == "average_deal_size" else "rate",
                n,
                den,
                n / den if den else math.nan,
            )
            for m in ["2026-07", "2026-08", "2026-09"]
            for d, n, den in [
                ("lead_to_mql", 20.0, 100.0),
                ("mql_to_sql", 0.0, 0.0 if m != "2026-09" else 10.0),
                ("sql_to_opportunity", 5.0, 10.0),
                ("opportunity_to_won", 1.0, 5.0),
                ("average_deal_size", 5e6, 1.0),
            ]
        ],
        columns=RATE_COLUMNS,
    )
    pooled = rates.groupby("driver", sort=False)[["numerator", "denominator"]].sum().reset_index()
    pooled = pooled.assign(month=POOLED, kind=["rate"] * 4 + ["size"])
    pooled["value"] = pooled["numerator"] / pooled["denominator"]
    rates = pd.concat([rates, pooled[RATE_COLUMNS]], ignore_index=True)
    variants = plan_variants(rates)
    row = variants.set_index("driver").loc["mql_to_sql"]
    assert row["no_data_months"] == ("2026-07", "2026-08") and row["pooled_only"]
    assert row["expected"] == 0.0
    with pytest.raises(DataError, match=r"'mql_to_sql'.*2026-07, 2026-08.*mql"):
        back_solve({"2026-10": 1e6}, variants, definitions=hand_definitions())


def test_plan_variants_use_the_percentiles_or_pooled_with_few_months():
    months = [f"2026-{m:02d}" for m in range(1, 9)]
    num = [10.0, 20, 30, 40, 50, 60, 70, 80]
    rows = [(m, "lead_to_mql", "rate", n, 100.0, n / 100) for m, n in zip(months, num, strict=True)]
    rows.append((POOLED, "lead_to_mql", "rate", sum(num), 800.0, sum(num) / 800))
    rates = pd.DataFrame(rows, columns=RATE_COLUMNS)
    got = plan_variants(rates).iloc[0]
    # 25th percentile of 0.1..0.8 (linear): 0.1 + 0.25 * 7 * 0.1 = 0.275; 75th: 0.625
    assert got["conservative"] == pytest.approx(0.275)
    assert got["expected"] == pytest.approx(0.45)
    assert got["optimistic"] == pytest.approx(0.625)
    assert not got["pooled_only"] and got["valid_months"] == 8
    few = plan_variants(rates, min_months=9).iloc[0]
    assert few["pooled_only"]
    assert few["conservative"] == few["expected"] == few["optimistic"] == pytest.approx(0.45)


# --- the plan multiplies forward to the KGI target -------------------------------------------

rate = st.floats(0.01, 1.0)
size = st.floats(1e3, 1e8)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    rates=st.lists(st.tuples(rate, rate, rate), min_size=4, max_size=4),
    sizes=st.tuples(size, size, size),
    targets=st.lists(st.just(0.0) | st.floats(1e3, 1e10), min_size=1, max_size=3),
)
def test_every_plan_multiplies_forward_to_the_kgi_target(rates, sizes, targets):
    defs = hand_definitions()
    variants = variants_frame(dict(zip(DRIVERS, rates, strict=True)) | {"average_deal_size": sizes})
    kgi = dict(zip(MONTHS, targets, strict=False))
    plan = back_solve(kgi, variants, definitions=defs)
    forward = forward_kgi(plan, variants, definitions=defs)
    step = variants.set_index("driver")[list(VARIANTS)].prod(axis=0)  # KGI of one more lead
    for (_, month), value in forward.items():
        assert value == pytest.approx(kgi[month], rel=1e-9, abs=1e-6)
    totals = forward_kgi(plan_totals(plan), variants, definitions=defs)
    for variant in VARIANTS:
        assert totals[(variant, TOTAL)] == pytest.approx(sum(kgi.values()), rel=1e-9, abs=1e-6)
    # rounded counts: whole, never short, less than one person over
    counts = plan[plan["metric"] != "revenue"]
    assert (counts["rounded"] == np.floor(counts["rounded"])).all()
    assert (counts["rounded"] >= counts["value"] * (1 - 1e-12)).all()
    assert (counts["rounded"] - counts["value"] < 1).all()
    rounded = forward_kgi(plan, variants, definitions=defs, column="rounded")
    for (variant, month), value in rounded.items():
        assert value >= kgi[month] * (1 - 1e-11)
        assert value <= kgi[month] + step[variant] * (1 + 1e-9) + 1e-6


# --- the sample company ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_rates(sample_funnel):
    return recent_rates(sample_funnel, Q2, calendar=CAL)


def test_recent_rates_match_a_pandas_recount(sample_rates, expected_inputs):
    rates = sample_rates
    assert list(rates.columns) == RATE_COLUMNS
    labels = [f"2025-{m}" for m in ("10", "11", "12")] + [f"2026-{m:02d}" for m in range(1, 10)]
    assert list(rates["month"].unique()) == [*labels, POOLED]
    assert list(rates["driver"].unique()) == TREE
    value = rates.set_index(["month", "driver"])["value"]
    pooled = {}
    for label in labels:
        counts = expected_actuals(expected_inputs, parse_period(label, calendar=CAL), SAMPLE_STAGES)
        for a, b in zip(["revenue", *SAMPLE_STAGES[:0:-1]], SAMPLE_STAGES[::-1], strict=True):
            pooled.setdefault((a, b), [0.0, 0.0])
            pooled[(a, b)][0] += counts[a]
            pooled[(a, b)][1] += counts[b]
        if label in ("2025-10", "2026-09"):  # two months checked one by one
            want = {
                "lead_to_mql": ratio(counts["mql"], counts["lead"]),
                "mql_to_sql": ratio(counts["sql"], counts["mql"]),
                "sql_to_opportunity": ratio(counts["opportunity"], counts["sql"]),
                "opportunity_to_won": ratio(counts["won"], counts["opportunity"]),
                "average_deal_size": ratio(counts["revenue"], counts["won"]),
            }
            for driver, expected in want.items():
                assert value[(label, driver)] == pytest.approx(expected, rel=1e-12), driver
    names = dict(zip([("mql", "lead"), ("sql", "mql"), ("opportunity", "sql"),
                      ("won", "opportunity"), ("revenue", "won")], TREE, strict=True))  # fmt: skip
    for pair, (num, den) in pooled.items():
        assert value[(POOLED, names[pair])] == pytest.approx(num / den, rel=1e-12)


def test_sample_plan_reproduces_the_file_target(
    sample_funnel, sample_rates, sample_targets, definitions
):
    target = next_quarter_target(sample_targets, sample_funnel, Q3, calendar=CAL)
    assert target.source == "targets_file" and target.split == "targets_file"
    assert target.by_month == {"2026-10": 165e6, "2026-11": 182e6, "2026-12": 184e6}
    assert target.total == 531e6
    variants = plan_variants(sample_rates)
    monthly = sample_rates[sample_rates["month"] != POOLED]
    for driver, group in monthly.groupby("driver"):
        row = variants.set_index("driver").loc[driver]
        assert row["conservative"] == pytest.approx(np.percentile(group["value"], 25))
        assert row["optimistic"] == pytest.approx(np.percentile(group["value"], 75))
    plan = back_solve(target.by_month, variants, definitions=definitions)
    forward = forward_kgi(plan, variants, definitions=definitions)
    for (_, month), value in forward.items():
        assert value == pytest.approx(target.by_month[month], rel=1e-9)
    # the conservative plan needs more of every stage than the optimistic one
    wide = plan.pivot_table(index=["month", "metric"], columns="variant", values="rounded")
    counts = wide.drop(index="revenue", level="metric")
    assert (counts["conservative"] >= counts["expected"]).all()
    assert (counts["expected"] >= counts["optimistic"]).all()


def test_compare_with_the_current_targets(sample_rates, sample_targets, definitions):
    variants = plan_variants(sample_rates)
    kgi = {"2026-10": 165e6, "2026-11": 182e6, "2026-12": 184e6}
    plan = back_solve(kgi, variants, definitions=definitions)
    months = quarter_months(Q3, calendar=CAL)
    assert [m.label for m in months] == MONTHS
    cmp = compare_with_targets(plan, sample_targets, months=months, definitions=definitions)
    assert list(cmp.columns) == COMPARISON_COLUMNS
    assert list(cmp["month"].unique()) == [*MONTHS, TOTAL]
    row = cmp.set_index(["month", "metric"])
    # params/targets.yml: 2026-10 lead 2470; the quarter 2470 + 1450 + 1590
    assert row.loc[("2026-10", "lead"), "target"] == 2470
    assert row.loc[(TOTAL, "lead"), "target"] == 5510
    assert row.loc[(TOTAL, "revenue"), "target"] == 531e6
    lead = plan[(plan["variant"] == "expected") & (plan["metric"] == "lead")]
    assert row.loc[(TOTAL, "lead"), "expected"] == lead["rounded"].sum()
    assert row.loc[("2026-11", "mql"), "diff_optimistic"] == pytest.approx(
        row.loc[("2026-11", "mql"), "optimistic"] / 355 - 1
    )
    none = compare_with_targets(plan, Targets.empty(), months=months, definitions=definitions)
    assert none["target"].isna().all() and none["diff_expected"].isna().all()


# --- next quarter's KGI target ---------------------------------------------------------------


def test_next_quarter_is_the_one_after_the_review():
    assert next_period(Q2, calendar=CAL) == Q3
    assert next_period(parse_period("FY2026-Q4", calendar=CAL), calendar=CAL).label == "FY2027-Q1"


def test_an_override_is_split_by_the_files_months(sample_funnel, sample_targets):
    target = next_quarter_target(sample_targets, sample_funnel, Q3, calendar=CAL, override=600e6)
    assert (target.source, target.split) == ("parameter", "targets_file")
    assert target.by_month["2026-10"] == pytest.approx(600e6 * 165 / 531)
    assert target.by_month["2026-12"] == pytest.approx(600e6 * 184 / 531)
    assert target.total == pytest.approx(600e6)


def test_an_override_without_monthly_targets_follows_last_years_actuals(
    sample_funnel, expected_inputs
):
    target = next_quarter_target(Targets.empty(), sample_funnel, Q3, calendar=CAL, override=3e8)
    assert (target.source, target.split) == ("parameter", "last_year")
    last_year = {
        m: expected_actuals(expected_inputs, parse_period(m, calendar=CAL), [])["revenue"]
        for m in ("2025-10", "2025-11", "2025-12")
    }
    whole = sum(last_year.values())
    for month, before in zip(MONTHS, last_year.values(), strict=True):
        assert target.by_month[month] == pytest.approx(3e8 * before / whole, rel=1e-12)


def test_an_override_without_any_history_is_split_equally(con):
    funnel = Funnel(con, event_definitions(SAMPLE_STAGES), timezone=TZ, cutoff=FAR)
    target = next_quarter_target(None, funnel, Q3, calendar=CAL, override=300)
    assert (target.source, target.split) == ("parameter", "equal")
    assert target.by_month == {m: pytest.approx(100) for m in MONTHS}


def test_a_missing_target_says_what_to_do(sample_funnel, sample_targets):
    rows = sample_targets.frame
    two = rows[~((rows["metric"] == "revenue") & (rows["month"] == dt.date(2026, 12, 1)))]
    target = next_quarter_target(Targets(two), sample_funnel, Q3, calendar=CAL)
    assert target.by_month is None and target.source == "none"
    assert target.missing_months == ("2026-12",)
    assert target.message("en", kgi="Revenue won") == (
        "No Revenue won target for FY2026 Q3 in params/targets.yml (months without one: "
        "2026-12): add them, or give the quarter's total with -p next_kgi_target=<total> "
        "(in JupyterLab, the next_kgi_target parameter)."
    )
    assert "2026年度 第3四半期" in target.message("ja")
    assert "-p next_kgi_target=" in target.message("ja")
    none = next_quarter_target(None, sample_funnel, Q3, calendar=CAL)
    assert none.by_month is None and none.missing_months == tuple(MONTHS)
    cmp = pd.DataFrame(columns=COMPARISON_COLUMNS)
    assert plan_sentence(
        cmp, kgi_target=none, definitions=sample_funnel.definitions, lang="en", currency="JPY"
    ) == (none.message("en", kgi="Revenue won"))
    assert "2026-10, 2026-11, 2026-12" in none.message("en")


@pytest.mark.parametrize("bad", ["531M", -5, 0, math.inf, True])
def test_a_bad_override_is_refused(sample_funnel, bad):
    with pytest.raises(ParameterError, match=r"^next_kgi_target: .* 531_000_000"):
        next_quarter_target(None, sample_funnel, Q3, calendar=CAL, override=bad)


# --- the draft targets file ------------------------------------------------------------------


@pytest.fixture
def sample_plan(sample_rates, definitions):
    variants = plan_variants(sample_rates)
    kgi = {"2026-10": 165e6, "2026-11": 182e6, "2026-12": 184_000_000.4}
    return back_solve(kgi, variants, definitions=definitions), variants


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_draft_round_trips_through_load_targets(sample_plan, definitions, tmp_path, lang):
    plan, variants = sample_plan
    months = quarter_months(Q3, calendar=CAL)
    text = draft_targets_yaml(
        plan, variant="conservative", months=months, period_label="FY2026-Q3",
        generated_from="quarterly review FY2026-Q2, as of 2026-11-23", rates=variants, lang=lang,
    )  # fmt: skip
    path = tmp_path / "params" / "targets.yml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    loaded = load_targets(path, definitions=definitions)
    assert loaded.proration == "linear"
    got = loaded.frame.set_index(["month", "metric"])["value"]
    chosen = plan[plan["variant"] == "conservative"]
    assert len(got) == len(chosen) == 18
    for row in chosen.itertuples():
        month = dt.date.fromisoformat(f"{row.month}-01")
        assert got[(month, row.metric)] == round(row.rounded), (row.month, row.metric)
    assert got[(dt.date(2026, 12, 1), "revenue")] == 184_000_000
    # the format of params/targets.yml: one aligned flow map per month, a heading comment
    lines = [x for x in text.splitlines() if re.match(r"^  \d{4}-\d{2}: \{", x)]
    assert [x[2:9] for x in lines] == MONTHS
    assert len({len(x) for x in lines}) == 1
    assert "revenue: 165_000_000}" in lines[0]
    comments = [x for x in text.splitlines() if x.startswith("#")]
    assert "FY2026-Q2, as of 2026-11-23" in comments[1]
    assert any("lead_to_mql" in c for c in comments)
    if lang == "en":
        assert "conservative variant" in comments[0]
        assert any("copy the months you approve into params/targets.yml" in c for c in comments)
        assert any("never read by reviewkit" in c for c in comments)
    else:
        assert "保守案" in comments[0]


def test_write_draft_writes_next_to_the_pack_and_never_into_params(
    sample_plan, sample_workspace, tmp_path
):
    plan, variants = sample_plan
    text = draft_targets_yaml(
        plan, months=quarter_months(Q3, calendar=CAL), period_label="FY2026-Q3",
        generated_from="test", rates=variants,
    )  # fmt: skip
    out = write_draft(text, tmp_path / "packs", period_label="FY2026-Q3")
    assert out == tmp_path / "packs" / "targets-draft-FY2026-Q3.yml"
    assert out.read_text(encoding="utf-8") == text
    params = sample_workspace.params_dir
    before = (params / "targets.yml").read_bytes()
    for place in (params, params / "drafts"):
        with pytest.raises(ParameterError, match=re.escape(str(params.resolve()))):
            write_draft(text, place, period_label="FY2026-Q3", params_dir=params)
    with pytest.raises(ParameterError, match="inside"):  # found without being told
        write_draft(text, params, period_label="FY2026-Q3")
    assert (params / "targets.yml").read_bytes() == before
    assert not list(params.glob("targets-draft-*"))
    with pytest.raises(ParameterError, match="period_label"):
        write_draft(text, tmp_path, period_label="../FY2026-Q3")


# --- presentation ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tables_and_sentence(sample_plan, sample_targets, sample_funnel, definitions, lang):
    plan, variants = sample_plan
    months = quarter_months(Q3, calendar=CAL)
    cmp = compare_with_targets(plan, sample_targets, months=months, definitions=definitions)
    table = plan_table(cmp, definitions=definitions, lang=lang, currency="JPY")
    heads = {
        "ja": ["現在の目標", "保守案", "標準案", "楽観案", "四半期合計"],
        "en": ["Current target", "Conservative", "Expected", "Optimistic", "Quarter total"],
    }
    for word in heads[lang]:
        assert word in table.html
    assert "5,510" in table.html  # the quarter's lead target
    assert ("2026年10月" if lang == "ja" else "October 2026") in table.html
    rates = rates_table(
        variants, definitions=definitions, lang=lang, comparison=cmp, currency="JPY"
    )
    implied = f"{1190 / 5510 * 100:.1f}%"  # target MQL / target lead over the quarter
    assert implied in rates.html
    target = next_quarter_target(sample_targets, sample_funnel, Q3, calendar=CAL)
    sentence = plan_sentence(
        cmp, kgi_target=target, definitions=definitions, lang=lang, currency="JPY"
    )
    leads = cmp.set_index(["month", "metric"]).loc[(TOTAL, "lead"), "expected"]
    assert f"{round(leads):,}" in sentence and "5,510" in sentence
    if lang == "en":
        assert sentence.startswith("To reach Revenue won of ¥531.0M in FY2026 Q3 at recent rates")
    else:
        assert sentence.startswith("2026年度 第3四半期に受注金額 5億3,100万円を達成するには")
    assert target.describe(definitions=definitions, lang=lang, currency="JPY")


def test_few_months_are_flagged_in_the_rates_table(definitions):
    variants = variants_frame(
        {d: (0.5, 0.5, 0.5) for d in DRIVERS} | {"average_deal_size": (1e6,) * 3}
    )
    variants.loc[1, "pooled_only"] = True
    html = rates_table(variants, definitions=definitions, lang="en", currency="JPY").html
    assert "MQL to SQL rate *" in html and "fewer than 6 months" in html


def test_plan_texts_exist_in_both_languages_with_the_same_fields():
    keys = [k for k in TEXTS if k.startswith("plan.")]
    assert len(keys) > 30
    for key in keys:
        ja, en = TEXTS[key]["ja"], TEXTS[key]["en"]
        assert ja.strip() and en.strip(), key
        ja_fields, en_fields = set(re.findall(r"\{(\w+)\}", ja)), set(re.findall(r"\{(\w+)\}", en))
        assert ja_fields <= en_fields | {"variant"}, key
        assert en_fields <= ja_fields | {"variant_lower"}, key


# --- any company's KGI -----------------------------------------------------------------------


def count_definitions(keys=("signup", "customer")) -> Definitions:
    """Event stages ``keys`` and no ``kgi:``: the KGI is the last stage's count."""
    return event_definitions(
        keys, labels={k: {"ja": k, "en": k.title()} for k in keys}, owner="sales", with_kgi=False,
        version="t", agreed_by=("sales",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("total", "shares", "parts"),
    [
        (181, {"a": 1, "b": 1, "c": 1}, {"a": 61, "b": 60, "c": 60}),  # 60.33 each: the first
        (10, {"a": 0.5, "b": 0.3, "c": 0.2}, {"a": 5, "b": 3, "c": 2}),
        (7, {"a": 2, "b": 2, "c": 3}, {"a": 2, "b": 2, "c": 3}),
        (100, {"a": 185, "b": 170, "c": 160}, {"a": 36, "b": 33, "c": 31}),  # 35.9, 33.0, 31.1
    ],
)
def test_a_whole_total_is_split_in_whole_numbers_that_add_up(total, shares, parts):
    from reviewkit.analysis.kgi_target import whole_split

    split = whole_split(total, shares)
    assert split == parts and sum(split.values()) == total


def test_a_count_kgi_target_by_parameter_is_whole_and_split_in_whole_numbers(con):
    from reviewkit.analysis.kgi_target import check_next_kgi_target

    defs = count_definitions()
    funnel = Funnel(con, defs, timezone=TZ, cutoff=FAR)
    target = next_quarter_target(None, funnel, Q3, calendar=CAL, override=181)
    assert (target.source, target.split) == ("parameter", "equal")
    assert target.by_month == {"2026-10": 61, "2026-11": 60, "2026-12": 60}
    with pytest.raises(ParameterError, match=r"^next_kgi_target: 180.5 is not a whole number"):
        next_quarter_target(None, funnel, Q3, calendar=CAL, override=180.5)
    assert check_next_kgi_target(defs, 0) is None and check_next_kgi_target(defs, 0.0) is None
    assert check_next_kgi_target(defs, None) is None and check_next_kgi_target(defs, 180) == 180
    with pytest.raises(ParameterError, match=r"e\.g\. 180\)"):
        check_next_kgi_target(defs, 180.5)
    revenue = event_definitions(SAMPLE_STAGES)
    assert check_next_kgi_target(revenue, 1234.5) == 1234.5  # an amount need not be whole
    with pytest.raises(ParameterError, match="531_000_000"):
        check_next_kgi_target(revenue, "531M")


def test_a_count_kgi_plan_and_draft_name_no_deal_size_or_currency():
    defs = count_definitions(("mql", "won"))
    variants = variants_frame({"mql_to_won": (0.08, 0.1, 0.125)})
    plan = back_solve({"2026-10": 20, "2026-11": 30, "2026-12": 25}, variants, definitions=defs)
    months = quarter_months(Q3, calendar=CAL)
    cmp = compare_with_targets(plan, None, months=months, definitions=defs)
    # 20 / 10 % = 200 MQLs; 30 / 8 % = 375; 25 / 12.5 % = 200
    assert value_of(plan, "expected", "2026-10", "mql", "rounded") == 200
    assert value_of(plan, "conservative", "2026-11", "mql", "rounded") == 375
    text = draft_targets_yaml(plan, months=months, period_label="FY2026-Q3", generated_from="t",
                              rates=variants, lang="en")  # fmt: skip
    assert "# Rates assumed (period basis):" in text and "deal size" not in text
    assert "currency" not in text and "the KGI (a count) is the target" in text
    assert "  2026-10: {mql: 200, won: 20}" in text
    for lang in ("ja", "en"):
        table = plan_table(cmp, definitions=defs, lang=lang, currency="BRL")
        rates = rates_table(variants, definitions=defs, lang=lang, currency="BRL", comparison=cmp)
        for html in (table.html, rates.html):
            assert "R$" not in html and "受注単価" not in html and "deal size" not in html
        # no current targets: neither their column nor the brackets nor the implied rates
        assert t_of("plan.col.target", lang) not in table.html
        assert t_of("plan.table_brackets", lang) not in table.html
        assert t_of("plan.col.implied", lang) not in rates.html


def t_of(key: str, lang: str) -> str:
    return TEXTS[key][lang]


def test_a_revenue_tree_written_without_deal_size_still_reaches_the_won_count():
    defs = event_definitions(["lead", "won"])
    tree = defs.model_copy(
        update={"kgi": defs.kgi.model_copy(update={"tree": ["lead", "lead_to_won"]})}
    )
    assert tree.tree == ["lead", "lead_to_won"]
    assert plan_metrics(tree) == ["lead", "won", "revenue"]
    variants = variants_frame({"lead_to_won": (0.1, 0.1, 0.1), "average_deal_size": (5e5,) * 3})
    plan = back_solve({"2026-10": 10e6}, variants, definitions=tree)
    # 10M / 0.5M = 20 won / 10 % = 200 leads
    assert value_of(plan, "expected", "2026-10", "won") == pytest.approx(20)
    assert value_of(plan, "expected", "2026-10", "lead") == pytest.approx(200)
