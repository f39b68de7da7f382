"""Safe by construction: data is escaped, contact details are redacted, secrets stay out."""

from __future__ import annotations

import json
import math
import re
import shutil
from html.parser import HTMLParser

import duckdb
import nbformat
import pandas as pd
import pytest
from builders import DEMO_DATE, REPO

from reviewkit.core.redaction import (
    MASK,
    PLACEHOLDER,
    is_secret_name,
    mask_secrets,
    redact_text,
)
from reviewkit.core.workspace import init_workspace
from reviewkit.model.definitions import load_definitions
from reviewkit.pack.render import RedactPreprocessor, render_pack
from reviewkit.pack.runner import run_pack
from reviewkit.present.glossary import glossary_table
from reviewkit.present.tables import rates_table, scorecard_table, styled_table

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class CellTexts(HTMLParser):
    """The text of every ``<th>`` and ``<td>``, as a reader sees it (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._open = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def parsed(html: str) -> CellTexts:
    parser = CellTexts()
    parser.feed(html)
    return parser


def assert_no_live_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    # allowed only escaped: as HTML text (&gt;) or inside a chart's JSON spec (\u003e)
    escaped = html.replace("onerror=alert(1)&gt;", "").replace("onerror=alert(1)\\u003e", "")
    assert "onerror=alert" not in escaped


# -- Styler tables escape cells and headers ------------------------------------------------


def test_styled_table_escapes_cells_and_headers():
    frame = pd.DataFrame([{SCRIPT: IMG, "a & b": "x < y"}])
    html = styled_table(frame, [["rk-label", "rk-num"]], css_class="rk-test").html
    assert_no_live_markup(html)
    assert SCRIPT_ESCAPED in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    cells = parsed(html)
    assert cells.cells == [SCRIPT, "a & b", IMG, "x < y"]  # shown as text, unchanged
    assert "script" not in cells.tags and "img" not in cells.tags
    assert 'class="rk-table rk-test"' in html and "rk-label" in html  # styling still applies


@pytest.fixture(scope="module")
def hostile_definitions(tmp_path_factory):
    """The sample definitions with a metric label and a stage label that are markup."""
    ws = init_workspace(tmp_path_factory.mktemp("defs") / "ws")
    path = ws.params_dir / "definitions.yml"
    text = path.read_text(encoding="utf-8")
    metric = "label: {ja: MQL→SQL 転換率, en: MQL to SQL rate}"
    stage = "label: {ja: リード, en: Lead}"
    assert metric in text and stage in text
    text = text.replace(metric, f'label: {{ja: "{SCRIPT}", en: "{SCRIPT}"}}')
    text = text.replace(stage, f'label: {{ja: "{IMG}", en: "{IMG}"}}')
    path.write_text(text, encoding="utf-8")
    return load_definitions(ws)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_glossary_shows_a_markup_label_as_text(hostile_definitions, lang):
    html = glossary_table(hostile_definitions, lang=lang).html
    assert_no_live_markup(html)
    cells = parsed(html).cells
    assert SCRIPT in cells and IMG in cells
    assert SCRIPT_ESCAPED in html


def test_scorecard_and_rates_show_a_markup_label_as_text(hostile_definitions):
    card = pd.DataFrame(
        [
            {"metric": "lead", "kind": "count", "actual": 1234.0, "target": 1000.0,
             "achievement": 1.234, "previous": 1100.0, "change": 0.12},
        ]
    )  # fmt: skip
    html = scorecard_table(card, definitions=hostile_definitions, lang="ja", currency="JPY").html
    assert_no_live_markup(html)
    assert parsed(html).cells[7] == IMG  # first body cell, after seven headers
    assert "1,234" in parsed(html).cells

    rates = pd.DataFrame(
        [
            {"metric": "mql_to_sql", "basis": "cohort", "window": "30d", "value": 0.25,
             "mature": True, "other_basis": "period", "other_value": 0.31, "show_both": True,
             "previous": 0.3, "change_points": -5.0, "previous_mature": True,
             "equal_days": math.nan, "equal_value": math.nan, "equal_previous": math.nan},
        ]
    )  # fmt: skip
    html = rates_table(rates, definitions=hostile_definitions, lang="en").html
    assert_no_live_markup(html)
    assert parsed(html).cells[6] == SCRIPT
    assert SCRIPT_ESCAPED in html


# -- Redaction of e-mail addresses and phone numbers ----------------------------------------

REDACTED = [
    "taro.yamada@example.co.jp",
    "hanako+news@mail.example.com",
    "TARO@EXAMPLE.COM",
    "taro＠example.jp",  # full-width at sign
    "03-1234-5678",
    "090-1234-5678",
    "050-1234-5678",
    "0120-123-456",
    "06 1234 5678",
    "(03) 1234-5678",
    "(03)1234-5678",
    "03－1234－5678",  # full-width hyphens
    "+81 3 1234 5678",
    "+81-90-1234-5678",
    "+81 (0)3 1234 5678",
    "+1 (415) 555-0100",
    "+44 20 7946 0958",
    "415-555-0100",
    "(415) 555-0100",
]

KEPT = [
    "1,234,567",
    "1,234 → 1,456",
    "2026-11-23",
    "2026-11-23T09:00:00+09:00",
    "2026-01-05 09:30",
    "2026.11.23",
    "05-01-2026",
    "2026年11月23日",
    "16–22 Nov 2026",
    "2026-W47",
    "FY2026-Q2",
    "12.5%",
    "100.0%",
    "+4.2%",
    "−3.1%",
    "+12.3 pts",
    "¥1,234,567",
    "¥167.0M",
    "1億6,700万円",
    "1,234万円",
    "12345678",
    "+16777216",  # arithmetic in a script, not a phone number
    "1.23456789e+09",
    "MA-046290",
    "v2026.1 (3f2a9c1e)",
    "vega@5.20.1",
    "10:00-12:00",
    "3.14159",
]


@pytest.mark.parametrize("text", REDACTED)
def test_contact_details_are_redacted(text):
    for shown in (text, f"連絡先: {text}。", f"<td>{text}</td>", f"Call {text} today"):
        result = redact_text(shown)
        assert PLACEHOLDER in result
        assert text not in result
        assert result == shown.replace(text, PLACEHOLDER)  # nothing around it is touched


@pytest.mark.parametrize("text", KEPT)
def test_numbers_dates_and_money_are_kept(text):
    for shown in (text, f"実績 {text}（前期間比）", f'<td class="rk-num">{text}</td>'):
        assert redact_text(shown) == shown


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("Questions: analyst@example.com"))
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="call 03-1234-5678\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/plain": "owner taro@example.co.jp, revenue ¥1,234,567",
                "text/html": (
                    "<table><td>+81 3 1234 5678</td><td>2026-11-23 ¥1,234,567</td></table>"
                ),
                "application/vnd.vegalite.v5+json": {"data": {"values": [{"n": "a@b.co.jp"}]}},
                "image/png": "iVBORw0KGgo+81312345678",
            },
        ),
        nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": "090-1234-5678 12.5%"},
            execution_count=1,
        ),
        nbformat.v4.new_output(
            "error", ename="KeyError", evalue="x@example.com", traceback=["at x@example.com"]
        ),
    ]
    nb.cells.append(code)
    return nb


def test_the_preprocessor_redacts_every_output():
    nb, _ = RedactPreprocessor().preprocess(_notebook(), {})
    markdown, code = nb.cells
    assert markdown.source == f"Questions: {PLACEHOLDER}"
    stream, display, result, error = code.outputs
    assert stream.text == f"call {PLACEHOLDER}\n"
    assert display.data["text/plain"] == f"owner {PLACEHOLDER}, revenue ¥1,234,567"
    assert display.data["text/html"] == (
        f"<table><td>{PLACEHOLDER}</td><td>2026-11-23 ¥1,234,567</td></table>"
    )
    assert display.data["application/vnd.vegalite.v5+json"]["data"]["values"] == [
        {"n": PLACEHOLDER}
    ]
    assert display.data["image/png"] == "iVBORw0KGgo+81312345678"  # binary: untouched
    assert result.data["text/plain"] == f"{PLACEHOLDER} 12.5%"
    assert error.evalue == PLACEHOLDER and error.traceback == [f"at {PLACEHOLDER}"]


def test_render_pack_redacts():
    html = render_pack(_notebook(), title="t", lang="ja")
    for leak in ("taro@example.co.jp", "03-1234-5678", "+81 3 1234 5678", "090-1234-5678"):
        assert leak not in html
    assert PLACEHOLDER in html and "2026-11-23 ¥1,234,567" in html


# -- The manifest holds no secrets ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["password", "db_password", "PASSWD", "client_secret", "api_token", "token", "api_key",
     "apikey", "API_KEY", "aws_access_key", "private_key", "credentials", "gcp_credential"],
)  # fmt: skip
def test_secret_names(name):
    assert is_secret_name(name)
    assert mask_secrets({name: "s3cr3t", "lang": "ja"}) == {name: MASK, "lang": "ja"}


@pytest.mark.parametrize("name", ["lang", "as_of", "workspace", "threshold", "keyword", "monkey"])
def test_ordinary_names(name):
    assert not is_secret_name(name)


def test_mask_secrets_nested_and_unchanged_input():
    values = {"db": {"host": "h", "password": "p"}, "items": [{"token": "t"}], "n": 3}
    assert mask_secrets(values) == {
        "db": {"host": "h", "password": MASK},
        "items": [{"token": MASK}],
        "n": 3,
    }
    assert values["db"]["password"] == "p"


def _copy_workspace(sample_workspace, root):
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    return root


@pytest.mark.integration
def test_manifest_masks_secret_parameters_and_records_no_environment(
    sample_workspace, tmp_path, monkeypatch
):
    root = _copy_workspace(sample_workspace, tmp_path / "ws")
    nb = nbformat.read(REPO / "notebooks" / "monthly_review.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += '\napi_token = ""\ndb_password = ""\nthreshold = 60'
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "monthly_review.ipynb")
    monkeypatch.setenv("REVIEWKIT_TEST_SECRET", "env-value-7c1d")

    result = run_pack(
        "monthly", as_of=DEMO_DATE, workspace=root, output_dir=root / "outputs",
        parameters={"api_token": "tok-value-9f2e", "db_password": "pw-value-4b8a",
                    "threshold": 70},
    )  # fmt: skip
    text = result.manifest.read_text(encoding="utf-8")
    for secret in ("tok-value-9f2e", "pw-value-4b8a", "env-value-7c1d", "REVIEWKIT_TEST_SECRET"):
        assert secret not in text
        assert secret not in result.pack.read_text(encoding="utf-8")
    parameters = json.loads(text)["parameters"]
    assert parameters["api_token"] == MASK and parameters["db_password"] == MASK
    assert parameters["threshold"] == 70 and parameters["as_of"] == DEMO_DATE


# -- End to end: hostile data in the store --------------------------------------------------


@pytest.mark.integration
def test_hostile_data_reaches_the_pack_only_as_text(sample_workspace, tmp_path):
    root = _copy_workspace(sample_workspace, tmp_path / "ws")
    con = duckdb.connect(str(root / "data" / "reviewkit.duckdb"))
    try:
        october = "created_at >= '2026-10-01' AND created_at < '2026-11-01'"
        lead_id, email = con.execute(
            f"SELECT lead_id, email FROM leads WHERE {october} AND email IS NOT NULL "
            "ORDER BY lead_id LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE leads SET campaign_id = ?, content_asset = ?, company_name = ? "
            "WHERE lead_id = ?",
            [SCRIPT, IMG, SCRIPT, lead_id],
        )
        # A whole content asset and a whole campaign, so that they are big enough to be shown.
        (asset,) = con.execute(
            f"SELECT content_asset FROM leads WHERE {october} AND content_asset IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        con.execute("UPDATE leads SET content_asset = ? WHERE content_asset = ?", [IMG, asset])
        (campaign,) = con.execute(
            f"SELECT campaign_id FROM leads WHERE {october} AND campaign_id IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE campaigns SET name = ? WHERE campaign_id = ?",
            [f"{SCRIPT} {IMG} {email} 03-1234-5678", campaign],
        )
    finally:
        con.close()

    result = run_pack("monthly", as_of=DEMO_DATE, workspace=root, output_dir=root / "outputs")
    html = result.pack.read_text(encoding="utf-8")
    assert_no_live_markup(html)
    assert email not in html
    assert not EMAIL.search(html), EMAIL.search(html)
    assert "03-1234-5678" not in html
    # Wherever the hostile text is shown, it is shown escaped.
    for escaped in (SCRIPT_ESCAPED, "&lt;img src=x onerror=alert(1)&gt;"):
        raw = escaped.replace("&lt;", "<").replace("&gt;", ">")
        assert html.count(raw) == 0
    index = (root / "outputs" / "index.html").read_text(encoding="utf-8")
    assert_no_live_markup(index)
