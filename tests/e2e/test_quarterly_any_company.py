"""The quarterly pack for companies of other shapes: the zoo, and deliberately minimal definitions.

Each zoo company (brazil: MQL -> won, a count KGI, BRL; usa: lead -> opportunity -> won, USD,
a February fiscal year; germany: seven stages with SAL, EUR) is built once per language. Its
pack has no error cell and every section; its scorecard equals
``reviewkit.ingest.sample.zoo.scorecard_truth`` (plain pandas on the generated tables); counts
carry no currency and amounts the company's; the draft targets for the next quarter are recomputed
by hand: each tree driver pooled over the last twelve months by pandas on the generated tables,
then the KGI target walked back through the company's own tree and rounded up; the what-if says in
one line why an event-only funnel has none. Minimal definitions (two renamed stages, no metrics, no
targets) and a short history run too, and a proposed rule for an event-only funnel is refused
before the kernel starts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import assert_clean_pack, failing_cells

import reviewkit as rk
from reviewkit.errors import ParameterError, RunFailedError
from reviewkit.i18n.formatting import format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.ingest.sample import zoo
from reviewkit.ingest.sample.zoo.targets import person_of
from reviewkit.ingest.sample.zoo.truth import person_entries
from reviewkit.model.labels import metric_label
from reviewkit.pack.runner import run_pack

pytestmark = pytest.mark.integration

OTHERS = ("brazil", "usa", "germany")
LANGS = ("en", "ja")
SECTIONS = ("trends", "benchmarks", "relevance", "what_if", "plan", "actions_review")
# the reviewed quarter and the planned one, as each company's calendar names them
QUARTERS = {
    "brazil": ("FY2026-Q2", "FY2026-Q3", ["2026-07", "2026-08", "2026-09"]),
    "usa": ("FY2026-Q3", "FY2026-Q4", ["2026-11", "2026-12", "2027-01"]),
    "germany": ("FY2026-Q3", "FY2026-Q4", ["2026-10", "2026-11", "2026-12"]),
}
SYMBOLS = {"BRL": "R$", "USD": "$", "EUR": "€", "JPY": "¥"}
MONEY = {("USD", "en"): "$", ("USD", "ja"): "ドル", ("EUR", "en"): "€", ("EUR", "ja"): "ユーロ"}


# --- helpers ---------------------------------------------------------------------------------


class _Visible(HTMLParser):
    """The text a reader sees: everything but scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def section(html: str, anchor: str) -> str:
    """The HTML of a subsection: from its heading to the end of its cell's output."""
    start = html.index(f'id="{anchor}"')
    marks = ("<h2", 'class="rk-subsection"', '<div class="jp-Cell ')
    ends = [i for i in (html.find(m, start + 1) for m in marks) if i > 0]
    return html[start : min(ends)]


def table_rows(html: str, css: str) -> list[list[str]]:
    """The body rows of the first table of class ``css``, as cell texts."""
    start = html.index(f'class="rk-table {css}')
    body = html[start : html.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    cells = [[visible(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)] for r in rows]
    return [row for row in cells if row]


def build(workspace: Path, output: Path, as_of: str, lang: str, **parameters):
    """A quarterly pack; on failure, the failing cells."""
    try:
        return run_pack(
            "quarterly", as_of=as_of, lang=lang, workspace=workspace, output_dir=output,
            parameters=parameters,
        )  # fmt: skip
    except RunFailedError as exc:
        kept = sorted((output / "_failed").rglob("notebook.ipynb"))
        details = "\n".join(failing_cells(path) for path in kept)
        pytest.fail(f"quarterly pack of {workspace} failed: {exc}\n{details}", pytrace=False)


def ceil(value: float) -> int:
    return math.ceil(value * (1 - 1e-12))


# --- fixtures: each zoo company built once per language ---------------------------------------


@pytest.fixture(scope="module")
def companies():
    return {name: zoo.generate(name) for name in OTHERS}


@pytest.fixture(scope="module")
def workspaces(companies, tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo-quarterly")
    for name in OTHERS:
        zoo.write_workspace(name, root / name, company=companies[name])
    return {name: root / name for name in OTHERS}


def as_of(company) -> str:
    return str(company.truth["review"]["as_of"])


@pytest.fixture(scope="module")
def packs(companies, workspaces, tmp_path_factory):
    out = {}
    for name in OTHERS:
        for lang in LANGS:
            folder = tmp_path_factory.mktemp(f"q-{name}-{lang}")
            result = build(workspaces[name], folder, as_of(companies[name]), lang)
            html = result.pack.read_text(encoding="utf-8")
            out[(name, lang)] = (result, html)
    return out


@pytest.fixture(scope="module")
def reviews(companies, workspaces):
    return {
        name: rk.open_review(
            "quarterly", workspace=str(workspaces[name]), as_of=as_of(companies[name]), lang="en"
        )
        for name in OTHERS
    }


# --- every section, no error -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", OTHERS)
def test_the_pack_builds_with_every_section_and_no_error(packs, name, lang):
    result, _ = packs[(name, lang)]
    assert result.period == QUARTERS[name][0]
    assert_clean_pack(result, SECTIONS)


# --- the scorecard equals plain pandas -------------------------------------------------------


@pytest.mark.parametrize("name", OTHERS)
def test_the_scorecard_equals_the_truth(companies, reviews, packs, name):
    truth = zoo.scorecard_truth(companies[name])
    truth = truth[truth["cadence"] == "quarterly"].set_index("metric")["value"]
    assert truth.to_dict() == {k: float(v) for k, v in companies[name].truth["scorecard"][
        "quarterly"].items()}  # fmt: skip
    review = reviews[name]
    card = review.scorecard().set_index("metric")["actual"]
    for metric, value in truth.items():
        assert card[metric] == pytest.approx(value, abs=1e-6), metric
    currency = review.currency
    for lang in LANGS:
        _, html = packs[(name, lang)]
        rows = {r[0]: r[1] for r in table_rows(html, "rk-scorecard")}
        for metric, value in truth.items():
            shown = metric_label(review.definitions, metric, lang=lang)
            kind = "amount" if metric == "revenue" else "count"
            assert rows[shown] == format_value(value, kind=kind, lang=lang, currency=currency)


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", OTHERS)
def test_counts_carry_no_currency_and_amounts_the_companys(packs, reviews, name, lang):
    _, html = packs[(name, lang)]
    text = visible(html)
    currency = reviews[name].currency
    others = [s for c, s in SYMBOLS.items() if c != currency and s not in SYMBOLS[currency]]
    assert not [s for s in others if s in text], others
    assert "円" not in text  # no yen anywhere: none of these companies is Japanese
    plan = visible(section(html, "plan"))
    if reviews[name].definitions.kgi_is_revenue:
        assert MONEY[(currency, lang)] in format_value(1e6, kind="amount", lang=lang,
                                                       currency=currency)  # fmt: skip
        assert MONEY[(currency, lang)] in plan
    else:  # a count KGI: no currency in the whole pack, no deal size in the plan
        assert "$" not in text and "レアル" not in text
        assert "deal size" not in plan.lower() and "受注単価" not in plan


# --- the draft targets, recomputed by hand ---------------------------------------------------


def monthly_counts(company, months: list[str]) -> pd.DataFrame:
    """Stage entries per local month (persons merged), and revenue by close month: pandas."""
    spec, tables = company.spec, company.tables
    tz = spec["timezone"]
    cutoff = pd.Timestamp(company.truth["review"]["as_of"]).tz_localize(tz)
    entries = person_entries(tables, rule_stages=dict(company.truth.get("rule_stages", {})))
    entries = entries[entries["entered_at"] < cutoff]
    entries["month"] = entries["entered_at"].dt.tz_convert(tz).dt.strftime("%Y-%m")
    counts = entries.pivot_table(index="month", columns="stage", values="person", aggfunc="count")
    counts = counts.reindex(months).fillna(0.0)
    opps = tables["opportunities"]
    if not opps.empty and opps["amount"].notna().any():
        won = opps[opps["is_won"].fillna(False).astype(bool) & (opps["closed_at"] < cutoff)]
        month = won["closed_at"].dt.tz_convert(tz).dt.strftime("%Y-%m")
        counts["revenue"] = won.groupby(month)["amount"].sum().reindex(months).fillna(0.0)
    assert person_of(tables["leads"]).notna().all()
    return counts


def twelve_months(quarter_end: dt.date) -> list[str]:
    last = quarter_end.year * 12 + quarter_end.month - 1
    return [f"{(last - k) // 12}-{(last - k) % 12 + 1:02d}" for k in range(11, -1, -1)]


@pytest.mark.parametrize("name", OTHERS)
def test_the_draft_multiplies_out_to_the_kgi_target_through_the_companys_tree(
    companies, workspaces, reviews, packs, name
):
    company, review = companies[name], reviews[name]
    stages = list(company.spec["stages"])
    _, planned, months = QUARTERS[name]
    end = dt.date.fromisoformat(str(company.truth["review"]["periods"]["quarterly"]["end"]))
    counts = monthly_counts(company, twelve_months(end)).sum()
    # the pooled drivers, by pandas: a later stage's entries over the earlier stage's
    rates = [counts[b] / counts[a] for a, b in itertools.pairwise(stages)]
    revenue = review.definitions.kgi_is_revenue
    size = counts["revenue"] / counts[stages[-1]] if revenue else None
    expected = review.plan_variants.set_index("driver")["expected"]
    drivers = [f"{a}_to_{b}" for a, b in itertools.pairwise(stages)]
    assert list(expected.index) == drivers + (["average_deal_size"] if revenue else [])
    assert expected[drivers].tolist() == pytest.approx(rates, rel=1e-12)
    if revenue:
        assert expected["average_deal_size"] == pytest.approx(size, rel=1e-12)
    # the KGI target of each planned month (params/targets.yml), walked back by hand
    targets = yaml.safe_load((workspaces[name] / "params" / "targets.yml").read_text("utf-8"))
    kgi = "revenue" if revenue else stages[-1]
    for lang in LANGS:
        result, _ = packs[(name, lang)]
        draft_path = result.directory / f"targets-draft-{planned}.yml"
        draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))["company"]
        assert list(draft) == months
        for month in months:
            goal = float(targets["company"][month][kgi])
            row = draft[month]
            assert list(row) == stages + (["revenue"] if revenue else []), row
            later = goal / size if revenue else goal
            by_hand = {stages[-1]: later}
            for stage, rate in zip(reversed(stages[:-1]), reversed(rates), strict=True):
                later = later / rate
                by_hand[stage] = later
            for stage in stages[:-1]:
                assert row[stage] == ceil(by_hand[stage]), (month, stage)
            if revenue:
                assert row["revenue"] == round(goal)
                assert row[stages[-1]] == ceil(by_hand[stages[-1]])
                # the product of the first stage and every driver is the target
                product = by_hand[stages[0]] * math.prod(rates) * size
            else:
                assert row[stages[-1]] == goal
                product = by_hand[stages[0]] * math.prod(rates)
            assert product == pytest.approx(goal, rel=1e-9)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", OTHERS)
def test_the_plan_names_the_next_quarter_by_the_companys_calendar(packs, reviews, name, lang):
    result, html = packs[(name, lang)]
    review = reviews[name]
    _, planned, _ = QUARTERS[name]
    assert review.next_period.label == planned
    plan = section(html, "plan")
    lead = visible(re.search(r'<p class="rk-lead">(.*?)</p>', plan, flags=re.S).group(1))
    assert format_period(review.next_period, lang=lang) in lead
    assert (result.directory / f"targets-draft-{planned}.yml").is_file()
    if not review.definitions.kgi_is_revenue:  # counts: whole numbers
        assert not re.search(r"\d\.\d", lead), lead


# --- what-if, relevance, benchmarks for event-only funnels ------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", OTHERS)
def test_the_what_if_says_in_one_line_why_an_event_only_funnel_has_none(packs, reviews, name, lang):
    _, html = packs[(name, lang)]
    part = section(html, "what_if")
    stages = " → ".join(s.label(lang) for s in reviews[name].definitions.stages)
    assert visible(part).endswith(t("whatif.events_only", lang, stages=stages))
    assert part.count("<p") == 1 and "<table" not in part


@pytest.mark.parametrize("name", OTHERS)
def test_relevance_and_benchmarks_use_only_what_the_company_has(packs, reviews, name):
    review = reviews[name]
    for lang in LANGS:
        _, html = packs[(name, lang)]
        relevance = visible(section(html, "relevance"))
        kgi = review.definitions.kgi.label(lang)
        assert t("relevance.title", lang, kgi=kgi) in relevance
        if not review.definitions.kgi_is_revenue:
            assert "revenue" not in relevance.lower() and "受注金額" not in relevance
            assert "deal size" not in relevance.lower() and "単価" not in relevance
        benchmarks = section(html, "benchmarks")  # the zoo's benchmarks.yml is empty
        assert benchmarks.count("<p") == 1 and "<table" not in benchmarks


def test_a_proposed_rule_for_an_event_only_funnel_is_refused_before_the_kernel(
    workspaces, companies, tmp_path
):
    with pytest.raises(ParameterError, match=r"^what_if_rule: 'score >= 70' has no stage") as e:
        run_pack(
            "quarterly", as_of=as_of(companies["usa"]), lang="en", workspace=workspaces["usa"],
            output_dir=tmp_path, parameters={"what_if_rule": "score >= 70"},
        )  # fmt: skip
    assert "lead -> opportunity -> won" in str(e.value) and "\n" not in str(e.value)
    assert not list(tmp_path.rglob("notebook.ipynb"))  # nothing was executed


# --- minimal definitions and a short history -------------------------------------------------

MINIMAL = """\
version: "1"
agreed_by: [marketing, sales]
agreed_on: 2026-01-05
stages:
  - {key: signup, label: {ja: 登録, en: Signup}, owner: marketing, event: mql,
     description: {ja: 登録, en: A signup}}
  - {key: customer, label: {ja: 顧客, en: Customer}, owner: sales, event: won,
     description: {ja: 顧客, en: A customer}}
"""


@pytest.fixture(scope="module")
def minimal(companies, tmp_path_factory):
    """Brazil's store under two renamed stages, no metrics:, no kgi: and no targets.yml."""
    root = tmp_path_factory.mktemp("minimal") / "ws"
    zoo.write_workspace("brazil", root, company=companies["brazil"])
    (root / "params" / "definitions.yml").write_text(MINIMAL, encoding="utf-8")
    (root / "params" / "targets.yml").unlink()
    return root


def test_minimal_definitions_without_targets_say_how_to_give_a_kgi_target(minimal, tmp_path):
    result = build(minimal, tmp_path, "2026-07-13", "en")
    html = assert_clean_pack(result, SECTIONS)
    plan = section(html, "plan")
    assert "<table" not in plan and plan.count('class="rk-missing"') == 1
    assert (
        "No Customer target for Q3 2026 in params/targets.yml (months without one: 2026-07, "
        "2026-08, 2026-09): add them, or give the quarter's total with -p next_kgi_target="
    ) in visible(plan)
    assert not list(result.directory.glob("targets-draft-*"))


def test_a_count_kgi_target_by_parameter_is_planned_in_whole_numbers(minimal, tmp_path):
    result = build(minimal, tmp_path, "2026-07-13", "en", next_kgi_target=181)
    assert_clean_pack(result, SECTIONS)
    text = (result.directory / "targets-draft-FY2026-Q3.yml").read_text(encoding="utf-8")
    draft = yaml.safe_load(text)["company"]
    assert sum(row["customer"] for row in draft.values()) == 181
    assert all(list(row) == ["signup", "customer"] for row in draft.values())
    assert "deal size" not in text and "currency" not in text
    with pytest.raises(ParameterError, match=r"^next_kgi_target: 180.5 is not a whole number"):
        run_pack("quarterly", as_of="2026-07-13", lang="en", workspace=minimal,
                 output_dir=tmp_path / "bad", parameters={"next_kgi_target": 180.5})  # fmt: skip
    assert not list((tmp_path / "bad").rglob("notebook.ipynb"))  # refused before the kernel


def test_a_short_history_says_how_many_months_and_quarters_there_are(workspaces, tmp_path):
    result = build(workspaces["brazil"], tmp_path, "2024-07-10", "en")
    html = assert_clean_pack(result, SECTIONS)
    relevance = section(html, "relevance")
    assert "<table" not in relevance
    assert (
        "5 months of history (February 2024 to June 2024): judging which leading KPIs predict "
        "Customers won needs at least 12 months (7 more)."
    ) in visible(relevance)
    assert "Only 2 quarters of history so far (from Q1 2024)" in visible(html)
