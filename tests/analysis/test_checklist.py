"""The assessed cause checklist: every rule at its boundaries, both languages, escaping.

All inputs are hand-made. The baseline case is "all clear": no findings, one team within SLA
that touched more leads than before, spend as before, fresh data without quarantine, and
definitions agreed by marketing and sales 100 days before the review.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from reviewkit.analysis.checklist import CHECKLIST_COLUMNS, assess, checklist_counts
from reviewkit.analysis.checklist_evidence import STATUSES, Evidence
from reviewkit.analysis.quality import DataQuality
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions, load_definitions
from reviewkit.present.sections.checklist import checklist_table_html

REPO = Path(__file__).resolve().parents[2]
TOKYO = ZoneInfo("Asia/Tokyo")
LAST_DAY = dt.date(2026, 10, 31)
AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def base_definitions() -> Definitions:
    return load_definitions(REPO / "params" / "definitions.yml")


def definitions(
    base: Definitions, *, agreed_by: list[str] | None = None, days_ago: int = 100
) -> Definitions:
    return base.model_copy(
        update={
            "agreed_by": agreed_by or ["marketing", "inside_sales", "sales"],
            "agreed_on": AS_OF - dt.timedelta(days=days_ago),
            "version": "2026.1",
        }
    )


def quality(
    *,
    last: dict[str, dt.date | None] | None = None,
    quarantine: dict[str, int] | None = None,
    persons: int = 1000,
    without_channel: int = 10,
    lead_records: int = 1000,
    merged: int = 10,
) -> DataQuality:
    last = last if last is not None else {"ma": dt.date(2026, 11, 1), "sfa": LAST_DAY}
    freshness = pd.DataFrame(
        {
            "source_system": list(last),
            "last_record": pd.Series(
                [
                    None if d is None else dt.datetime(d.year, d.month, d.day, 18, tzinfo=TOKYO)
                    for d in last.values()
                ],
                dtype=object,
            ),
            "last_import": [dt.datetime(2026, 11, 2, 6, tzinfo=TOKYO)] * len(last),
            "records": [500] * len(last),
        }
    )
    rows = quarantine or {}
    return DataQuality(
        freshness=freshness,
        lead_records=lead_records,
        persons=persons,
        merged=merged,
        without_channel=without_channel,
        quarantine=pd.DataFrame({"reason": list(rows), "rows": list(rows.values())}),
    )


def finding(
    family: str,
    dims: tuple[str, ...],
    score: float,
    *,
    rank: int = 1,
    label: str = "Paid search × small",
    driver: str = "MQL→SQL",
    before: float = 0.12,
    now: float = 0.08,
) -> dict[str, object]:
    return {
        "family": family,
        "rank": rank,
        "dims": dims,
        "label": label,
        "driver_label": driver,
        "rate_before": before,
        "rate": now,
        "score": score,
    }


def team(
    name: str | None = "Team A",
    *,
    sla: float = 0.95,
    sla_before: float = 0.95,
    mqls: int = 120,
    touched: int = 110,
    touched_before: int = 100,
    never: int = 10,
    untouched_share_before: float = 0.1,
    hours: float = 5.0,
    hours_before: float = 6.0,
    **extra: object,
) -> dict[str, object]:
    return {
        "sales_team": name,
        "mqls": mqls,
        "sla": sla,
        "sla_before": sla_before,
        "median_hours": hours,
        "median_hours_before": hours_before,
        "never_touched": never,
        "untouched_share": never / mqls,
        "touched": touched,
        "touched_before": touched_before,
        "untouched_share_before": untouched_share_before,
        **extra,
    }


@pytest.fixture
def run(base_definitions: Definitions):
    """Assess with the all-clear inputs, any of them replaced."""

    def go(**changes: object) -> pd.DataFrame:
        teams = changes.pop("teams", [team()])
        findings = changes.pop("findings", [])
        args: dict[str, object] = {
            "definitions": definitions(base_definitions),
            "quality": quality(),
            "findings": pd.DataFrame(findings),
            "teams": pd.DataFrame(teams),
            "spend_now": 1_000_000.0,
            "spend_before": 1_000_000.0,
            "period_last_day": LAST_DAY,
            "as_of": AS_OF,
            "lang": "en",
            "currency": "JPY",
        }
        args.update(changes)
        return assess(**args)  # type: ignore[arg-type]

    return go


def status(frame: pd.DataFrame, number: int) -> str:
    return str(frame.loc[frame["number"] == number, "status"].iloc[0])


def evidence(frame: pd.DataFrame, number: int) -> str:
    return str(frame.loc[frame["number"] == number, "evidence"].iloc[0])


# -- shape and the all-clear case ------------------------------------------------------------


def test_all_clear(run) -> None:
    frame = run()
    assert list(frame.columns) == CHECKLIST_COLUMNS
    assert list(frame["number"]) == list(range(1, 11))
    assert [status(frame, n) for n in range(1, 11)] == [
        "ok", "ok", "ok", "ok", "ok", "ok", "discuss", "ok", "ok", "discuss",
    ]  # fmt: skip
    assert list(frame["section"]) == [
        "cause_target", "cause_target", "cause_content", "cause_follow_up", "glossary",
        "glossary", "", "cause_follow_up", "glossary", "cause_follow_up",
    ]  # fmt: skip
    assert list(frame["question"]) == [t(f"checklist.{n}", "en") for n in range(1, 11)]
    assert checklist_counts(frame) == {
        "problem": 0, "watch": 0, "ok": 8, "nodata": 0, "discuss": 2,
    }  # fmt: skip


def test_empty_findings_and_teams(run) -> None:
    frame = run(findings=[], teams=[])
    assert [status(frame, n) for n in (1, 2, 3, 4, 8, 10)] == [
        "ok", "ok", "ok", "discuss", "ok", "discuss",
    ]  # fmt: skip
    assert "no SLA metric" in evidence(frame, 4)
    assert "no follow-up data by team" in evidence(frame, 8)
    assert evidence(frame, 10) == t("check.collab.none", "en")


def test_none_findings_and_teams(run) -> None:
    frame = run(findings=None, teams=None)
    assert status(frame, 1) == "ok"
    assert status(frame, 4) == "discuss"


# -- 1, 2, 3: findings -----------------------------------------------------------------------


def test_material_target_channel_pair_is_a_problem_for_1_and_2(run) -> None:
    frame = run(findings=[finding("target", ("channel", "company_size"), -5.0)])
    assert status(frame, 1) == "problem"
    assert status(frame, 2) == "problem"
    assert status(frame, 3) == "ok"
    assert evidence(frame, 1) == (
        "A target (industry, company size, persona or region) segment lost materially: "
        "Paid search × small: MQL→SQL 12.0% → 8.0% (5 people lost beyond its share)."
    )


def test_non_material_finding_is_watch(run) -> None:
    frame = run(findings=[finding("target", ("channel", "company_size"), -4.9)])
    assert status(frame, 1) == "watch"
    assert status(frame, 2) == "watch"
    assert "less than the 5 people" in evidence(frame, 1)


def test_channel_only_and_target_only_findings(run) -> None:
    frame = run(findings=[finding("target", ("channel",), -20.0, label="Events")])
    assert (status(frame, 1), status(frame, 2)) == ("ok", "problem")
    assert "Events" in evidence(frame, 2)
    frame = run(findings=[finding("target", ("industry",), -20.0, label="Retail")])
    assert (status(frame, 1), status(frame, 2)) == ("problem", "ok")


def test_top_ranked_material_finding_is_named(run) -> None:
    frame = run(
        findings=[
            finding("target", ("region",), -3.0, rank=1, label="Kansai"),
            finding("target", ("persona",), -8.0, rank=3, label="IT managers"),
            finding("target", ("industry",), -12.0, rank=2, label="Retail"),
        ]
    )
    # Kansai is rank 1 but not material; of the material ones Retail ranks first
    assert status(frame, 1) == "problem"
    assert "Retail" in evidence(frame, 1)
    assert "(1 more)" in evidence(frame, 1)
    assert "Kansai" not in evidence(frame, 1)


def test_content_findings(run) -> None:
    material = finding("content", ("content_asset",), -6.0, label="New whitepaper")
    small = finding("content", ("content_asset",), -2.0, label="Webinar")
    assert status(run(findings=[material]), 3) == "problem"
    assert status(run(findings=[small]), 3) == "watch"
    frame = run(findings=[material])
    assert (status(frame, 1), status(frame, 2)) == ("ok", "ok")
    assert "New whitepaper" in evidence(frame, 3)


def test_follow_up_findings_do_not_touch_1_to_3(run) -> None:
    frame = run(findings=[finding("follow_up", ("sales_team",), -30.0, label="Team B")])
    assert [status(frame, n) for n in (1, 2, 3)] == ["ok", "ok", "ok"]


def test_volume_finding_without_rates(run) -> None:
    row = finding("target", ("industry",), -7.0, before=math.nan, now=math.nan, driver="MQLs")
    assert evidence(run(findings=[row]), 1).endswith(
        "Paid search × small: MQLs lost 7 people beyond its share."
    )


# -- 4: follow-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sla", "sla_before", "expected"),
    [
        (0.79, 0.80, "problem"),
        (0.80, 0.80, "watch"),
        (0.85, 0.85, "watch"),
        (0.90, 0.90, "ok"),
        (0.95, 0.95, "ok"),
        (0.85, 0.95, "problem"),  # a 10-point fall (0.95 - 0.85 is 0.0999... in floats)
        (0.86, 0.95, "watch"),  # a 9-point fall
        (0.92, math.nan, "ok"),  # no baseline
    ],
)
def test_sla_boundaries(run, sla: float, sla_before: float, expected: str) -> None:
    frame = run(teams=[team(sla=sla, sla_before=sla_before)])
    assert status(frame, 4) == expected


def test_sla_evidence_names_the_lowest_team(run) -> None:
    frame = run(
        teams=[
            team("Team A", sla=0.95, sla_before=0.95),
            team("Team B", sla=0.82, sla_before=0.84, hours=30.0, hours_before=12.0),
            team("Team C", sla=math.nan, sla_before=0.5),
        ]
    )
    assert status(frame, 4) == "watch"
    assert evidence(frame, 4) == (
        "Lowest SLA: Team B, 82.0% within SLA (before: 84.0%), median 30.0 h to first touch "
        "(before: 12.0 h)."
    )


def test_sla_fall_of_another_team_is_a_problem(run) -> None:
    frame = run(
        teams=[team("Team A", sla=0.85, sla_before=0.86), team("Team B", sla=0.88, sla_before=0.99)]
    )
    assert status(frame, 4) == "problem"
    assert evidence(frame, 4).startswith("Team B's SLA fell 11.0 points, from 99.0% to 88.0%")


def test_sla_nobody_due(run) -> None:
    frame = run(teams=[team(sla=math.nan)])
    assert status(frame, 4) == "discuss"
    assert evidence(frame, 4) == t("check.sla.none_due", "en")


def test_sla_team_without_name(run) -> None:
    frame = run(teams=[team(None, sla=0.5)])
    assert "(no team)" in evidence(frame, 4)


# -- 5: definitions agreed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agreed_by", "days_ago", "expected"),
    [
        (["marketing", "sales"], 364, "ok"),
        (["marketing", "sales"], 365, "ok"),
        (["marketing", "sales"], 366, "watch"),
        (["marketing", "inside_sales"], 10, "ok"),
        (["marketing"], 10, "problem"),
        (["sales", "inside_sales"], 10, "problem"),
    ],
)
def test_agreement(run, base_definitions, agreed_by, days_ago, expected) -> None:
    frame = run(definitions=definitions(base_definitions, agreed_by=agreed_by, days_ago=days_ago))
    assert status(frame, 5) == expected


def test_agreement_evidence(run, base_definitions) -> None:
    old = run(
        definitions=definitions(base_definitions, agreed_by=["marketing", "sales"], days_ago=366)
    )
    assert evidence(old, 5) == (
        "Agreed by marketing and sales on 1 Nov 2025 (version 2026.1), more than a year ago: due "
        "for review."
    )
    assert evidence(run(), 5) == (
        "Agreed by marketing, inside sales and sales on 25 Jul 2026 (version 2026.1)."
    )
    missing = run(definitions=definitions(base_definitions, agreed_by=["marketing"]))
    assert "sales or inside sales has not agreed" in evidence(missing, 5)
    ja = run(definitions=definitions(base_definitions, agreed_by=["marketing"]), lang="ja")
    assert evidence(ja, 5).startswith(
        "合意者はマーケティングのみで、営業またはインサイドセールスが合意していません"
    )


# -- 6, 9: data quality and tools ----------------------------------------------------------


def test_stale_source_is_a_problem(run) -> None:
    frame = run(quality=quality(last={"ma": dt.date(2026, 11, 1), "sfa": dt.date(2026, 10, 28)}))
    assert status(frame, 6) == "problem"
    assert evidence(frame, 6) == (
        "Some sources end before the period's last day (31 Oct 2026): "
        "sfa (last record 28 Oct 2026)."
    )
    frame = run(quality=quality(last={"ma": LAST_DAY, "csv": None}))
    assert status(frame, 6) == "problem"
    assert "csv (no records)" in evidence(frame, 6)


def test_no_sources_is_a_problem(run) -> None:
    assert status(run(quality=quality(last={})), 6) == "problem"


def test_quarantine_is_watch(run) -> None:
    frame = run(quality=quality(quarantine={"bad date": 3, "no email": 2}))
    assert status(frame, 6) == "watch"
    assert "5 rows quarantined at import (bad date 3, no email 2)" in evidence(frame, 6)


@pytest.mark.parametrize(
    ("without_channel", "merged", "measurement", "tools"),
    [
        (10, 10, "ok", "ok"),  # 1.0 %, 1.0 %
        (19, 49, "ok", "ok"),  # 1.9 %, 4.9 %
        (20, 10, "ok", "watch"),  # 2.0 % without a source
        (49, 10, "ok", "watch"),
        (50, 10, "watch", "watch"),  # 5.0 %: measurement too
        (10, 50, "ok", "watch"),  # 5.0 % duplicates
    ],
)
def test_channel_and_duplicate_thresholds(run, without_channel, merged, measurement, tools) -> None:
    frame = run(quality=quality(without_channel=without_channel, merged=merged))
    assert status(frame, 6) == measurement
    assert status(frame, 9) == tools


def test_tools_evidence_names_the_fix(run) -> None:
    frame = run(quality=quality(without_channel=30, merged=60))
    text = evidence(frame, 9)
    assert text.startswith(
        "3.0% of people (30) have no channel, and 6.0% of lead records (60 of 1,000) were merged"
    )
    assert "tracking parameters" in text
    assert "MA→SFA sync" in text
    ok = evidence(run(), 6)
    assert ok == (
        "All 2 sources reach the period's last day (31 Oct 2026); no rows quarantined at "
        "import; 1.0% of people (10) have no channel."
    )


def test_no_persons(run) -> None:
    frame = run(quality=quality(persons=0, without_channel=0, lead_records=0, merged=0))
    assert (status(frame, 6), status(frame, 9)) == ("ok", "ok")


# -- 8: resources ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spend_now", "expected"),
    [(750_000.0, "watch"), (800_000.0, "watch"), (810_000.0, "ok"), (1_200_000.0, "ok")],
)
def test_spend(run, spend_now: float, expected: str) -> None:
    assert status(run(spend_now=spend_now, spend_before=1_000_000.0), 8) == expected


def test_spend_evidence(run) -> None:
    frame = run(spend_now=750_000.0, spend_before=1_000_000.0)
    assert "campaign spend ¥750.0K, −25.0% against the 3-month average of ¥1.0M" in evidence(
        frame, 8
    )
    ja = run(spend_now=750_000.0, spend_before=1_000_000.0, lang="ja")
    assert "キャンペーン費用は 75万円 で、直前 3 か月の平均 100万円 に対し −25.0% です" in evidence(
        ja, 8
    )


def test_spend_unknown(run) -> None:
    frame = run(spend_now=math.nan, spend_before=math.nan)
    assert status(frame, 8) == "ok"
    assert "no campaign costs in the store" in evidence(frame, 8)


def test_fewer_hands_for_more_mqls(run) -> None:
    # MQLs before = 100 / (1 - 0.2) = 125 -> now 130 (up); touched 100 -> 70 (-30 %)
    busy = team(
        "Team B", mqls=130, touched=70, touched_before=100, never=60, untouched_share_before=0.2
    )
    frame = run(teams=[team("Team A"), busy], spend_now=500_000.0)
    assert status(frame, 8) == "problem"
    assert evidence(frame, 8).startswith(
        "People: Team B touched 100 → 70 people (−30.0%) while its MQL entrants went 125 → 130: "
        "fewer hands for more MQL entrants. Budget: campaign spend ¥500.0K"
    )


@pytest.mark.parametrize(
    ("mqls", "touched", "mqls_before", "expected"),
    [
        (130, 70, 125, "problem"),
        (125, 80, 125, "problem"),  # exactly -20 %, MQLs flat
        (125, 81, 125, "ok"),  # -19 %
        (110, 70, 125, "ok"),  # MQLs fell as well: fewer leads, not fewer hands
    ],
)
def test_touched_boundaries(run, mqls, touched, mqls_before, expected) -> None:
    row = team(mqls=mqls, touched=touched, touched_before=100, never=mqls - touched)
    row["mqls_before"] = mqls_before
    assert status(run(teams=[row]), 8) == expected


# -- 7, 10: discuss --------------------------------------------------------------------------


def test_external_and_collaboration(run) -> None:
    frame = run(teams=[team("A", mqls=100, never=10), team("B", mqls=100, never=30)])
    assert status(frame, 7) == "discuss"
    assert "competitors" in evidence(frame, 7)
    assert status(frame, 10) == "discuss"
    assert evidence(frame, 10) == (
        "20.0% of the period's 200 MQL entrants (40) were never touched: a starting point for "
        "discussing the hand-offs."
    )


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "ja",
            [
                "✕ 問題",
                "△ 要注意",
                "○ 問題なし",
                "— データなし",
                "？ 会議で議論",
                "判定",
                "→ 該当箇所",
            ],
        ),
        (
            "en",
            [
                "✕ Problem",
                "△ Watch",
                "○ OK",
                "— No data",
                "? Discuss",
                "Assessment",
                "→ see the evidence",
            ],
        ),
    ],
)
def test_both_languages_render(run, lang: str, words: list[str]) -> None:
    frame = run(
        lang=lang,
        findings=[finding("content", ("content_asset",), -9.0, label="Whitepaper")],
        teams=[team(sla=0.85, sla_before=0.85)],
        evidence=Evidence(columns=("industry", "content_asset")),  # no channel: 2 has no data
    )
    assert set(frame["status"]) == set(STATUSES)
    for text in frame["evidence"]:
        assert text and "{" not in text and "}" not in text
    html = checklist_table_html(frame, lang=lang)
    for word in words:
        assert word in html.html
    assert html.html.startswith('<table class="rk-table rk-checklist">')
    for s in STATUSES:
        assert f'class="rk-status rk-check-{s}"' in html.html
    assert html.html.count("<tr>") == 11
    assert '<a href="#cause_content">' in html.html
    assert html.text.count("\n") == 9


def test_question_7_has_no_link(run) -> None:
    html = checklist_table_html(run(), lang="en").html
    row7 = html.split("<tr>")[8]
    assert row7.startswith('<td class="rk-num">7</td>')
    assert "<a " not in row7


def test_html_escapes_labels(run) -> None:
    evil = finding("target", ("industry",), -9.0, label="<script>alert('x')</script>")
    frame = run(findings=[evil], teams=[team('<b>"Team"</b>', sla=0.5)])
    html = checklist_table_html(frame, lang="en").html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html
    assert "&lt;b&gt;&quot;Team&quot;&lt;/b&gt;" in html


def test_counts_sum_to_ten(run) -> None:
    counts = checklist_counts(run(spend_now=100.0, teams=[team(sla=0.5)]))
    assert list(counts) == list(STATUSES)
    assert sum(counts.values()) == 10
    assert counts["problem"] == 1 and counts["watch"] == 1


def test_unknown_language(run) -> None:
    with pytest.raises(ParameterError):
        run(lang="fr")


# -- no data: a point whose data the store lacks is never OK -------------------------------------


def test_no_touches_means_no_data_for_follow_up_people_and_collaboration(run) -> None:
    frame = run(evidence=Evidence(touches=False), teams=[])
    assert [status(frame, n) for n in (4, 8, 10)] == ["nodata", "ok", "nodata"]
    assert "activity export" in evidence(frame, 4) and "activity export" in evidence(frame, 10)
    # 8 still has its budget (spend as before: OK on the spend alone) and says people cannot
    assert evidence(frame, 8).startswith("People: no touches in the store")


def test_no_touches_and_no_costs_leave_resources_without_data(run) -> None:
    frame = run(evidence=Evidence(touches=False, campaign_costs=False), teams=[],
                spend_now=0.0, spend_before=0.0)  # fmt: skip
    assert status(frame, 8) == "nodata"
    assert "¥" not in evidence(frame, 8)  # never "spend ¥0 against ¥0"
    assert "import a campaign-cost file" in evidence(frame, 8)


def test_zero_spend_everywhere_is_no_data_not_ok(run) -> None:
    frame = run(spend_now=0.0, spend_before=0.0, teams=[])
    assert status(frame, 8) == "nodata"
    assert evidence(frame, 8).endswith(
        "Budget: no campaign spend is recorded for the period or the 3 months before."
    )


@pytest.mark.parametrize(
    ("columns", "nodata"),
    [
        (("channel", "content_asset"), [1]),  # none of industry, size, persona or region
        (("industry", "campaign_id"), [2]),  # no channel
        (("channel", "region"), [3]),  # no content asset or campaign
        ((), [1, 2, 3]),
    ],
)
def test_missing_segment_columns_mean_no_data(run, columns, nodata) -> None:
    material = finding("target", ("channel", "company_size"), -9.0)  # would be a problem
    frame = run(evidence=Evidence(columns=columns), findings=[material])
    for number in (1, 2, 3):
        assert (status(frame, number) == "nodata") == (number in nodata), number


def test_material_comes_from_the_cause_analysis(run) -> None:
    small = {**finding("target", ("industry",), -2.0), "material": True}  # 3 % of the KGI
    big = {**finding("target", ("industry",), -50.0), "material": False}
    assert status(run(findings=[small]), 1) == "problem"
    assert status(run(findings=[big]), 1) == "watch"
    assert "3.0% of the KGI's reference" in evidence(run(findings=[big]), 1)


def test_a_new_segment_reads_new(run) -> None:
    new = {**finding("content", ("content_asset",), -9.0, before=0.05, now=0.05),
           "size_before": 0}  # fmt: skip
    assert "new → 5.0%" in evidence(run(findings=[new]), 3)


def test_without_teams_the_sla_is_the_companys(run) -> None:
    frame = run(evidence=Evidence(teams=False), teams=[team(None, sla=0.5, sla_before=0.9)])
    assert status(frame, 4) == "problem"
    assert evidence(frame, 4).startswith("Company-wide: 50.0% within SLA (before: 90.0%)")


def test_a_stopped_crm_sync_is_a_tools_watch(run) -> None:
    from dataclasses import replace

    from reviewkit.ingest.sync.status import SourceStatus

    synced = dt.datetime(2026, 11, 2, 6, tzinfo=TOKYO)
    fresh = SourceStatus("salesforce", ("Lead",), synced, 36.0, stale=False)
    stale = SourceStatus("hubspot", ("contacts",), synced, 36.0, stale=True)
    assert status(run(quality=replace(quality(), sync=(fresh,))), 9) == "ok"
    frame = run(quality=replace(quality(), sync=(fresh, stale)))
    assert status(frame, 9) == "watch"
    assert "A CRM sync has stopped (hubspot): check the scheduled sync." in evidence(frame, 9)
