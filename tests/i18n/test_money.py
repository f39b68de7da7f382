"""Money in the workspace's currency: forms per currency and language, units, checks, packs.

Every expected string below is written by hand: JPY keeps the forms yen packs always had; other
currencies use 万/億 with their Japanese unit, and the English symbol with K/M/B.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from builders import run_cli

from reviewkit.core.currency import (
    currency_problem,
    foreign_amounts,
    foreign_amounts_line,
    money_label_expr,
)
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.formatting import MINUS, format_money, format_value
from reviewkit.model.definitions import Definitions, load_definitions, parse_metric
from reviewkit.model.units import kgi_unit, metric_unit, unit_of
from reviewkit.present.charts.monthly import waterfall_chart
from reviewkit.present.tables import scorecard_table
from reviewkit.store.schema import connect

# -- forms ----------------------------------------------------------------------------------

CASES = ("cents", "small", "thousands", "millions", "billions", "negative", "none")
VALUES = {
    "cents": 12.34,  # a cost per lead
    "small": 980,
    "thousands": 52_300,
    "millions": 1_234_567,
    "billions": 2_360_000_000,
    "negative": -3_000_000,
    "none": None,
}
M = MINUS
EXPECTED = {
    "JPY": {
        "ja": ("12円", "980円", "5万円", "123万円", "23億6,000万円", f"{M}300万円", "—"),
        "en": ("¥12", "¥980", "¥52.3K", "¥1.2M", "¥2.4B", f"{M}¥3.0M", "—"),
    },
    "USD": {
        "ja": ("12.34ドル", "980ドル", "5.2万ドル", "123万ドル", "23億6,000万ドル",
               f"{M}300万ドル", "—"),
        "en": ("$12.34", "$980", "$52.3K", "$1.2M", "$2.4B", f"{M}$3.0M", "—"),
    },
    "EUR": {
        "ja": ("12.34ユーロ", "980ユーロ", "5.2万ユーロ", "123万ユーロ", "23億6,000万ユーロ",
               f"{M}300万ユーロ", "—"),
        "en": ("€12.34", "€980", "€52.3K", "€1.2M", "€2.4B", f"{M}€3.0M", "—"),
    },
    "GBP": {
        "ja": ("12.34ポンド", "980ポンド", "5.2万ポンド", "123万ポンド", "23億6,000万ポンド",
               f"{M}300万ポンド", "—"),
        "en": ("£12.34", "£980", "£52.3K", "£1.2M", "£2.4B", f"{M}£3.0M", "—"),
    },
    "BRL": {
        "ja": ("12.34レアル", "980レアル", "5.2万レアル", "123万レアル", "23億6,000万レアル",
               f"{M}300万レアル", "—"),
        "en": ("R$12.34", "R$980", "R$52.3K", "R$1.2M", "R$2.4B", f"{M}R$3.0M", "—"),
    },
    "CNY": {
        "ja": ("12.34元", "980元", "5.2万元", "123万元", "23億6,000万元", f"{M}300万元", "—"),
        "en": ("CN¥12.34", "CN¥980", "CN¥52.3K", "CN¥1.2M", "CN¥2.4B", f"{M}CN¥3.0M", "—"),
    },
    "KRW": {  # no minor units: 12.34 won is 12 won
        "ja": ("12ウォン", "980ウォン", "5.2万ウォン", "123万ウォン", "23億6,000万ウォン",
               f"{M}300万ウォン", "—"),
        "en": ("₩12", "₩980", "₩52.3K", "₩1.2M", "₩2.4B", f"{M}₩3.0M", "—"),
    },
    "INR": {
        "ja": ("12.34ルピー", "980ルピー", "5.2万ルピー", "123万ルピー", "23億6,000万ルピー",
               f"{M}300万ルピー", "—"),
        "en": ("₹12.34", "₹980", "₹52.3K", "₹1.2M", "₹2.4B", f"{M}₹3.0M", "—"),
    },
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("currency", list(EXPECTED))
def test_every_currency_in_both_languages(currency, lang, case):
    expected = EXPECTED[currency][lang][CASES.index(case)]
    assert format_money(VALUES[case], currency=currency, lang=lang) == expected


@pytest.mark.parametrize(
    ("value", "currency", "ja", "en"),
    [
        (1_200_000, "USD", "120万ドル", "$1.2M"),  # the issue's own example
        (345_000_000, "EUR", "3億4,500万ユーロ", "€345.0M"),
        (100_000_000, "USD", "1億ドル", "$100.0M"),
        (1_234_500_000_000, "USD", "12,345億ドル", "$1,234.5B"),  # no T: K, M, B as always
        (50_000, "USD", "5万ドル", "$50.0K"),  # a whole 万 has no .0
        (999_960, "USD", "100万ドル", "$1.0M"),  # rounding up reaches the next unit
        (999.996, "USD", "1,000ドル", "$1,000"),
        (12.5, "USD", "12.50ドル", "$12.50"),  # cents as cents
        (-12.34, "GBP", f"{M}12.34ポンド", f"{M}£12.34"),
        (12_340_000, "JPY", "1,234万円", "¥12.3M"),
        (math.nan, "USD", "—", "—"),
        # any other ISO 4217 code: Babel's symbol and Japanese name
        (1_200_000, "CHF", "120万スイス フラン", "CHF1.2M"),
        (1_200_000, "AUD", "120万オーストラリア ドル", "A$1.2M"),
        (980, "MXN", "980メキシコ ペソ", "MX$980"),
    ],
)
def test_forms(value, currency, ja, en):
    assert format_money(value, currency=currency, lang="ja") == ja
    assert format_money(value, currency=currency, lang="en") == en


def test_a_currency_that_is_not_a_code_is_refused():
    with pytest.raises(ParameterError, match=r"currency: 'usd' .* write it in capitals: USD"):
        format_money(1.0, currency="usd", lang="en")
    with pytest.raises(ParameterError, match="'XYZ' is not an ISO 4217 currency code"):
        format_money(1.0, currency="XYZ", lang="ja")
    assert currency_problem("JPY") is None and currency_problem("XAF") is None


# -- counts and rates -----------------------------------------------------------------------

SIGNS = re.compile(r"[¥$€£₩₹]|円|ドル|ユーロ|ポンド|レアル|元|ウォン|ルピー")


@pytest.mark.parametrize("currency", list(EXPECTED))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_counts_and_rates_carry_no_currency(currency, lang):
    for value in (0, 7, 122, 12_345, 1_234_567):
        shown = format_value(value, kind="count", lang=lang, currency=currency)
        assert shown == f"{value:,}"
    assert format_value(0.25, kind="rate", lang=lang, currency=currency) == "25.0%"
    amount = format_value(122, kind="amount", lang=lang, currency=currency)
    assert SIGNS.search(amount), amount


def test_a_won_count_kgi_is_a_count_in_the_scorecard():
    # "Won was ¥122": the count KGI's row has no sign, the revenue row has the currency's
    d = Definitions.model_validate(_definitions(kgi="won_count"))
    card = pd.DataFrame(
        {
            "metric": ["lead", "won"], "kind": [unit_of(d, "lead"), unit_of(d, "won")],
            "actual": [1_500.0, 122.0], "target": [1_400.0, 130.0],
            "achievement": [1_500 / 1_400, 122 / 130], "previous": [1_450.0, 110.0],
            "change": [1_500 / 1_450 - 1, 122 / 110 - 1],
        }
    )  # fmt: skip
    html = scorecard_table(card, definitions=d, lang="en", currency="USD").html
    assert ">122<" in html and ">130<" in html and "$" not in html
    revenue = card.iloc[[1]].assign(metric="revenue", kind="amount", actual=2.4e6)
    html = scorecard_table(
        revenue, definitions=Definitions.model_validate(_definitions()), lang="en", currency="USD"
    ).html
    assert ">$2.4M<" in html and ">$130<" in html


# -- units ----------------------------------------------------------------------------------

TEXT = {"ja": "x", "en": "x"}


def _definitions(*, kgi: str = "revenue") -> dict:
    stages = [
        {"key": k, "label": TEXT, "owner": "marketing", "description": TEXT, "event": k}
        for k in ("lead", "mql", "won")
    ]
    return {
        "version": "t", "agreed_by": ["sales"], "agreed_on": "2026-04-01", "stages": stages,
        "kgi": {"key": kgi, "label": TEXT, "owner": "sales", "description": TEXT},
        "metrics": [{"key": "average_deal_size", "type": "average_deal_size"}],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ({"type": "count", "stage": "lead"}, "count"),
        ({"type": "conversion", "from": "lead", "to": "mql"}, "rate"),
        ({"type": "win_rate", "by": "amount"}, "rate"),
        ({"type": "sla", "from": "mql"}, "rate"),
        ({"type": "revenue"}, "amount"),
        ({"type": "average_deal_size"}, "amount"),
        ({"type": "cost_per", "stage": "mql"}, "amount"),
        ({"type": "sales_cycle"}, "days"),
        ({"type": "speed_to_lead", "from": "mql"}, "hours"),
        ({"type": "pipeline_coverage"}, "times"),
    ],
)
def test_metric_units(raw, unit):
    assert metric_unit(parse_metric({"key": "m", **raw})) == unit


def test_the_kgi_is_money_only_when_it_is_revenue():
    revenue = Definitions.model_validate(_definitions())
    won = Definitions.model_validate(_definitions(kgi="won_count"))
    assert kgi_unit(revenue) == "amount" and unit_of(revenue, "revenue") == "amount"
    assert kgi_unit(won) == "count" and won.kgi_metric == "won"


# -- where the currency comes from ----------------------------------------------------------


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_workspace_currency_must_be_a_code(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    config = ws.params_dir / "workspace.yml"
    _set(config, "currency: JPY", "currency: YEN")
    with pytest.raises(ConfigError) as info:
        Workspace(ws.root)
    message = str(info.value)
    assert "\n" not in message
    assert "workspace.yml: currency:" in message and "'YEN'" in message
    assert "e.g. JPY, USD, EUR" in message
    _set(config, "currency: YEN", "currency: usd")
    with pytest.raises(ConfigError, match="write it in capitals: USD"):
        Workspace(ws.root)
    _set(config, "currency: usd", "currency: BRL")
    assert Workspace(ws.root).config.currency == "BRL"


def test_the_definitions_currency_is_optional_and_must_agree(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    path = ws.params_dir / "definitions.yml"
    assert load_definitions(ws).currency == "JPY"
    _set(path, "currency: JPY", "currency: USD")
    with pytest.raises(ConfigError) as info:
        load_definitions(ws)
    message = str(info.value)
    assert "\n" not in message
    line = path.read_text(encoding="utf-8").splitlines().index("currency: USD") + 1
    assert f"definitions.yml:{line}: currency: 'USD' differs from currency: 'JPY'" in message
    assert "params/workspace.yml" in message and "remove the key" in message
    assert load_definitions(path).currency == "USD"  # a file alone has no workspace to match
    result = run_cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    assert "'USD' differs from currency: 'JPY'" in result.stderr
    _set(path, "currency: USD\n", "")
    assert load_definitions(ws).currency is None  # the workspace's currency, then


def test_foreign_amounts_in_the_store(con):
    con.execute(
        "INSERT INTO opportunities (opportunity_id, amount, currency, created_at, stage, "
        "source_system) VALUES ('1', 10, 'USD', now(), 'x', 's'), ('2', 10, 'JPY', now(), 'x', "
        "'s'), ('3', 10, 'JPY', now(), 'x', 's'), ('4', 10, 'EUR', now(), 'x', 's')"
    )
    con.execute(
        "INSERT INTO campaigns (campaign_id, name, channel, start_date, end_date, cost, currency) "
        "VALUES ('c', 'c', 'web', DATE '2026-01-01', DATE '2026-01-31', 5, 'JPY')"
    )
    found = foreign_amounts(con, currency="USD")
    assert [(f.table, f.currency, f.rows) for f in found] == [
        ("opportunities", "JPY", 2),
        ("campaigns", "JPY", 1),
        ("opportunities", "EUR", 1),
    ]
    line = foreign_amounts_line(found, currency="USD")
    assert line is not None and "\n" not in line
    assert "2 opportunities in JPY; 1 campaigns in JPY; 1 opportunities in EUR" in line
    assert "set `currency: JPY` in params/workspace.yml" in line
    assert "re-import" in line and "`currency:` in their source profile" in line
    assert foreign_amounts(con, currency="JPY")[0].currency == "EUR"
    assert foreign_amounts_line([], currency="USD") is None


@pytest.fixture(scope="module")
def usd_workspace(sample_workspace, tmp_path_factory) -> Workspace:
    """The sample company with its amounts in US dollars (workspace, definitions and store)."""
    ws = init_workspace(tmp_path_factory.mktemp("usd") / "ws")
    shutil.copy(sample_workspace.store_path, ws.store_path)
    for name in ("workspace.yml", "definitions.yml"):
        _set(ws.params_dir / name, "currency: JPY", "currency: USD")
    con = connect(ws.store_path)
    con.execute("UPDATE opportunities SET currency = 'USD'; UPDATE campaigns SET currency = 'USD'")
    con.close()
    return Workspace(ws.root)


def test_validate_and_the_header_warn_when_the_store_disagrees(sample_workspace, tmp_path):
    from reviewkit.review.open import open_review

    ws = init_workspace(tmp_path / "ws")
    shutil.copy(sample_workspace.store_path, ws.store_path)
    _set(ws.params_dir / "workspace.yml", "currency: JPY", "currency: USD")
    _set(ws.params_dir / "definitions.yml", "currency: JPY\n", "")
    con = connect(ws.store_path, read_only=True)
    opportunities = con.execute("SELECT count(*) FROM opportunities").fetchone()[0]
    campaigns = con.execute("SELECT count(*) FROM campaigns").fetchone()[0]
    con.close()
    result = run_cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("— OK")
    warning = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warning) == 1 and warning[0].startswith("reviewkit: warning: ")
    assert f"{opportunities:,} opportunities in JPY; {campaigns:,} campaigns in JPY" in warning[0]
    assert "set `currency: JPY` in params/workspace.yml" in warning[0]
    for lang, words in (("en", f"{opportunities:,} opportunities in JPY"),
                        ("ja", f"商談 {opportunities:,}件が JPY")):  # fmt: skip
        review = open_review("monthly", workspace=str(ws.root), as_of="2026-11-23", lang=lang)
        header = unescape(review.header().html)
        notes = re.findall(r'<p class="rk-warning">(.*?)</p>', header)
        assert [n for n in notes if words in n and "USD" in n], notes


def test_a_dollar_workspace_has_no_foreign_amounts(usd_workspace):
    con = connect(usd_workspace.store_path, read_only=True)
    assert foreign_amounts(con, currency="USD") == []
    con.close()
    result = run_cli("validate", "--workspace", str(usd_workspace.root))
    assert result.returncode == 0 and result.stderr == "", result.stderr


# -- charts ---------------------------------------------------------------------------------


def _axis_labels(label_expr: str | None) -> list[str]:
    import vl_convert

    frame = pd.DataFrame(
        {
            "comparison": ["t"] * 3,
            "bar": ["Target", "Leads", "Actual"],
            "kind": ["start", "down", "end"],
            "value": [165e6, -19.1e6, 145.9e6],
            "shown": ["a", "b", "c"],
        }
    )
    chart = waterfall_chart(frame, title="T", description="D", choose="C", label_expr=label_expr)
    svg = vl_convert.vegalite_to_svg(chart.spec)
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize(
    ("currency", "lang", "labels"),
    [
        ("USD", "en", ["$0", "$50M", "$100M", "$150M"]),
        ("JPY", "en", ["¥0", "¥50M", "¥100M", "¥150M"]),
        ("JPY", "ja", ["0円", "5,000万円", "1億円", "1.5億円"]),
        ("EUR", "ja", ["0ユーロ", "5,000万ユーロ", "1億ユーロ", "1.5億ユーロ"]),
    ],
)
def test_amount_axes_are_in_the_currency(currency, lang, labels):
    shown = _axis_labels(money_label_expr(currency, lang=lang))
    assert [x for x in labels if x not in shown] == [], shown
    assert "150M" in _axis_labels(None)  # without it: plain SI numbers, no currency


# -- start-up -------------------------------------------------------------------------------


def test_babel_loads_only_when_a_figure_needs_it():
    code = (
        "import sys\n"
        "from reviewkit.i18n.formatting import format_money\n"
        "from reviewkit.core.workspace import WorkspaceConfig\n"
        "WorkspaceConfig(company={'ja': 'x', 'en': 'x'}, currency='USD')\n"
        "assert format_money(12_340_000, currency='JPY', lang='ja') == '1,234万円'\n"
        "assert format_money(1_200_000, currency='USD', lang='ja') == '120万ドル'\n"
        "print('babel' in sys.modules)\n"
        "format_money(1_200_000, currency='USD', lang='en')\n"
        "print('babel' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"], done.stderr


# -- a pack in dollars ----------------------------------------------------------------------


def _pack_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    visible = re.sub(r"<script[^>]*>.*?</script>|<style[^>]*>.*?</style>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", visible))


@pytest.mark.integration
def test_a_dollar_company_gets_a_monthly_pack_in_dollars(usd_workspace, tmp_path):
    from reviewkit.pack.runner import run_pack

    con = connect(usd_workspace.store_path, read_only=True, timezone="Asia/Tokyo")
    revenue = con.execute(  # October 2026's revenue, recounted in plain SQL
        "SELECT sum(amount)::DOUBLE FROM opportunities WHERE is_won "
        "AND closed_at >= TIMESTAMPTZ '2026-10-01 00:00:00+09' "
        "AND closed_at < TIMESTAMPTZ '2026-11-01 00:00:00+09'"
    ).fetchone()[0]
    con.close()
    oku, man = divmod(round(revenue / 1e4), 10_000)
    headline = {  # the summary's first sentence: the month's revenue
        "en": ("Revenue won", f"${revenue / 1e6:.1f}M"),
        "ja": ("受注金額は", f"{oku}億{man:,}万ドル"),
    }
    for lang, unit in (("en", "$"), ("ja", "ドル")):
        result = run_pack(
            "monthly", as_of="2026-11-23", lang=lang, workspace=usd_workspace, output_dir=tmp_path
        )
        html = result.pack.read_text(encoding="utf-8")
        assert "¥" not in html and not re.search(r"\d円|万円|億円", html), lang
        text = _pack_text(result.pack)
        words, figure = headline[lang]
        summary = text[text.index(words) :][:120]
        assert figure in summary, summary
        amounts = re.findall(
            r"\$\d[\d,.]*[KMB]?" if lang == "en" else r"\d[\d,.]*(?:億[\d,]*)?万?ドル", text
        )
        assert len(amounts) >= 20, amounts  # the gap, the waterfall, content, stalled deals
        # the charts' tooltips, bars and axes: in dollars too (the trend and the gap)
        specs = re.findall(r'<script id="rk-spec-\d+" type="application/json">(.*?)</script>', html)
        assert sum(unit in spec for spec in specs) >= 2, lang
