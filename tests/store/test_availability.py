"""What optional data a store holds, split dimensions, and tables that stay readable.

Hand-made stores: each kind of optional data present or absent, checked against what was put
in; the sample holds all of it; a zoo company (brazil) lacks amounts, costs, touches and teams.
"""

import datetime as dt
import re

import pandas as pd
import pytest
from builders import event_definitions

from reviewkit.model.definitions import Definitions
from reviewkit.present.html import missing_html
from reviewkit.present.styling import FOLD_AFTER, LONG_TEXT, TOP_ROWS, short_text
from reviewkit.present.tables import styled_table
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.availability import availability
from reviewkit.store.schema import data_freshness, replace_tables

TZ = "Asia/Tokyo"
TEXT = {"ja": "x", "en": "x"}
ALL = ("amounts", "campaign_costs", "touches", "teams", "opportunities", "closed_deals",
       "lost_deals", "second_source", "score_history")  # fmt: skip


def at(day: int, hour: int = 10) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(2026, 5, day, hour), tz=TZ)


def leads(n: int, **columns) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "source_system": "ma",
            "created_at": [at(1 + i % 20) for i in range(n)],
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_an_empty_store_has_nothing(con):
    found = availability(con)
    assert found.missing(*ALL) == list(ALL)
    assert found.sources == ()


def test_each_kind_of_data_is_seen_when_present(con):
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["O1", "O2", "O3"],
            "lead_id": ["L0", "L1", "L2"],
            "amount": [1000.0, None, 0.0],
            "currency": "JPY",
            "created_at": [at(2), at(3), at(4)],
            "closed_at": [at(9), at(10), pd.NaT],
            "is_won": pd.array([True, False, None], dtype="boolean"),
            "stage": ["Won", "Lost", "Open"],
            "sales_team": [None, None, None],
            "source_system": "sfa",
        }
    )
    replace_tables(
        con,
        {
            "leads": leads(3, sales_team=[None, "Team A", None]),
            "opportunities": opportunities,
            "activities": pd.DataFrame(
                {
                    "activity_id": ["A1", "A2"],
                    "lead_id": ["L0", "L1"],
                    "activity_type": ["auto", "call"],
                    "occurred_at": [at(2), at(3)],
                    "team": [None, "Team A"],
                    "is_human": [False, True],
                }
            ),
            "campaigns": pd.DataFrame(
                {
                    "campaign_id": ["C1"],
                    "name": ["c"],
                    "channel": ["web"],
                    "content_asset": [None],
                    "start_date": [dt.date(2026, 5, 1)],
                    "end_date": [dt.date(2026, 5, 31)],
                    "cost": [0.0],
                    "currency": ["JPY"],
                }
            ),
        },
        source="test",
    )
    found = availability(con)
    assert found.amounts == 1  # a zero or missing amount is no amount
    assert found.touches == 1  # an automated e-mail is no touch
    assert found.teams == 1
    assert (found.opportunities, found.closed_deals, found.lost_deals) == (3, 2, 1)
    assert found.sources == ("ma", "sfa") and found.has("second_source")
    assert found.missing(*ALL) == ["campaign_costs", "score_history"]  # a cost of 0 is none


def test_the_sample_has_everything(sample_con):
    assert availability(sample_con).missing(*ALL) == []


def test_a_zoo_company_without_optional_data(tmp_path):
    from reviewkit.ingest.sample import zoo
    from reviewkit.store.schema import connect

    zoo.write_workspace("brazil", tmp_path / "ws")
    con = connect(tmp_path / "ws" / "data" / "reviewkit.duckdb", read_only=True)
    found = availability(con)
    con.close()
    named = {"sales_teams": "teams"}  # the truth file's word for it
    absent = {named.get(k, k) for k in zoo.generate("brazil").truth["absent"]}
    assert set(found.missing(*ALL)) == {
        k for k in ALL if k in absent or k in ("closed_deals", "lost_deals")
    }


def test_missing_line_names_the_import_in_both_languages():
    en = missing_html("campaign_costs", lang="en", what="spend and cost per lead")
    ja = missing_html("touches", lang="ja", what="初回接触")
    assert en.html.startswith('<p class="rk-missing">') and en.html.count("<p") == 1
    assert "spend and cost per lead" in en.text and "record: campaigns" in en.text
    assert "初回接触" in ja.text and "record: activities" in ja.text


def definitions() -> Definitions:
    return event_definitions(
        ("lead", "won"), owner="sales", with_kgi=False, version="t", agreed_by=("sales",),
        agreed_on="2026-01-01",
    )  # fmt: skip


def test_split_dimensions_leave_out_empty_and_single_valued_columns(con):
    replace_tables(
        con,
        {
            "leads": leads(
                4,
                channel=["web", "ads", None, "web"],
                industry=[None] * 4,
                region=["north"] * 4,
            )
        },
        source="test",
    )
    funnel = Funnel(con, definitions(), timezone=TZ, cutoff=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert funnel.value_counts["channel"] == 2 and funnel.value_counts["region"] == 1
    assert "channel" in funnel.split_dimensions
    assert "industry" not in funnel.split_dimensions and "region" not in funnel.split_dimensions
    assert "industry" in funnel.empty_dimensions and "region" not in funnel.empty_dimensions
    scoped = Funnel(
        con, definitions(), timezone=TZ, cutoff=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        scope={"channel": "web"},
    )  # fmt: skip
    assert "channel" not in scoped.split_dimensions  # one value within the segment


def test_data_as_of_is_the_newest_record_before_the_cut_off(con):
    replace_tables(con, {"leads": leads(20)}, source="test")  # created 1..20 May, 10:00
    newest = data_freshness(con)
    assert newest == at(20).to_pydatetime()
    cut = dt.datetime(2026, 5, 11, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert data_freshness(con, before=cut) == at(10).to_pydatetime()
    assert data_freshness(con, before=at(1)) is None  # nothing before the first record


def table(n: int, name: str = "x") -> tuple[pd.DataFrame, list[list[str]]]:
    frame = pd.DataFrame(
        {"segment": [f"{name}{i}" for i in range(n)], "n": [str(i) for i in range(n)]}
    )
    return frame, [["rk-label", "rk-num"]] * n


def test_long_names_are_shortened_with_the_full_name_on_hover():
    name = "Meta Ads | " + "público semelhante " * 20 + "<fim>"
    frame = pd.DataFrame({"campaign": [name, "short"], "n": ["1", "2"]})
    html = styled_table(frame, [["rk-label", "rk-num"]] * 2, css_class="rk-drill").html
    cell = re.search(r'<span class="rk-long" title="([^"]*)">([^<]*)</span>', html)
    assert cell is not None
    assert cell.group(1).replace("&lt;", "<").replace("&gt;", ">") == name
    assert len(cell.group(2)) == LONG_TEXT and cell.group(2).endswith("…")
    assert "<fim>" not in html  # escaped everywhere
    assert short_text("short") == "short"
    prose = styled_table(frame, [["rk-text", "rk-num"]] * 2, css_class="x", shorten=False).html
    assert "rk-long" not in prose


def test_long_tables_show_the_top_rows_and_fold_the_rest():
    frame, classes = table(FOLD_AFTER + 10)
    frame.loc[len(frame)] = ["Total", "999"]
    classes = [*classes, ["rk-label rk-total", "rk-num rk-total"]]
    html = styled_table(frame, classes, css_class="rk-drill", lang="en").html
    rows = re.findall(r"<tr(?: class=\"([^\"]*)\")?>\s*<td", html)
    assert len(rows) == len(frame)
    folded = [i for i, c in enumerate(rows) if c == "rk-folded"]
    assert folded == list(range(TOP_ROWS, len(frame) - 1))  # the total row stays shown
    assert f"Show {len(folded)} more rows" in html and 'type="checkbox"' in html
    ja = styled_table(frame, classes, css_class="rk-drill", lang="ja").html
    assert f"残り {len(folded)} 行を表示" in ja


@pytest.mark.parametrize("n", [FOLD_AFTER, 3])
def test_short_tables_and_tables_without_a_language_do_not_fold(n):
    frame, classes = table(n)
    assert "rk-folded" not in styled_table(frame, classes, css_class="x", lang="en").html
    frame, classes = table(FOLD_AFTER + 5)
    assert "rk-folded" not in styled_table(frame, classes, css_class="x").html
