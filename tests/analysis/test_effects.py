"""Did an improvement action work? :mod:`reviewkit.analysis.effects` on generated and hand-made
stores.

Generated populations (numpy) write MQLs per day in a segment (paid search) and in the rest
(display, referral or no channel), each becoming an SQL within the 14-day window with a known
probability and touched within the 24-hour SLA with another. The truth is kept per person, so
every figure is checked against a plain pandas count of the same people; the verdicts are
checked on planted changes (segment only, everyone, none, the wrong way). A hand-made store of
fourteen people checks the four rates, the difference in differences and its interval against
arithmetic done by hand. Times are Tokyo time; the cut-off is 11 Nov 2026.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from builders import JST, STAGES, TZ, at, event_definitions

from reviewkit.analysis.effects import RESULT_KEYS, in_segment, measure_effect
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import TEXTS
from reviewkit.i18n.texts_effects import EFFECTS_TEXTS
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.definitions import Definitions
from reviewkit.present.sections.effects import effects_table, verdict_rule
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import replace_tables

TEXTS.update(EFFECTS_TEXTS)

CUTOFF = dt.datetime(2026, 11, 11, tzinfo=JST)
START = dt.date(2026, 9, 1)
FIRST_DAY = dt.date(2026, 6, 15)
LAST_DAY = dt.date(2026, 11, 10)
SEGMENT = {"channel": "paid_search"}
# A 14-day conversion window: cohorts up to 27 Oct have matured by the cut-off, so the after
# window is 1 Sep - 27 Oct (57 days) and the before window 6 Jul - 31 Aug.
AFTER_END = dt.date(2026, 10, 28)
DAYS = 57


def definitions() -> Definitions:
    """lead -> mql -> sql -> won; cohort rates within 14 days; an SLA of 24 hours from MQL."""
    return event_definitions(
        STAGES,
        conversion={"window": "14d"},
        metrics=[
            {"key": "average_deal_size", "type": "average_deal_size"},
            {"key": "mql_sla", "type": "sla", "from": "mql", "within": "24h"},
        ],
    )


def funnel(con, cutoff: dt.datetime = CUTOFF) -> Funnel:
    return Funnel(con, definitions(), timezone=TZ, cutoff=cutoff)


def write_people(con, people: pd.DataFrame) -> None:
    """Write one lead per row: ``lead_id``, ``channel``, ``mql_at``, ``sql_at``, ``touch_at``."""
    leads = pd.DataFrame(
        {
            "lead_id": people["lead_id"],
            "source_system": "ma",
            "created_at": people["mql_at"] - pd.Timedelta(hours=1),
            "channel": people["channel"].astype(object).where(people["channel"].notna(), None),
        }
    )
    mql = people[["lead_id", "mql_at"]].set_axis(["lead_id", "entered_at"], axis=1)
    sql = people.loc[people["sql_at"].notna(), ["lead_id", "sql_at"]]
    events = pd.concat(
        [
            mql.assign(stage="mql"),
            sql.set_axis(["lead_id", "entered_at"], axis=1).assign(stage="sql"),
        ]
    ).assign(source_system="test")
    touched = people[people["touch_at"].notna()]
    activities = pd.DataFrame(
        {
            "activity_id": "A-" + touched["lead_id"],
            "lead_id": touched["lead_id"],
            "activity_type": "call",
            "occurred_at": touched["touch_at"],
            "is_human": True,
        }
    )
    replace_tables(
        con,
        {"leads": leads, "stage_events": events, "activities": activities},
        source="generated test store",
    )
    resolve_identities(con)


def population(
    con,
    *,
    seed: int,
    seg: tuple[float, float] = (0.2, 0.2),
    rest: tuple[float, float] = (0.2, 0.2),
    per_day: tuple[float, float] = (8.0, 12.0),
    seg_per_day_after: float | None = None,
    sla_seg: tuple[float, float] = (0.8, 0.8),
    sla_rest: tuple[float, float] = (0.8, 0.8),
) -> pd.DataFrame:
    """Write a population and return it, one row per person, with the truth per person.

    ``seg``/``rest``: MQL->SQL within 14 days before/after the start; ``sla_*``: touched within
    24 hours before/after. Non-converters sometimes become SQLs 15-30 days later (outside the
    window) and the untouched are touched 25-72 hours later (outside the SLA).
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    after_day = days >= pd.Timestamp(START)
    seg_rate = np.where(after_day, seg_per_day_after or per_day[0], per_day[0])
    counts = {"seg": rng.poisson(seg_rate), "rest": rng.poisson(per_day[1], len(days))}
    frames = []
    for group, count in counts.items():
        day = np.repeat(days.to_numpy(), count)
        n = len(day)
        if group == "seg":
            channel = np.full(n, "paid_search", dtype=object)
        else:
            channel = rng.choice(np.array(["display", "referral", None], dtype=object), n)
        frames.append(pd.DataFrame({"group": group, "day": day, "channel": channel}))
    people = pd.concat(frames, ignore_index=True)
    n = len(people)
    people["lead_id"] = [f"P{i:05d}" for i in range(n)]
    hours = pd.to_timedelta(rng.uniform(8, 20, n), unit="h")
    people["mql_at"] = (people["day"] + hours).dt.tz_localize(TZ)
    after = (people["day"] >= pd.Timestamp(START)).to_numpy()
    is_seg = (people["group"] == "seg").to_numpy()
    p_sql = np.where(is_seg, np.where(after, seg[1], seg[0]), np.where(after, rest[1], rest[0]))
    p_sla = np.where(
        is_seg, np.where(after, sla_seg[1], sla_seg[0]), np.where(after, sla_rest[1], sla_rest[0])
    )
    people["converts"] = rng.random(n) < p_sql
    late = ~people["converts"] & (rng.random(n) < 0.2)
    soon = pd.to_timedelta(rng.uniform(1, 13.5 * 24, n), unit="h")
    later = pd.to_timedelta(rng.uniform(15 * 24, 30 * 24, n), unit="h")
    people["sql_at"] = (people["mql_at"] + soon).where(people["converts"])
    people.loc[late, "sql_at"] = people.loc[late, "mql_at"] + later[late.to_numpy()]
    people["in_sla"] = rng.random(n) < p_sla
    quick = pd.to_timedelta(rng.uniform(0.5, 23, n), unit="h")
    slow = pd.to_timedelta(rng.uniform(25, 72, n), unit="h")
    people["touch_at"] = people["mql_at"] + np.where(people["in_sla"], quick, slow)
    write_people(con, people)
    return people


def truth(people: pd.DataFrame, first: dt.date, end: dt.date, column: str) -> dict[str, tuple]:
    """Plain pandas: {seg/rest: (mean of ``column``, people)} of MQLs on local days [first, end)."""
    day = people["mql_at"].dt.tz_convert(TZ).dt.date
    inside = people[(day >= first) & (day < end)]
    # the segment is paid search; people without a channel are in the rest
    is_seg = inside["channel"].eq("paid_search")
    return {
        "seg": (inside.loc[is_seg, column].mean(), int(is_seg.sum())),
        "rest": (inside.loc[~is_seg, column].mean(), int((~is_seg).sum())),
    }


def measure(con, kpi="mql_to_sql", **options):
    options.setdefault("segment", SEGMENT)
    options.setdefault("start", START)
    return measure_effect(funnel(con), kpi=kpi, **options)


def check_against_truth(result: dict, people: pd.DataFrame, column: str) -> None:
    before = truth(people, result["before_start"], result["before_end"], column)
    after = truth(people, result["after_start"], result["after_end"], column)
    for group in ("seg", "rest"):
        assert result[f"{group}_before"] == pytest.approx(before[group][0])
        assert result[f"{group}_after"] == pytest.approx(after[group][0])
        assert result[f"n_{group}_before"] == before[group][1]
        assert result[f"n_{group}_after"] == after[group][1]
    did = (after["seg"][0] - before["seg"][0]) - (after["rest"][0] - before["rest"][0])
    assert result["effect"] == pytest.approx(did)


# --- planted changes ------------------------------------------------------------------------------


def test_a_planted_improvement_in_the_segment_is_improved(con):
    people = population(con, seed=1, seg=(0.2, 0.4))
    result = measure(con)
    assert set(result) == set(RESULT_KEYS)
    assert (result["after_start"], result["after_end"], result["days_after"]) == (
        START, AFTER_END, DAYS,
    )  # fmt: skip
    assert (result["before_start"], result["before_end"]) == (dt.date(2026, 7, 6), START)
    check_against_truth(result, people, "converts")
    assert result["verdict"] == "improved" and result["reason"] is None
    assert result["basis"] == "cohort" and result["comparison"] == "rest"
    assert result["effect"] == pytest.approx(0.20, abs=0.06)
    assert result["low"] < 0.20 < result["high"]
    assert result["low"] > 0


def test_the_after_window_is_capped_at_max_days(con):
    population(con, seed=2)
    result = measure(con, max_days=30)
    assert result["days_after"] == 30
    assert result["after_end"] == START + dt.timedelta(days=30)
    assert result["before_start"] == START - dt.timedelta(days=30)


def test_noise_alone_is_rarely_read_as_an_improvement(con):
    verdicts, covered = [], 0
    for seed in range(20):
        population(con, seed=100 + seed, seg=(0.3, 0.3), rest=(0.3, 0.3), per_day=(6.0, 8.0))
        result = measure(con)
        verdicts.append(result["verdict"])
        covered += result["low"] <= 0 <= result["high"]
    assert verdicts.count("improved") <= 2, verdicts
    assert verdicts.count("no_clear_change") >= 16, verdicts
    assert covered >= 16  # a 90 % interval covers the true 0 about 18 times in 20


def test_a_change_that_hits_everyone_is_no_clear_change(con):
    people = population(con, seed=3, seg=(0.2, 0.4), rest=(0.2, 0.4))
    result = measure(con)
    check_against_truth(result, people, "converts")
    assert result["seg_after"] - result["seg_before"] > 0.15  # the segment did rise ...
    assert result["verdict"] == "no_clear_change"  # ... but so did everyone else
    assert result["low"] < 0 < result["high"]


def test_a_worse_segment_is_worse_and_the_direction_turns_it_round(con):
    population(con, seed=4, seg=(0.4, 0.2))
    result = measure(con)
    assert result["verdict"] == "worse"
    assert result["effect"] == pytest.approx(-0.20, abs=0.06)
    assert result["high"] < 0
    assert measure(con, direction="down")["verdict"] == "improved"


def test_the_sla_is_measured_on_touches_within_the_deadline(con):
    people = population(con, seed=5, sla_seg=(0.5, 0.9))
    result = measure(con, kpi="mql_sla")
    # the 24-hour deadline of 9 Nov has passed by the cut-off: 10 Nov is the first open day
    assert result["after_end"] == dt.date(2026, 11, 10)
    assert result["days_after"] == 70
    assert result["basis"] == "sla"
    check_against_truth(result, people, "in_sla")
    assert result["verdict"] == "improved"
    assert result["effect"] == pytest.approx(0.40, abs=0.1)


def test_a_stage_count_is_compared_per_day_on_the_log_scale(con):
    people = population(con, seed=6, per_day=(8.0, 12.0), seg_per_day_after=16.0)
    result = measure(con, kpi="mql")
    assert result["after_end"] == dt.date(2026, 11, 11)  # counts are known the next day
    days = result["days_after"]
    assert days == 71 and result["basis"] == "count"
    people = people.assign(one=1.0)
    before = truth(people, result["before_start"], START, "one")
    after = truth(people, START, result["after_end"], "one")
    assert result["n_seg_before"] == before["seg"][1]
    assert result["n_rest_after"] == after["rest"][1]
    assert result["seg_after"] == pytest.approx(after["seg"][1] / days)
    ratio = (after["seg"][1] / before["seg"][1]) / (after["rest"][1] / before["rest"][1])
    assert result["effect"] == pytest.approx(ratio - 1)
    z = NormalDist().inv_cdf(0.95)
    se = math.sqrt(
        sum(1 / g[1] for g in (before["seg"], after["seg"], before["rest"], after["rest"]))
    )
    assert result["low"] == pytest.approx(ratio * math.exp(-z * se) - 1)
    assert result["effect"] == pytest.approx(1.0, abs=0.15)  # twice as many a day
    assert result["verdict"] == "improved"


def test_the_whole_funnel_has_no_comparison_group(con):
    people = population(con, seed=7, seg=(0.2, 0.4), rest=(0.2, 0.4))
    result = measure(con, segment=None)
    assert result["comparison"] == "none" and result["segment"] is None
    assert result["n_rest_before"] == result["n_rest_after"] == 0
    assert math.isnan(result["rest_before"])
    day = people["mql_at"].dt.tz_convert(TZ).dt.date
    after = people[(day >= START) & (day < AFTER_END)]["converts"]
    assert result["seg_after"] == pytest.approx(after.mean())
    assert result["n_seg_after"] == len(after)
    assert result["effect"] == pytest.approx(result["seg_after"] - result["seg_before"])
    assert result["verdict"] == "improved"  # without a comparison, a general rise counts


def test_the_after_window_agrees_with_the_semantic_layer(con):
    """With the cut-off on 15 Nov, October's cohorts have matured: the after window is October."""
    population(con, seed=8)
    f = funnel(con, dt.datetime(2026, 11, 15, tzinfo=JST))
    result = measure_effect(f, kpi="mql_to_sql", segment=SEGMENT, start=dt.date(2026, 10, 1))
    assert (result["after_end"], result["days_after"]) == (dt.date(2026, 11, 1), 31)
    october = parse_period("2026-10", calendar=FiscalCalendar(4))
    frame = f.metric_frame(["mql_to_sql"], [october], segment=SEGMENT).iloc[0]
    assert frame["mature"]
    assert result["n_seg_after"] == frame["denominator"]
    assert result["seg_after"] == pytest.approx(frame["value"])


# --- too early, unsupported, bad options ----------------------------------------------------------


def test_too_little_time_and_too_little_data_are_too_early(con):
    population(con, seed=9)
    five_days = measure(con, kpi="mql", start=dt.date(2026, 11, 6))
    assert five_days["days_after"] == 5
    assert (five_days["verdict"], five_days["reason"]) == ("too_early", "too_little_time")
    # a conversion started 5 days before the cut-off has no matured cohort at all
    rate = measure(con, start=dt.date(2026, 11, 6))
    assert rate["days_after"] == 0 and rate["after_end"] == rate["after_start"]
    assert (rate["verdict"], rate["reason"]) == ("too_early", "too_little_time")
    assert math.isnan(rate["effect"]) and rate["n_seg_after"] == 0
    full = measure(con)
    least = min(full[f"n_{k}"] for k in ("seg_before", "seg_after", "rest_before", "rest_after"))
    assert full["verdict"] != "too_early"
    assert measure(con, min_people=least)["verdict"] == full["verdict"]
    few = measure(con, min_people=least + 1)
    assert (few["verdict"], few["reason"]) == ("too_early", "too_little_data")
    nobody = measure(con, segment={"channel": "webinar"})
    assert (nobody["verdict"], nobody["reason"]) == ("too_early", "too_little_data")
    assert nobody["n_seg_before"] == 0 and math.isnan(nobody["effect"])


def test_a_metric_that_is_not_per_person_is_unsupported(con):
    population(con, seed=10, per_day=(1.0, 1.0))
    for kpi, basis in (("revenue", "revenue"), ("average_deal_size", "average_deal_size")):
        result = measure(con, kpi=kpi)
        assert (result["verdict"], result["reason"], result["basis"]) == (
            "unsupported", "unsupported_metric", basis,
        )  # fmt: skip
        assert math.isnan(result["effect"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kpi": "mql_to_opportunity"}, "kpi: 'mql_to_opportunity' is not a metric"),
        ({"segment": {"colour": "red"}}, "segment: 'colour' is not a segment column"),
        ({"direction": "sideways"}, "direction: 'sideways'"),
        ({"start": "2026-09-01"}, "start: '2026-09-01' is not a date"),
        ({"level": 1.5}, "level: 1.5"),
        ({"max_days": 0}, "max_days: 0"),
    ],
)
def test_bad_options_are_parameter_errors(con, options, message):
    population(con, seed=11, per_day=(1.0, 1.0))
    options = {"kpi": "mql_to_sql", **options}
    with pytest.raises(ParameterError, match=message):
        measure(con, **options)


def test_missing_values_are_in_the_rest():
    frame = pd.DataFrame({"channel": ["a", None, "b", np.nan], "region": ["x", "x", None, "y"]})
    assert list(in_segment(frame, {"channel": "a"})) == [True, False, False, False]
    assert list(in_segment(frame, {"channel": ["a", "b"]})) == [True, False, True, False]
    assert list(in_segment(frame, {"channel": None})) == [False, True, False, True]
    assert list(in_segment(frame, {"channel": "b", "region": "x"})) == [False] * 4
    assert list(in_segment(frame, None)) == [True] * 4


# --- a hand-made case -----------------------------------------------------------------------------

# person, channel, MQL at, SQL at. The action starts on 20 Oct; max_days=3 makes the after
# window 20-22 Oct and the before window 17-19 Oct.
HAND = [
    ("S0", "paid_search", "2026-10-16 10:00", "2026-10-17 10:00"),  # before the before window
    ("S1", "paid_search", "2026-10-17 10:00", "2026-10-18 10:00"),  # converts
    ("S2", "paid_search", "2026-10-18 10:00", None),
    ("S3", "paid_search", "2026-10-19 23:30", "2026-11-03 00:00"),  # 14 d 30 min: too late
    ("S5", "paid_search", "2026-10-20 08:00", "2026-10-21 10:00"),  # 19 Oct in UTC; converts
    ("S6", "paid_search", "2026-10-22 10:00", "2026-11-05 09:59"),  # one minute inside 14 days
    ("S7", "paid_search", "2026-10-23 10:00", "2026-10-24 10:00"),  # after the after window
    ("R1", "display", "2026-10-17 11:00", "2026-10-20 11:00"),
    ("R2", None, "2026-10-18 11:00", None),  # no channel: in the rest
    ("R3", "display", "2026-10-19 11:00", None),
    ("R4", "referral", "2026-10-19 12:00", None),
    ("R5", "display", "2026-10-21 11:00", "2026-10-22 11:00"),
    ("R6", None, "2026-10-22 11:00", "2026-10-23 11:00"),
    ("R7", "referral", "2026-10-20 11:00", None),
]


def hand_store(con) -> None:
    people = pd.DataFrame(HAND, columns=["lead_id", "channel", "mql_at", "sql_at"])
    people["mql_at"] = [at(v) for v in people["mql_at"]]
    people["sql_at"] = pd.to_datetime([at(v) if v else pd.NaT for v in people["sql_at"]])
    people["touch_at"] = pd.NaT
    write_people(con, people)


def test_a_hand_made_case_equals_the_hand_calculation(con):
    hand_store(con)
    options = {"start": dt.date(2026, 10, 20), "max_days": 3, "min_people": 1, "min_days": 1}
    result = measure(con, **options)
    assert result["before_start"] == dt.date(2026, 10, 17)
    assert result["after_end"] == dt.date(2026, 10, 23)
    # segment: 1 of S1-S3 before, S5 and S6 after; rest: R1 of R1-R4 before, R5 and R6 of 3
    expected = {"seg_before": 1 / 3, "seg_after": 1.0, "rest_before": 1 / 4, "rest_after": 2 / 3}
    for key, value in expected.items():
        assert result[key] == pytest.approx(value), key
    counts = [result[f"n_{k}"] for k in expected]
    assert counts == [3, 2, 4, 3]
    assert result["effect"] == pytest.approx((1 - 1 / 3) - (2 / 3 - 1 / 4))  # 0.25
    variance = (1 / 3) * (2 / 3) / 3 + 0 + (1 / 4) * (3 / 4) / 4 + (2 / 3) * (1 / 3) / 3
    half = 1.6448536269514722 * math.sqrt(variance)
    assert result["low"] == pytest.approx(0.25 - half)
    assert result["high"] == pytest.approx(0.25 + half)
    assert result["verdict"] == "no_clear_change"  # 0.25 +/- 0.44
    count = measure(con, kpi="mql", **options)
    assert [count[f"n_{k}"] for k in expected] == [3, 2, 4, 3]
    assert count["seg_before"] == pytest.approx(1.0)  # 3 MQLs in 3 days
    assert count["effect"] == pytest.approx((2 / 3) / (3 / 4) - 1)  # -1/9
    log_half = 1.6448536269514722 * math.sqrt(1 / 3 + 1 / 2 + 1 / 4 + 1 / 3)
    assert count["high"] == pytest.approx((8 / 9) * math.exp(log_half) - 1)


# --- the table and the rule -----------------------------------------------------------------------


def table_rows(con) -> list[dict]:
    population(con, seed=1, seg=(0.2, 0.4))
    rows = [
        measure(con),
        measure(con, kpi="mql", start=dt.date(2026, 11, 6)),
        measure(con, kpi="revenue"),
        measure(con, kpi="mql_to_sql", min_people=500),
    ]
    for i, row in enumerate(rows):
        row["action"] = f"A-{i + 1}"
    return rows


def test_the_table_shows_verdicts_reasons_and_windows(con):
    rows = table_rows(con)
    titles = {"A-1": "Nurture <script>alert(1)</script>", "A-2": "Webinar series"}
    en = effects_table(rows, definitions=definitions(), lang="en", titles=titles).html
    assert "<script>" not in en and "&lt;script&gt;" in en
    assert "✓ Improved" in en and "… Too early to tell" in en and "— Cannot be measured" in en
    assert "outcomes are known for 5 days so far (14 needed)" in en
    assert "too few people (segment:" in en and "500 needed in each" in en
    assert "(90% interval +" in en and "channel: paid_search" in en
    assert "before 6 Jul 2026 – 31 Aug 2026, after 1 Sep 2026 – 27 Oct 2026 (57 days each)" in en
    ja = effects_table(rows, definitions=definitions(), lang="ja", titles=titles).html
    assert "✓ 改善" in ja and "… 判断には早い" in ja and "（90%区間 +" in ja
    assert "開始前 2026年7月6日〜2026年8月31日、開始後 2026年9月1日〜2026年10月27日" in ja
    table = cells(en)
    assert [row[0] for row in table] == [
        "Nurture &lt;script&gt;alert(1)&lt;/script&gt; (A-1)", "Webinar series (A-2)", "A-3", "A-4",
    ]  # fmt: skip
    assert table[0][2] == f"{rows[0]['seg_before']:.1%} → {rows[0]['seg_after']:.1%}"
    assert table[0][3].startswith(f"+{rows[0]['effect'] * 100:.1f} pts (90% interval")
    assert table[1][2].endswith("people (5 days each)")
    assert [row[3] for row in table[1:]] == ["—"] * 3  # no change while too early / unsupported
    assert table[2][2] == "—"
    verdict_classes = re.findall(r'class="data row\d col4 ([^"]*)"', en)
    assert verdict_classes == [
        "rk-status rk-met", "rk-status rk-no_target", "rk-status rk-no_target",
        "rk-status rk-no_target",
    ]  # fmt: skip
    frame = effects_table(pd.DataFrame(rows), definitions=definitions(), lang="en", titles={})
    assert [row[0] for row in cells(frame.html)] == ["A-1", "A-2", "A-3", "A-4"]


def cells(html: str) -> list[list[str]]:
    """The body cells of a rendered table, row by row."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_an_empty_table_says_so_and_the_rule_names_the_thresholds():
    empty = effects_table([], definitions=definitions(), lang="en", titles={})
    assert "No action has passed its start date yet." in empty.html
    en = verdict_rule("en", level=0.9, min_people=30, min_days=14)
    assert "90% interval" in en and "fewer than 14 days" in en and "fewer than 30 people" in en
    ja = verdict_rule("ja", level=0.8, min_people=1000, min_days=21)
    assert "80%区間" in ja and "21日未満" in ja and "1,000人未満" in ja


def test_every_effects_text_has_both_languages():
    assert all(k.startswith("effects.") for k in EFFECTS_TEXTS)
    assert all(set(v) == {"ja", "en"} and all(v.values()) for v in EFFECTS_TEXTS.values())


def test_a_comparison_group_that_moved_a_lot_is_flagged(con):
    row = {**table_rows(con)[0]}
    assert row["verdict"] == "improved" and row["comparison"] == "rest"
    quiet = effects_table([row], definitions=definitions(), lang="en", titles={}).html
    assert "everyone else moved" not in quiet  # the rest is flat in this population
    shocked = {**row, "rest_after": row["rest_before"] - 0.114}
    html = effects_table([shocked], definitions=definitions(), lang="en", titles={}).html
    assert "A-1: everyone else moved −11.4 pts over the same days too" in html
    ja = effects_table([shocked], definitions=definitions(), lang="ja", titles={}).html
    assert "比較対象（それ以外の全員）も −11.4pt 動いています" in ja
