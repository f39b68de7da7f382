"""The weekly pack of every zoo company, and of deliberately minimal definitions.

Each company's workspace is generated once and its weekly pack built once per language (module
fixtures); the tests read the packs as a manager would: no error cell, the week's figures equal
a plain pandas computation on the generated tables
(``reviewkit.ingest.sample.zoo.scorecard_truth``), counts without a currency sign and amounts in
the company's currency, the planted problems among the main alerts where the week's data shows
them, and missing data stated in one line.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reviewkit.core.workspace import find_workspace
from reviewkit.i18n.formatting import format_value
from reviewkit.ingest.sample import zoo
from reviewkit.pack.runner import PackResult, run_pack
from reviewkit.review.open import open_review
from reviewkit.review.weekly import WeeklyReview

COMPANIES = ("brazil", "usa", "germany")
LANGS = ("en", "ja")
# every currency sign or word a pack may print, by language
MONEY = {
    "en": re.compile(r"[$€¥£₩₹]|R\$|CN¥|\bBRL\b|\bUSD\b|\bEUR\b"),
    "ja": re.compile(r"[$€¥£₩₹]|円|ドル|ユーロ|レアル|ウォン|ルピー|元"),
}
SIGN = {("usa", "en"): "$", ("usa", "ja"): "ドル", ("germany", "en"): "€",
        ("germany", "ja"): "ユーロ"}  # fmt: skip


def _as_of(name: str) -> dt.date:
    return pd.Timestamp(zoo.load_truth(name)["review"]["as_of"]).date()


@pytest.fixture(scope="module")
def companies():
    return {name: zoo.generate(name) for name in COMPANIES}


@pytest.fixture(scope="module")
def workspaces(companies, tmp_path_factory):
    root = tmp_path_factory.mktemp("weekly-zoo")
    for name, company in companies.items():
        zoo.write_workspace(name, root / name, company=company)
    return {name: root / name for name in COMPANIES}


@pytest.fixture(scope="module")
def packs(workspaces, tmp_path_factory) -> dict[tuple[str, str], PackResult]:
    out = tmp_path_factory.mktemp("weekly-packs")
    return {
        (name, lang): run_pack("weekly", as_of=str(_as_of(name)), lang=lang,
                               workspace=workspaces[name], output_dir=out / name)
        for name in COMPANIES
        for lang in LANGS
    }  # fmt: skip


@pytest.fixture(scope="module")
def reviews(workspaces) -> dict[str, WeeklyReview]:
    return {
        name: open_review("weekly", workspace=str(workspaces[name]), as_of=str(_as_of(name)),
                          lang="en")
        for name in COMPANIES
    }  # fmt: skip


# --- reading a pack ------------------------------------------------------------------------------


def _text(html: str) -> str:
    """The visible text: no tags, scripts, styles or chart specs."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def _tables(html: str, css_class: str) -> list[list[list[str]]]:
    """Every table of a class: rows of cell texts (header row first)."""
    found = []
    for table in re.findall(rf'<table class="rk-table {css_class}"[^>]*>(.*?)</table>', html, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([" ".join(_text(c).split()) for c in cells])
        found.append(rows)
    return found


def _section(html: str, start: str, end: str) -> str:
    return html.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def _pack(packs, name: str, lang: str) -> str:
    return packs[(name, lang)].pack.read_text(encoding="utf-8")


# --- every company, every language ---------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("name", COMPANIES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_weekly_pack_builds_without_an_error_cell(packs, workspaces, name, lang):
    result = packs[(name, lang)]
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    truth = zoo.load_truth(name)["review"]["periods"]["weekly"]
    review = open_review("weekly", workspace=str(workspaces[name]), as_of=str(_as_of(name)),
                         lang=lang)  # fmt: skip
    assert result.period == review.period.label
    assert review.period.start == pd.Timestamp(truth["start"]).date()
    assert review.period.last_day == pd.Timestamp(truth["end"]).date()


@pytest.mark.integration
@pytest.mark.parametrize("name", COMPANIES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_week_s_figures_are_the_plain_pandas_ones(packs, companies, reviews, name, lang):
    truth = zoo.scorecard_truth(companies[name])
    week = truth[truth["cadence"] == "weekly"].set_index("metric")["value"]
    review = reviews[name]
    labels = {
        review.definitions.kgi.label(lang) if m == "revenue" else
        review.definitions.stage(m).label(lang): m
        for m in week.index
    }  # fmt: skip
    month = _tables(_pack(packs, name, lang), "rk-pace")[0]
    shown = {row[0]: row[1].split(" / ")[0] for row in month[1:]}
    assert set(shown) == set(labels)
    for label, metric in labels.items():
        kind = "amount" if metric == "revenue" else "count"
        expected = format_value(week[metric], kind=kind, lang=lang, currency=review.currency)
        assert shown[label] == expected, (name, metric)


@pytest.mark.integration
@pytest.mark.parametrize("name", COMPANIES)
@pytest.mark.parametrize("lang", LANGS)
def test_counts_carry_no_currency_and_amounts_the_company_s(packs, reviews, name, lang):
    html = _pack(packs, name, lang)
    review = reviews[name]
    amount = review.definitions.kgi.label(lang) if review.definitions.kgi_is_revenue else None
    rows = [row for table in _tables(html, "rk-pace") for row in table[1:]]
    assert rows
    for row in rows:
        money = [bool(MONEY[lang].search(cell)) for cell in row[1:]]
        if row[0] == amount:
            assert SIGN[(name, lang)] in row[1], row
            assert "¥" not in " ".join(row) and "円" not in " ".join(row)
        else:
            assert not any(money), row
    summary = _text(_section(html, "summary", "kpi_status"))
    if amount is None:  # brazil: a count KGI, no currency anywhere in the summary
        assert not MONEY[lang].search(summary), summary
    else:
        assert SIGN[(name, lang)] in summary


@pytest.mark.integration
@pytest.mark.parametrize("name", COMPANIES)
def test_the_pace_note_and_method_name_the_company_s_own_days_off(packs, name):
    text = _text(_pack(packs, name, "en"))
    country = {"brazil": "public holidays (Brazil)", "usa": "public holidays (United States)",
               "germany": "public holidays (Germany"}[name]  # fmt: skip
    assert text.count(country) >= 2  # the pace note and the alerts' method
    assert "Obon" not in text and "Japan" not in text and "Golden Week" not in text


def test_usa_weeks_run_sunday_to_saturday(reviews):
    period = reviews["usa"].period
    assert period.start.weekday() == 6 and period.last_day.weekday() == 5
    assert reviews["usa"].workspace.calendar.days.is_break(dt.date(2026, 11, 11))  # Veterans Day


# --- the planted problems ------------------------------------------------------------------------


def _main(review: WeeklyReview, top: int = 5) -> pd.DataFrame:
    alerts, _ = review.weekly_alerts
    return alerts[alerts["explained_by"] == -1].head(top)


def _has(alerts: pd.DataFrame, measure: str, dimension: str, segment: str) -> bool:
    found = alerts[
        (alerts["measure"] == measure)
        & (alerts["dimension"] == dimension)
        & (alerts["segment"] == segment)
        & (alerts["impact"] < 0)
    ]
    return len(found) == 1


@pytest.mark.integration
def test_usa_central_s_first_touch_is_a_main_alert_and_needs_attention(packs, reviews):
    review = reviews["usa"]
    sla = review.definitions.sla_metric.key
    assert _has(_main(review), sla, "sales_team", "Central")
    html = _pack(packs, "usa", "en")
    summary = _text(_section(html, "summary", "kpi_status"))
    assert "Needs attention" in summary and "“Central”" in summary
    assert "people of the team who became Lead" in summary  # the SLA's stage, not "MQL"
    assert "MQL" not in summary
    # the truth: Central's leads of the week wait a median 54 h (East 3 h, West 4 h)
    teams = {row[0]: row for row in _tables(html, "rk-followup-teams")[0][1:]}
    medians = {team: float(row[-1].split()[0]) for team, row in teams.items()}
    assert round(medians["Central"]) == 54
    assert round(medians["East"]) == 3 and round(medians["West"]) == 4


@pytest.mark.integration
def test_germany_s_asset_and_nord_ost_are_main_alerts(packs, reviews):
    review = reviews["germany"]
    main = _main(review)
    assert _has(main, "mql_to_sal", "content_asset", "wp-ki-leitfaden")
    assert _has(main, review.definitions.sla_metric.key, "sales_team", "Nord-Ost")
    html = _pack(packs, "germany", "en")
    summary = _text(_section(html, "summary", "kpi_status"))
    assert "wp-ki-leitfaden" in summary and "Nord-Ost" in summary
    assert "became SAL" in summary and "MQLs untouched" not in summary
    # the truth: Nord-Ost's accepted leads wait a median 63 h for a first touch (Süd 4, West 3)
    teams = {row[0]: row for row in _tables(html, "rk-followup-teams")[0][1:]}
    assert round(float(teams["Nord-Ost"][-1].split()[0])) == 63
    assert round(float(teams["Süd"][-1].split()[0])) == 4
    assert round(float(teams["West"][-1].split()[0])) == 3
    # the it-sa fair doubles every segment's leads: those follow the funnel's alert, listed
    # under it, not as main alerts of their own
    alerts, _ = review.weekly_alerts
    leads = alerts[(alerts["kind"] == "count") & (alerts["measure"] == "lead")]
    funnel = leads[leads["dimension"].isna()]
    assert len(funnel) == 1 and funnel.iloc[0]["explained_by"] == -1
    under = leads[leads["explained_by"] == funnel.index[0]]
    assert len(under) >= 5


@pytest.mark.integration
def test_germany_s_week_is_behind_on_sql_opportunity_and_proposal(packs):
    month = _tables(_pack(packs, "germany", "en"), "rk-pace")[0]
    rows = {row[0]: row for row in month[1:]}
    # the truth: SQLs 34 of 39.5, opportunities 19 of 27.3, proposals 13 of 19.6 (the week)
    assert rows["SQL"][1] == "34 / 40" and rows["Opportunity"][1] == "19 / 27"
    assert rows["Proposal"][1] == "13 / 20"
    assert rows["Lead"][-1].startswith("✓") and rows["MQL"][-1].startswith("✓")
    for stage in ("SQL", "Opportunity", "Proposal"):
        assert rows[stage][-1].startswith("✕"), rows[stage]


@pytest.mark.integration
def test_brazil_the_week_s_figures_and_no_alert_on_empty_or_unknown_segments(packs, reviews):
    month = _tables(_pack(packs, "brazil", "en"), "rk-pace")[0]
    rows = {row[0]: row for row in month[1:]}
    # the truth: won 16 against a pro-rated target of 13.3; MQL 126 of 128.7
    assert rows["Won"][1] == "16 / 13" and rows["MQL"][1] == "126 / 129"
    alerts, series = reviews["brazil"].weekly_alerts
    tested = set(series["dimension"].dropna())
    assert "industry" not in tested and "sales_team" not in tested  # all unknown: left out
    assert "region" in tested  # a column the sample's packs did not test
    assert not alerts["segment"].isna().any() or alerts["dimension"].isna().all()
    assert "Eventos" not in set(alerts["segment"].dropna())  # nobody in the review week
    # paid search x Nordeste: its fall shows on the cohort basis, not yet in the week's
    # period-basis rates (the report says so): the pack does not force an alert
    html = _pack(packs, "brazil", "en")
    assert "100.0%" not in _text(_section(html, "deviations", "decisions"))


@pytest.mark.integration
@pytest.mark.parametrize("lang", LANGS)
def test_brazil_without_touches_says_so_in_one_line(packs, lang):
    html = _section(_pack(packs, "brazil", lang), "deviations", "decisions")
    missing = re.findall(r'<p class="rk-missing">(.*?)</p>', html, re.S)
    assert len(missing) == 1
    assert ("activities" in missing[0]) if lang == "en" else ("活動" in missing[0])
    assert "rk-followup" not in html  # no table of people all "untouched"


# --- minimal definitions -------------------------------------------------------------------------

MINIMAL = """\
version: "1"
agreed_by: [marketing, sales]
agreed_on: 2026-01-05
currency: BRL
stages:
  - key: contact
    label: {ja: 見込み客, en: Qualified contact}
    owner: marketing
    event: mql
    description: {ja: 有望なコンタクト, en: A qualified contact}
  - key: customer
    label: {ja: 顧客, en: Customer}
    owner: sales
    event: won
    description: {ja: 顧客になった, en: Became a customer}
kgi:
  key: won_count
  label: {ja: 顧客数, en: Customers}
  owner: sales
  description: {ja: 顧客になった数, en: Contacts that became customers}
"""


@pytest.fixture(scope="module")
def minimal(companies, tmp_path_factory) -> Path:
    """Brazil's store with two stages of other keys, no metrics:, and no targets from July."""
    root = tmp_path_factory.mktemp("weekly-minimal") / "ws"
    zoo.write_workspace("brazil", root, company=companies["brazil"])
    (root / "params" / "definitions.yml").write_text(MINIMAL, encoding="utf-8")
    targets = root / "params" / "targets.yml"
    kept = [
        line.replace("mql:", "contact:").replace("won:", "customer:")
        for line in targets.read_text(encoding="utf-8").splitlines()
        if not re.match(r"\s*2026-(0[7-9]|1[0-2]):", line)
    ]
    targets.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return root


@pytest.mark.integration
def test_minimal_definitions_build_and_say_there_is_no_target(minimal, tmp_path):
    result = run_pack("weekly", as_of="2026-07-13", lang="en", workspace=minimal,
                      output_dir=tmp_path)  # fmt: skip
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = result.pack.read_text(encoding="utf-8")
    status = _section(html, "kpi_status", "deviations")
    missing = re.findall(r'<p class="rk-missing">(.*?)</p>', status, re.S)
    assert missing and "No target for Jul and FY2026 Q3" in _text(missing[0])
    for table in _tables(status, "rk-pace"):
        cells = [cell for row in table[1:] for cell in row[1:]]
        assert cells and not any(c in ("—", "― No target") or "%" in c for c in cells)
        assert {row[0] for row in table[1:]} == {"Qualified contact", "Customer"}
    summary = _text(_section(html, "summary", "kpi_status"))
    assert "Customers for Jul is 26" in summary and "(no target)" in summary


def test_minimal_definitions_sections_in_japanese(minimal):
    review = open_review("weekly", workspace=str(minimal), as_of="2026-07-13", lang="ja")
    table = review.pace_table(review.pace())
    assert "7月・Q3の目標が params/targets.yml にない" in table.text
    assert review.pace_chart().html == ""  # the table's line already says why
    assert "rk-missing" in review.funnel_chart().html
    assert "rk-missing" in review.follow_up().html
    ws = find_workspace(str(minimal))
    assert ws.config.currency == "BRL"
