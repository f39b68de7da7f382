"""The zoo companies' monthly summaries and maturity marks, in their own units and both languages.

Brazil counts customers (no amounts, no currency on any count), the USA books dollars, Germany
euros. Each company's cohorts are marked maturing exactly when their window has not elapsed for
the period's last entrant by the review date: worked out by hand from the windows below.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

import reviewkit as rk
from reviewkit.ingest.sample import zoo
from reviewkit.present.sections.trends import trends_table
from reviewkit.present.tables import rates_table

DAYS = {"brazil": "2026-07-13", "usa": "2026-11-17", "germany": "2026-10-14"}


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo-maturity")
    for name in DAYS:
        zoo.write_workspace(name, root / name)
    return root


def review(workspaces, name, lang, cadence="monthly"):
    return rk.open_review(cadence, workspace=str(workspaces / name), as_of=DAYS[name], lang=lang)


def matured(period_end: str, days: int, review_day: str) -> bool:
    """By hand: the period's last entrant's window ends ``days`` after its end (midnight)."""
    end = dt.date.fromisoformat(period_end) + dt.timedelta(days=days)
    return end <= dt.date.fromisoformat(review_day)


# metric -> (window in days) of each company's tree rates
WINDOWS = {
    "brazil": {"mql_to_won": 30},
    "usa": {"lead_to_opportunity": 30, "opportunity_to_won": 90},
    "germany": {"lead_to_mql": 90, "mql_to_sal": 14, "sal_to_sql": 30, "sql_to_opportunity": 90,
                "opportunity_to_proposal": 90, "proposal_to_won": 90},
}  # fmt: skip
# the review month's end and the previous month's end (the day after each)
ENDS = {
    "brazil": ("2026-07-01", "2026-06-01"),
    "usa": ("2026-11-01", "2026-10-01"),
    "germany": ("2026-10-01", "2026-09-01"),
}


@pytest.mark.parametrize("name", list(DAYS))
def test_the_rate_card_marks_both_months_by_their_windows(workspaces, name):
    card = review(workspaces, name, "en").rates().set_index("metric")
    assert set(card.index) == set(WINDOWS[name])
    now_end, before_end = ENDS[name]
    for metric, days in WINDOWS[name].items():
        assert bool(card.loc[metric, "mature"]) is matured(now_end, days, DAYS[name]), metric
        want = matured(before_end, days, DAYS[name])
        assert bool(card.loc[metric, "previous_mature"]) is want, metric
        # a maturing side: both counted at the same age, the days June's youngest have had
        if not (card.loc[metric, "mature"] and want):
            age = (dt.date.fromisoformat(DAYS[name]) - dt.date.fromisoformat(now_end)).days
            assert card.loc[metric, "equal_days"] == min(age, days), metric


def test_the_examples_of_the_issue(workspaces):
    # brazil: June's 30-day cohort is maturing on 13 July; May's matured on 1 July
    card = review(workspaces, "brazil", "en").rates().set_index("metric")
    assert not card.loc["mql_to_won", "mature"] and card.loc["mql_to_won", "previous_mature"]
    # usa: September's and October's 90-day opportunity cohorts are both maturing on 17 Nov
    card = review(workspaces, "usa", "en").rates().set_index("metric")
    assert not card.loc["opportunity_to_won", "mature"]
    assert not card.loc["opportunity_to_won", "previous_mature"]
    assert not card.loc["lead_to_opportunity", "mature"]
    assert card.loc["lead_to_opportunity", "previous_mature"]  # 1 Oct + 30 days = 31 Oct


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_rates_table_shows_the_previous_month_maturing(workspaces, lang):
    r = review(workspaces, "usa", lang)
    html = rates_table(r.rates(), definitions=r.definitions, lang=lang).html
    maturing = "(maturing)" if lang == "en" else "（集計途中）"
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    cells = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in rows]  # fmt: skip
    by_metric = {c[0]: c for c in cells}
    won = by_metric["Opportunity to Won rate" if lang == "en" else "商談→受注 転換率"]
    assert won[1].endswith(maturing) and won[4].endswith(maturing) and won[5].endswith(maturing)
    assert won[6].startswith("16 days: " if lang == "en" else "16日: ")
    lead = by_metric["Lead to opportunity rate" if lang == "en" else "リード→商談 転換率"]
    assert lead[1].endswith(maturing) and not lead[4].endswith(maturing)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_quarterly_trends_mark_the_quarters_not_mature(workspaces, lang):
    r = review(workspaces, "usa", lang, cadence="quarterly")
    frame = r.trend_frame.set_index("metric")
    # FY2026-Q3 ended on 1 November: both cohorts maturing; FY2026-Q2 ended on 1 August, so
    # its 90-day cohort matured on 30 October; FY2025-Q3 long ago
    for metric in ("lead_to_opportunity", "opportunity_to_won"):
        assert not frame.loc[metric, "mature"]
        assert frame.loc[metric, "previous_mature"] and frame.loc[metric, "last_year_mature"]
        assert frame.loc[metric, "equal_days"] == 16
    html = trends_table(r.trend_frame, definitions=r.definitions, lang=lang,
                        currency=r.currency).html  # fmt: skip
    row = re.search(r"<tr>\s*<td[^>]*>(Opportunity to Won rate|商談→受注 転換率)</td>(.*?)</tr>",
                    html, re.S)  # fmt: skip
    assert row and "rk-missed" not in row.group(2) and row.group(2).count("◔") == 3
    # the changes at equal age: 16 days, as long as FY2026-Q3's youngest have had
    words = ">QoQ at 16 days</th>" if lang == "en" else ">前四半期比（16日時点）</th>"
    assert words in html
    equal = r.trend_frame.set_index("metric").loc["opportunity_to_won"]
    change = (equal["equal_actual"] - equal["equal_previous"]) * 100
    assert f"{abs(change):.1f}" in row.group(2).split("</td>")[-3]


SUMMARIES = {
    # the KGI line: counts for brazil, its currency for the others
    ("brazil", "en"): ["June 2026: Customers won 53, 75.7% of the 70 target (−17)",
                       "By the KPI tree, MQL to won rate cost the most (−18)",
                       "Not analysed, for lack of data: follow-up (no sales team values)."],
    ("brazil", "ja"): ["2026年6月の受注件数は53、目標70の75.7%（−17）",
                       "KPI ツリーではMQL→受注 転換率が最も響き（−18）",
                       "データがないため分析していない原因: フォロー（営業チームの値がない）。"],
    ("usa", "en"): ["October 2026: Bookings $1.0M, 59.3% of the $1.8M target (−$713.1K)",
                    "By the KPI tree, Deal size cost the most (−$407.6K)",
                    "Not analysed, for lack of data: content"],
    ("usa", "ja"): ["2026年10月の受注金額は104万ドル、目標175万ドルの59.3%（−71.3万ドル）",
                    "KPI ツリーでは受注単価が最も響きました（−40.8万ドル）"],
    ("germany", "en"): ["September 2026: Revenue won €2.5M, 78.7% of the €3.2M target (−€673.5K)",
                        "By the KPI tree, MQL to SAL rate cost the most (−€1.5M)"],
    ("germany", "ja"): ["2026年9月の受注金額は249万ユーロ、目標316万ユーロの78.7%（−67.3万ユーロ）",
                        "KPI ツリーではMQL→SAL 受入率が最も響き（−150万ユーロ）"],
}  # fmt: skip


@pytest.mark.parametrize(("name", "lang"), list(SUMMARIES))
def test_monthly_summary_in_the_companys_units(workspaces, name, lang):
    text = review(workspaces, name, lang).summary().text
    for words in SUMMARIES[(name, lang)]:
        assert words in text, (words, text)
    assert "¥" not in text and "円" not in text  # nobody here counts in yen
    if name == "brazil":
        assert "R$" not in text and "レアル" not in text  # a count KGI: no currency at all
    # every cause family has a word: a finding, none, or no data
    families = {
        "en": ("target", "content", "follow-up"),
        "ja": ("ターゲット", "コンテンツ", "フォロー"),
    }
    for family in families[lang]:
        assert family in text, family
