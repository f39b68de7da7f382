"""The weekly pack's own sections: attention items, the pace table, alert sentences and the
follow-up, for the sample and for companies of other shapes (no targets, no teams, no
touches, no SLA, long names)."""

from __future__ import annotations

import datetime as dt
import math
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from reviewkit.analysis.anomaly_settings import ALERT_COLUMNS
from reviewkit.analysis.pacing import PACE_COLUMNS
from reviewkit.core.periods import FiscalCalendar
from reviewkit.core.resources import package_file
from reviewkit.core.workspace import find_workspace
from reviewkit.model.definitions import load_definitions
from reviewkit.present.sections.alerts import alert_sentence, alerts_html
from reviewkit.present.sections.followup import (
    first_touch_by_team,
    first_touch_html,
    follow_up_section,
    follow_up_stage,
)
from reviewkit.present.sections.pace import pace_note, pace_table
from reviewkit.present.sections.weekly import attention_items
from reviewkit.store.availability import Availability


def _alert(**values: object) -> dict[str, object]:
    row = dict.fromkeys(ALERT_COLUMNS)
    row.update(kind="rate", n=300.0, window=4, weeks_off=1, baseline="own", since_start=None)
    row.update(values)
    return row


def test_a_teams_backlog_joins_its_alert_and_stands_alone_otherwise(sample_workspace):
    definitions = load_definitions(sample_workspace)
    alerts = pd.DataFrame(
        [
            _alert(measure="sla", dimension="sales_team", segment="Team B", value=0.1,
                   normal=0.7, impact=-177.0, change=-0.6),
            _alert(measure="mql_to_sql", dimension="content_asset", segment="wp-genai-guide",
                   value=0.02, normal=0.3, impact=-128.0, change=-0.28),
        ]
    ).assign(explained_by=-1)  # fmt: skip
    by_team = pd.DataFrame({"sales_team": ["Team B"], "overdue_untouched": [71]})
    pulse = SimpleNamespace(by_team=by_team, total_overdue=71, stage_label=lambda lang: "MQL")
    items = attention_items(alerts, pulse, definitions=definitions, lang="en")  # type: ignore[arg-type]
    assert len(items) == 2  # Team B is named once, with its backlog
    assert "Team B" in items[0] and "71 people of the team who became MQL" in items[0]
    other = pd.DataFrame({"sales_team": ["Team C"], "overdue_untouched": [12]})
    items = attention_items(
        alerts.iloc[1:],
        SimpleNamespace(by_team=other, total_overdue=12, stage_label=lambda lang: "MQL"),  # type: ignore[arg-type]
        definitions=definitions, lang="ja",
    )  # fmt: skip
    assert len(items) == 2 and "Team C" in items[1] and "12" in items[1]


# --- any company: definitions of other shapes, no targets, no teams, no touches ----------------


def zoo_definitions(name: str):
    return load_definitions(find_workspace(str(package_file("ingest", "sample", "zoo", name))))


def pace_rows(*, targets: dict[str, float], kind: dict[str, str]) -> pd.DataFrame:
    """A month in progress (July, 12 of 31 days) for each metric; NaN target: none."""
    rows = []
    for metric, target in targets.items():
        rows.append(
            dict.fromkeys(PACE_COLUMNS, math.nan)
            | {
                "metric": metric, "kind": kind.get(metric, "count"), "scope": "month",
                "period": "2026-07", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 8, 1),
                "through": dt.date(2026, 7, 12), "closed": False, "actual": 26.0,
                "target": target, "expected": target * 0.4, "pace": 26 / (target * 0.4),
                "projected": 65.0, "low": 55.0, "high": 94.0, "stable": False,
                "status": "no_target" if math.isnan(target) else "early",
                "required_per_week": math.nan, "required_vs_pace": math.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=PACE_COLUMNS)


def week_card(actual: dict[str, float], target: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"metric": list(actual), "actual": list(actual.values()),
                         "target": [target[m] for m in actual]})  # fmt: skip


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_month_without_targets_says_so_in_one_line_and_keeps_the_actuals(lang):
    definitions = zoo_definitions("brazil")
    pace = pace_rows(targets={"mql": math.nan, "won": math.nan}, kind={})
    card = week_card({"mql": 126.0, "won": 16.0}, {"mql": math.nan, "won": math.nan})
    html = pace_table(pace, card, definitions=definitions, lang=lang, currency="BRL").html
    assert html.count('class="rk-missing"') == 1
    shown = cells(html)
    # KPI, this week, to date, projection: no target, pace, run rate or status column
    early = "Too early (55–94)" if lang == "en" else "見込み未確定（55〜94）"
    won = "Won" if lang == "en" else "受注"
    assert shown == ["MQL", "126", "26", early, won, "16", "26", early]
    assert not any("—" in c or "%" in c or "R$" in c for c in shown)
    note = pace_note(pace, calendar=FiscalCalendar(1), lang="en").text
    assert "Expected = each month's target" not in note and "The projection continues" in note


def test_a_month_with_targets_keeps_the_pace_columns():
    definitions = zoo_definitions("usa")
    pace = pace_rows(targets={"lead": 680.0, "revenue": 1_750_000.0}, kind={"revenue": "amount"})
    card = week_card({"lead": 185.0, "revenue": 610_700.0}, {"lead": 159.0, "revenue": 389_700.0})
    html = pace_table(pace, card, definitions=definitions, lang="en", currency="USD").html
    assert 'class="rk-missing"' not in html
    shown = cells(html)
    assert len(shown) == 2 * 6
    assert shown[1] == "185 / 159" and "$" not in "".join(shown[:6])
    assert shown[7] == "$610.7K / $389.7K"


def alert(**values: object) -> dict[str, object]:
    row = _alert(**values)
    row.update(since="W30", since_start=None, explained_by=-1, q=0.001, p=0.0001, z=-5.0,
               method="z", low=0.0, high=1.0)  # fmt: skip
    return row


def test_an_alert_on_a_300_character_campaign_is_shortened():
    definitions = zoo_definitions("brazil")
    name = "Meta Ads | Geração de leads | " + "x" * 270
    a = alert(measure="mql_to_won", dimension="campaign_id", segment=name, value=0.01,
              normal=0.1, impact=-9.0, change=-0.09)  # fmt: skip
    text = alert_sentence(a, definitions=definitions, lang="en")
    assert name not in text and "Meta Ads | Geração de leads | xx" in text and "…" in text
    assert len(text) < 300
    series = pd.DataFrame(
        {"kind": "rate", "measure": "mql_to_won", "dimension": "campaign_id", "segment": name,
         "week": [f"W{k}" for k in range(1, 31)],
         "start": [dt.date(2026, 1, 5) + dt.timedelta(days=7 * k) for k in range(30)],
         "x": 10.0, "n": 100.0, "weight": math.nan}
    )  # fmt: skip
    html = alerts_html(pd.DataFrame([a]), series, definitions=definitions,
                       calendar=FiscalCalendar(1), lang="en").html  # fmt: skip
    assert "x" * 100 not in html  # neither the sentence nor the chart's title runs on


def test_the_sla_alert_names_the_sla_s_stage():
    definitions = zoo_definitions("germany")
    a = alert(measure="sla", dimension="sales_team", segment="Nord-Ost", value=0.054,
              normal=0.858, impact=-45.0, change=-0.804, n=56.0)  # fmt: skip
    en = alert_sentence(a, definitions=definitions, lang="en")
    assert "of 56 people who became SAL and were due, about 45 fewer were touched in time" in en
    assert "MQL" not in en
    ja = alert_sentence(a, definitions=definitions, lang="ja")
    assert "期限を迎えたSAL 56件のうち、期限内に接触できた人が通常より約45人少ない" in ja


def test_the_same_change_lists_at_most_six_places():
    definitions = zoo_definitions("germany")
    main = alert(measure="mql_to_sal", dimension="content_asset", segment="wp-ki-leitfaden",
                 value=0.1, normal=0.7, impact=-88.0, change=-0.6)  # fmt: skip
    others = [
        alert(measure="mql_to_sal", dimension="region", segment=f"R{k}", value=0.5, normal=0.7,
              impact=-10.0 + k, change=-0.2) | {"explained_by": 0}
        for k in range(9)
    ]  # fmt: skip
    series = pd.DataFrame(columns=["kind", "measure", "dimension", "segment", "week", "start",
                                   "x", "n", "weight"])  # fmt: skip
    html = alerts_html(pd.DataFrame([main, *others]), series, definitions=definitions,
                       calendar=FiscalCalendar(1), lang="en").html  # fmt: skip
    also = re.search(r'<p class="rk-also">(.*?)</p>', html, re.S).group(1)
    assert also.count("region") == 6 and also.endswith("and 3 more")


def test_attention_without_drops_without_tests_and_without_teams():
    definitions = zoo_definitions("usa")
    rise = pd.DataFrame([_alert(measure="lead_to_opportunity", dimension=None, segment=None,
                                value=0.2, normal=0.1, impact=20.0, change=0.1)]
                        ).assign(explained_by=-1)  # fmt: skip
    items = attention_items(rise, None, definitions=definitions, lang="en", tested=40)
    assert items == ["Nothing fell outside its normal range this week (1 rises are listed "
                     "under the anomalies)."]  # fmt: skip
    none = rise.iloc[0:0]
    assert attention_items(none, None, definitions=definitions, lang="en", tested=0) == [
        "Too few people this week to compare any series with its normal range."
    ]
    assert "Nothing moved" in attention_items(none, None, definitions=definitions, lang="en",
                                              tested=12)[0]  # fmt: skip
    # a backlog without teams names no team
    by_team = pd.DataFrame({"sales_team": [None], "overdue_untouched": [9]})
    pulse = SimpleNamespace(by_team=by_team, total_overdue=9, stage_label=lambda lang: "Lead")
    items = attention_items(none, pulse, definitions=definitions, lang="en", tested=12)  # type: ignore[arg-type]
    assert items == ["Needs attention: 9 people who became Lead are untouched beyond the SLA"]


def test_the_follow_up_stage_of_each_shape():
    assert follow_up_stage(zoo_definitions("germany")) == "sal"  # the SLA's
    assert follow_up_stage(zoo_definitions("usa")) == "lead"
    assert follow_up_stage(zoo_definitions("brazil")) == "mql"  # no SLA: the first stage


def test_without_touches_the_follow_up_is_one_line():
    html = follow_up_section(None, None, week=None, available=Availability(), lang="en")  # type: ignore[arg-type]
    assert html.html.count("<p") == 1 and 'class="rk-missing"' in html.html
    assert "record: activities" in html.text


def test_first_touches_without_an_sla_by_hand():
    people = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d", "e"],
            "sales_team": ["East", "East", "West", "West", None],
            "touched": [True, False, True, True, False],
            "hours": [2.0, math.nan, 10.0, 30.0, math.nan],
        }
    )
    by_team = first_touch_by_team(people)
    assert by_team["sales_team"].tolist() == ["East", None, "West"]  # most untouched first
    assert by_team["entered"].tolist() == [2, 1, 2]
    assert by_team["untouched"].tolist() == [1, 1, 0]
    assert by_team["median_hours"].iloc[2] == pytest.approx(20.0)
    assert math.isnan(by_team["median_hours"].iloc[1])
    html = first_touch_html(people, stage_key="lead", stage_label="Lead", period="Week 46",
                            lang="en")  # fmt: skip
    # 3 of 5 touched, median of 2, 10 and 30 hours = 10
    assert "Of the 5 people who became Lead in Week 46, 3 (60.0%) were touched" in html.text
    assert "median time to the first touch 10.0 h" in html.text
    assert "from: lead, within: 24h" in html.text
    # without teams: the sentence and the hint, no table
    alone = first_touch_html(people.assign(sales_team=None), stage_key="mql", stage_label="MQL",
                             period="W1", lang="ja")  # fmt: skip
    assert "<table" not in alone.html and "5 人のうち" in alone.text
    empty = first_touch_html(people.iloc[0:0], stage_key="mql", stage_label="MQL", period="W1",
                             lang="en")  # fmt: skip
    assert "Nobody became MQL in W1." in empty.text


def test_an_alert_chart_has_no_rate_without_people_and_none_over_100_percent():
    from reviewkit.present.sections.alerts import _alert_series

    a = alert(measure="mql_to_won", dimension="channel", segment="Eventos", value=0.1,
              normal=0.2, impact=-6.0, change=-0.1)  # fmt: skip
    series = pd.DataFrame(
        {"kind": "rate", "measure": "mql_to_won", "dimension": "channel", "segment": "Eventos",
         "week": ["W1", "W2", "W3"],
         "start": [dt.date(2026, 6, 1), dt.date(2026, 6, 8), dt.date(2026, 6, 15)],
         "x": [3.0, 0.0, 5.0], "n": [10.0, 0.0, 4.0], "weight": math.nan}
    )  # fmt: skip
    values = _alert_series(a, series)["value"].tolist()
    assert values[0] == pytest.approx(0.3)
    assert math.isnan(values[1]) and math.isnan(values[2])
