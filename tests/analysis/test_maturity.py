"""Maturity and timing, checked by hand on tiny funnels.

A cohort is *mature* when its window has elapsed for its last entrant by the cut-off: the
period's end (local midnight) plus the window. The period's cohort and the previous period's are
both marked. A tree rate that fell on the period basis but not at equal age is *timing*, and
the monthly summary and the gap sentence say so with the figures of both views.

The funnels are MQL -> won (event stages, a won-count KGI); times are Tokyo time unless a test
says otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yaml
from builders import CAL, JST, TZ, at, event_definitions, write_store

import reviewkit as rk
from reviewkit.analysis.gap import gap_attribution, kgi_figures
from reviewkit.analysis.scorecard import RATE_COLUMNS, rate_card
from reviewkit.analysis.timing import (
    TIMING_COLUMNS,
    equal_age_rates,
    gap_timing,
    timing_check,
)
from reviewkit.core.periods import parse_period
from reviewkit.core.workspace import init_workspace
from reviewkit.model.definitions import Definitions
from reviewkit.present.sections.gap import gap_sentence, waterfall
from reviewkit.present.sections.monthly_summary import (
    families_without_data,
    summary_cause_items,
    summary_no_data,
    timing_words,
)
from reviewkit.present.tables import rates_table
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import connect

MAY = parse_period("2026-05", calendar=CAL)
JUNE = parse_period("2026-06", calendar=CAL)


def definitions(window: str = "45d") -> Definitions:
    """MQL -> won, a won-count KGI, MQL -> won a cohort rate within ``window``."""
    return event_definitions(
        ("mql", "won"),
        labels={"mql": {"ja": "MQL", "en": "MQL"}, "won": {"ja": "受注", "en": "Won"}},
        owners={"won": "sales"},
        conversion={"basis": "cohort", "window": window},
        kgi={
            "key": "won_count",
            "label": {"ja": "受注件数", "en": "Customers won"},
            "tree": ["mql", "mql_to_won"],
        },
        metrics=[
            {
                "key": "mql_to_won",
                "type": "conversion",
                "from": "mql",
                "to": "won",
                "basis": "cohort",
                "window": window,
                "label": {"ja": "MQL→受注 転換率", "en": "MQL to won rate"},
            },
        ],
        agreed_by=("marketing", "sales"),
        agreed_on="2026-01-05",
    )


def store(con, people):
    """``people``: (person, MQL at, won at or None)."""
    events = [(p, "mql", at(m)) for p, m, _ in people]
    events += [(p, "won", at(w)) for p, _, w in people if w]
    leads = [{"lead_id": p, "channel": "web"} for p, *_ in people]
    return write_store(con, leads, events)


def funnel(con, cutoff: dt.datetime, *, window: str = "45d", timezone: str = TZ) -> Funnel:
    return Funnel(con, definitions(window), timezone=timezone, cutoff=cutoff)


def tokyo(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=JST)


# --- when is a cohort mature? ----------------------------------------------------------------

# May: 4 MQLs. M1 won after 7 days, M2 after 36, M3 (the last entrant, 31 May 23:00) after
# 44 days 23 hours, M4 never. June: 5 MQLs. J1 won after 3 days, J2 after 25, J3 (30 June)
# after 10, J4 never, J5 after 50 days (outside the 45-day window).
HAND = [
    ("M1", "2026-05-03 10:00", "2026-05-10 10:00"),
    ("M2", "2026-05-20 10:00", "2026-06-25 10:00"),
    ("M3", "2026-05-31 23:00", "2026-07-15 22:00"),
    ("M4", "2026-05-15 10:00", None),
    ("J1", "2026-06-02 10:00", "2026-06-05 10:00"),
    ("J2", "2026-06-10 10:00", "2026-07-05 10:00"),
    ("J3", "2026-06-30 12:00", "2026-07-10 12:00"),
    ("J4", "2026-06-20 10:00", None),
    ("J5", "2026-06-25 10:00", "2026-08-14 10:00"),
]


@pytest.fixture
def hand(con):
    return store(con, HAND)


@pytest.mark.parametrize(
    ("cutoff", "may_mature"),
    [
        ("2026-07-15", False),  # a day before May's window elapses (1 June + 45 days)
        ("2026-07-16", True),  # exactly the day it elapses
        ("2026-07-17", True),  # a day after
    ],
)
def test_the_previous_period_is_mature_when_its_last_entrants_window_has_elapsed(
    hand, cutoff, may_mature
):
    card = rate_card(funnel(hand, tokyo(cutoff)), JUNE, previous=MAY).iloc[0]
    assert list(card.index) == RATE_COLUMNS
    assert bool(card["previous_mature"]) is may_mature
    assert not card["mature"]  # June's window elapses on 15 August
    # May: M1, M2 and M3 won within 45 days; M3's win (15 July 22:00) is seen from 16 July on
    assert card["previous"] == pytest.approx(3 / 4 if cutoff != "2026-07-15" else 2 / 4)


@pytest.mark.parametrize(
    ("cutoff", "june_mature"),
    [("2026-08-14", False), ("2026-08-15", True), ("2026-08-16", True)],
)
def test_the_period_is_mature_from_the_day_its_window_elapses(hand, cutoff, june_mature):
    card = rate_card(funnel(hand, tokyo(cutoff)), JUNE, previous=MAY).iloc[0]
    assert bool(card["mature"]) is june_mature
    assert card["previous_mature"]
    # J1, J2 and J3 within 45 days; J5's win came after 50
    assert card["value"] == pytest.approx(3 / 5)
    # both mature: no equal-age comparison is needed
    assert math.isnan(card["equal_days"]) is june_mature


def test_the_edge_is_the_instant_not_the_day(hand):
    """One hour before the window elapses for the last entrant, the cohort is still maturing."""
    f = funnel(hand, tokyo("2026-07-16") - dt.timedelta(hours=1))
    assert not f.window_elapsed(JUNE.start, dt.timedelta(days=45))  # May ends on 1 June
    assert funnel(hand, tokyo("2026-07-16")).window_elapsed(JUNE.start, dt.timedelta(days=45))


def test_a_window_across_the_change_to_summer_time_matures_in_elapsed_time(con):
    """Berlin: February's 30-day window ends on 31 March at 01:00 summer time, not midnight."""
    store(con, [("A", "2026-02-28 23:00", None)])
    berlin = ZoneInfo("Europe/Berlin")
    feb, jan = parse_period("2026-02", calendar=CAL), parse_period("2026-01", calendar=CAL)
    for day, mature in (("2026-03-31", False), ("2026-04-01", True)):
        cutoff = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=berlin)
        f = funnel(con, cutoff, window="30d", timezone="Europe/Berlin")
        frame = f.metric_frame(["mql_to_won"], [feb, jan]).set_index("period")
        assert bool(frame.loc["2026-02", "mature"]) is mature, day


def test_equal_age_rates_by_hand(hand):
    """On 16 July June's youngest have had 15 days: both months counted within 15 days."""
    equal = equal_age_rates(funnel(hand, tokyo("2026-07-16")), "mql_to_won", JUNE, MAY)
    assert equal is not None and equal.days == 15
    # May: only M1 (7 days) within 15; June: J1 (3 days) and J3 (10 days)
    assert (equal.reference_numerator, equal.reference_denominator) == (1, 4)
    assert (equal.numerator, equal.denominator) == (2, 5)
    assert equal.change_points == pytest.approx((2 / 5 - 1 / 4) * 100)
    # the rate card carries the same view
    card = rate_card(funnel(hand, tokyo("2026-07-16")), JUNE, previous=MAY).iloc[0]
    assert (card["equal_days"], card["equal_value"], card["equal_previous"]) == (
        15.0, pytest.approx(2 / 5), pytest.approx(1 / 4),
    )  # fmt: skip
    # a period that ended less than a day before the cut-off has no equal-age view
    assert equal_age_rates(funnel(hand, tokyo("2026-07-01")), "mql_to_won", JUNE, MAY) is None


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_rates_table_marks_both_periods_and_compares_at_equal_age(hand, lang):
    defs = definitions()
    maturing = " (maturing)" if lang == "en" else "（集計途中）"
    # 15 July: both cohorts maturing
    card = rate_card(funnel(hand, tokyo("2026-07-15")), JUNE, previous=MAY)
    row = cells(rates_table(card, definitions=defs, lang=lang).html)
    rate, previous, change, equal = row[1], row[4], row[5], row[6]
    assert rate == f"60.0%{maturing}" and previous == f"50.0%{maturing}"
    assert maturing in change  # a change with a maturing side is not read as a miss
    # 14 days: May's M1 (7 days) of 4, June's J1 and J3 of 5
    want = (
        "14 days: 25.0% → 40.0% (+15.0 pts)" if lang == "en" else "14日: 25.0% → 40.0%（+15.0pt）"
    )
    assert equal == want
    # 16 August: both mature, nothing marked, no equal-age column
    card = rate_card(funnel(hand, tokyo("2026-08-16")), JUNE, previous=MAY)
    html = rates_table(card, definitions=defs, lang=lang).html
    assert maturing.strip() not in html and len(cells(html)) == 6
    assert cells(html)[4] == "75.0%"


# --- timing or conversion ------------------------------------------------------------------


def month_of_people(
    prefix: str, days: list[int], *, month: int, converts: int, after: int
) -> list[tuple[str, str, str | None]]:
    """An MQL on each of ``days`` in ``month``; the first ``converts`` win ``after`` days later."""
    out = []
    for i, day in enumerate(days):
        mql = dt.datetime(2026, month, day, 10)
        won = mql + dt.timedelta(days=after) if i < converts else None
        out.append((f"{prefix}{i}", f"{mql:%Y-%m-%d %H:%M}", won and f"{won:%Y-%m-%d %H:%M}"))
    return out


# May: 40 MQLs on 1-20 May (two a day), the first 20 win 5 days later (all within May).
MAY_PEOPLE = month_of_people("M", [d for d in range(1, 21) for _ in (0, 1)], month=5,
                             converts=20, after=5)  # fmt: skip
# June, timing: the same 40 as May, plus 40 more on 28-30 June; of every 80 half win 5 days
# later. On the period basis June has 20 wins of 80 MQLs (the late ones win in July): 25 %
# against May's 50 %. At the same age both cohorts converted half.
TIMING_JUNE = month_of_people(
    "J", [d for d in range(1, 21) for _ in (0, 1)] + [28] * 14 + [29] * 13 + [30] * 13,
    month=6, converts=80, after=5,
)  # fmt: skip
TIMING_JUNE = [(p, m, w if i % 2 == 0 else None) for i, (p, m, w) in enumerate(TIMING_JUNE)]
# June, a worse conversion: 80 MQLs on 1-20 June (four a day), a quarter of them win: 25 % on
# both views.
WORSE_JUNE = month_of_people("J", [d for d in range(1, 21) for _ in range(4)], month=6,
                             converts=20, after=5)  # fmt: skip
CUTOFF = tokyo("2026-07-13")  # June's youngest have had 12 days


def by_hand(people, month):
    """MQLs of the month, wins of the month, and MQLs of the month won within 12 days."""
    frame = pd.DataFrame(people, columns=["p", "mql", "won"])
    frame["mql"] = pd.to_datetime(frame["mql"])
    frame["won"] = pd.to_datetime(frame["won"])
    in_month = frame["mql"].dt.month == month
    wins = (frame["won"].dt.month == month).sum()
    within = (frame["won"] - frame["mql"] < pd.Timedelta(days=12)) & in_month
    return int(in_month.sum()), int(wins), int(within.sum())


def test_the_hand_made_months_are_what_they_say():
    assert by_hand(MAY_PEOPLE, 5) == (40, 20, 20)
    assert by_hand(TIMING_JUNE, 6) == (80, 20, 40)  # period basis 25 %, equal age 50 %
    assert by_hand(WORSE_JUNE, 6) == (80, 20, 20)  # 25 % on both


def test_a_fall_that_disappears_at_equal_age_is_timing(con):
    f = funnel(store(con, MAY_PEOPLE + TIMING_JUNE), CUTOFF, window="30d")
    check = timing_check(f, "mql_to_won", JUNE, MAY)
    assert check is not None
    assert (check.value, check.reference_value) == (pytest.approx(0.25), pytest.approx(0.5))
    assert check.equal.days == 12
    assert (check.equal.value, check.equal.reference_value) == (0.5, 0.5)
    assert check.fell and check.timing and not check.held and not check.unclear


def test_a_fall_that_holds_at_equal_age_is_no_timing(con):
    f = funnel(store(con, MAY_PEOPLE + WORSE_JUNE), CUTOFF, window="30d")
    check = timing_check(f, "mql_to_won", JUNE, MAY)
    assert check is not None
    assert (check.value, check.equal.value, check.equal.reference_value) == (0.25, 0.25, 0.5)
    assert check.fell and check.held and not check.timing


def test_too_few_people_give_no_verdict(con):
    few = MAY_PEOPLE[:10] + TIMING_JUNE[:10]
    f = funnel(store(con, few), CUTOFF, window="30d")
    assert timing_check(f, "mql_to_won", JUNE, MAY) is None


def gap_parts(con, june):
    f = funnel(store(con, MAY_PEOPLE + june), CUTOFF, window="30d")
    figures = kgi_figures(f, JUNE, calendar=CAL, targets=None)
    attribution = gap_attribution(figures, funnel=f)
    last_year = parse_period("2025-06", calendar=CAL)
    timing = gap_timing(f, attribution, {"actual": JUNE, "previous": MAY, "last_year": last_year})
    return f, attribution, timing


def test_gap_timing_lists_the_rate_drivers_that_cost_the_kgi(con):
    _, attribution, timing = gap_parts(con, TIMING_JUNE)
    assert list(timing.columns) == TIMING_COLUMNS
    # only the previous month has people (a year earlier: no cohort, no verdict)
    assert list(zip(timing["comparison"], timing["driver"], strict=True)) == [
        ("previous", "mql_to_won")
    ]
    row = timing.iloc[0]
    assert row["timing"] and row["reference"] == MAY and row["equal_days"] == 12
    # against May, twice the MQLs at half the rate: volume +15, MQL to won −15 (Shapley)
    previous = attribution[attribution["comparison"] == "previous"].set_index("driver")
    assert previous.loc["mql", "contribution"] == pytest.approx(15)
    assert previous.loc["mql_to_won", "contribution"] == pytest.approx(-15)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_gap_sentence_says_timing_with_both_views(con, lang):
    f, attribution, timing = gap_parts(con, TIMING_JUNE)
    sentence = gap_sentence(attribution, definitions=f.definitions, kgi_label="Won", lang=lang,
                            currency="BRL", timing=timing, period=JUNE)  # fmt: skip
    if lang == "en":
        assert "This is timing, not a worse conversion" in sentence
        assert "fell from 50.0% in May 2026 to 25.0% in June 2026" in sentence
        assert "at the same age (12 days) June 2026's MQL cohort converted at 50.0% against " \
               "50.0% for May 2026's" in sentence  # fmt: skip
        assert "has not had time to reach Won yet" in sentence
    else:
        assert "転換の悪化ではなくタイミングの問題です" in sentence
        assert "2026年5月の50.0%から2026年6月の25.0%に下がりました" in sentence
        assert "同じ経過日数（12日）" in sentence
    assert "R$" not in sentence  # a count KGI: no currency


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_fall_that_holds_is_said_to_hold_and_never_called_timing(con, lang):
    f, attribution, timing = gap_parts(con, WORSE_JUNE)
    sentence = gap_sentence(attribution, definitions=f.definitions, kgi_label="Won", lang=lang,
                            currency="BRL", timing=timing, period=JUNE)  # fmt: skip
    assert "timing" not in sentence.lower() and "タイミング" not in sentence
    if lang == "en":
        assert "At the same age (12 days) the fall holds: 50.0% in May 2026, 25.0% in June" \
               in sentence  # fmt: skip
    else:
        assert "同じ経過日数（12日）で比べても低下は残ります" in sentence
    # the summary's words say nothing about timing then
    said = timing_words(timing, "previous", "mql_to_won", definitions=f.definitions,
                        period=JUNE, lang=lang)  # fmt: skip
    assert said == ""


def test_the_waterfall_draws_a_timing_fall_grey_and_names_it(con):
    f, attribution, timing = gap_parts(con, TIMING_JUNE)
    chart = waterfall(attribution, definitions=f.definitions, kgi_label="Won", lang="en",
                      currency="BRL", timing=timing)  # fmt: skip
    rows = next(iter(chart.spec["datasets"].values()))
    kinds = {r["bar"]: r["kind"] for r in rows if r["comparison"] == "vs previous month"}
    assert kinds["MQL to won rate (timing)"] == "timing"
    assert "fell only by timing" in chart.description
    f, attribution, timing = gap_parts(con, WORSE_JUNE)
    chart = waterfall(attribution, definitions=f.definitions, kgi_label="Won", lang="en",
                      currency="BRL", timing=timing)  # fmt: skip
    rows = next(iter(chart.spec["datasets"].values()))
    kinds = {r["bar"]: r["kind"] for r in rows if r["comparison"] == "vs previous month"}
    assert kinds["MQL to won rate"] == "down"


# --- the monthly summary of a whole review --------------------------------------------------


def workspace(tmp_path, people):
    """A workspace with the MQL -> won definitions, no targets, and the people's store."""
    ws = init_workspace(tmp_path / "ws")
    params = ws.root / "params"
    for name in ("targets.yml", "actions.yml", "benchmarks.yml"):
        (params / name).unlink(missing_ok=True)
    raw = definitions("30d").model_dump(mode="json", by_alias=True, exclude_none=True)
    (params / "definitions.yml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    con = connect(ws.store_path, timezone=TZ)
    try:
        store(con, people)
    finally:
        con.close()
    return ws


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_monthly_summary_says_timing_when_the_fall_disappears(tmp_path, lang):
    ws = workspace(tmp_path, MAY_PEOPLE + TIMING_JUNE)
    review = rk.open_review("monthly", workspace=str(ws.root), as_of="2026-07-13", lang=lang)
    text = review.summary().text
    if lang == "en":
        assert "June 2026: Customers won 20 (no target); +0.0% on the previous month" in text
        assert "MQL volume made up part of it. This is timing" in text
        assert "By the KPI tree, MQL to won rate cost the most (−15)" in text
        assert "This is timing, not a worse conversion" in text
        assert "at the same age (12 days) June 2026's MQL cohort converted at 50.0%" in text
    else:
        assert "MQL→受注 転換率が最も響き（−15）" in text
        assert "転換の悪化ではなくタイミングの問題です" in text
    assert "¥" not in text and "R$" not in text  # counts carry no currency


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_monthly_summary_keeps_a_worse_conversion_a_worse_conversion(tmp_path, lang):
    ws = workspace(tmp_path, MAY_PEOPLE + WORSE_JUNE)
    review = rk.open_review("monthly", workspace=str(ws.root), as_of="2026-07-13", lang=lang)
    text = review.summary().text
    assert "timing" not in text.lower() and "タイミング" not in text
    assert ("MQL to won rate cost the most" in text) or ("MQL→受注 転換率が最も響き" in text)


# --- the causes line ---------------------------------------------------------------------------


def test_families_without_data_are_named_not_left_out():
    dims = ("channel", "industry", "company_size", "sales_team", "campaign_id", "content_asset")
    none = families_without_data(dims, ("channel", "company_size", "content_asset"))
    assert none == {"follow_up": ("sales_team",)}
    assert families_without_data(dims, dims) == {}
    everything = families_without_data(dims, ())
    assert set(everything) == {"target", "content", "follow_up"}
    assert everything["content"] == ("campaign_id", "content_asset")
    assert summary_no_data(none, lang="en") == (
        "Not analysed, for lack of data: follow-up (no sales team values)."
    )
    assert summary_no_data(none, lang="ja") == (
        "データがないため分析していない原因: フォロー（営業チームの値がない）。"
    )
    assert summary_no_data({}, lang="en") == ""


def test_the_causes_line_has_a_word_for_every_family():
    findings = pd.DataFrame(
        [{"family": "target", "rank": 1, "score": -10.0, "dims": ("channel",), "values": ("web",),
          "driver": "mql_to_won", "size_before": 40, "size": 40, "rate_before": 0.5,
          "rate": 0.25, "yen": -1000.0}]
    )  # fmt: skip
    items = summary_cause_items(findings, definitions=definitions(), lang="en",
                                no_data={"follow_up": ("sales_team",)})  # fmt: skip
    assert items == [
        ("cause_target", "[target] channel: web: MQL to won rate 50.0% → 25.0%"),
        ("cause_content", "[content] no material finding"),
    ]
