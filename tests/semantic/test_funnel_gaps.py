"""What the funnel needs and the store lacks entirely: found, worded in both languages, warned."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewkit.i18n.texts import t
from reviewkit.model.definitions import load_definitions
from reviewkit.semantic.funnel_gaps import FunnelGaps, first_record, funnel_gaps, gap_warnings

DEFINITIONS = load_definitions(Path(__file__).resolve().parents[2] / "params" / "definitions.yml")


def _leads(con, *events: str) -> None:
    con.execute(
        "INSERT INTO leads (lead_id, source_system, created_at) VALUES "
        "('l1', 'ma', '2026-10-01 09:00+09'), ('l2', 'ma', '2026-10-02 09:00+09')"
    )
    for event in events:
        con.execute(
            "INSERT INTO stage_events VALUES ('l1', ?, '2026-10-05 09:00+09', 'ma')", [event]
        )


def _deal(con, *, amount: object, closed: object) -> None:
    con.execute(
        "INSERT INTO opportunities VALUES ('o1', 'l1', ?, 'JPY', '2026-10-05 09:00+09', ?, "
        "true, 'Closed Won', NULL, 'sfa')",
        [amount, closed],
    )


def test_an_empty_store_lacks_every_event_stage_and_has_no_first_record(con) -> None:
    gaps = funnel_gaps(con, DEFINITIONS)
    assert gaps.stages == ("lead", "sql", "opportunity", "won")  # mql is a score rule
    assert gaps.amounts and not gaps.close_dates
    assert gaps.tree_drivers(DEFINITIONS) == DEFINITIONS.tree
    assert first_record(con) is None


def test_leads_only_lack_the_later_stages_and_the_kgi(con) -> None:
    _leads(con, "lead")
    gaps = funnel_gaps(con, DEFINITIONS)
    assert gaps.stages == ("sql", "opportunity", "won")
    assert gaps.amounts
    assert first_record(con).isoformat() == "2026-10-01T00:00:00+00:00"


def test_a_middle_stage_without_events_leaves_out_only_the_drivers_through_it(con) -> None:
    _leads(con, "lead", "sql", "won")
    _deal(con, amount=1_000_000, closed="2026-10-20 09:00+09")
    gaps = funnel_gaps(con, DEFINITIONS)
    assert gaps == FunnelGaps(stages=("opportunity",))
    drivers = gaps.tree_drivers(DEFINITIONS)
    assert drivers and all("opportunity" in d for d in drivers), drivers
    assert "average_deal_size" not in drivers


def test_won_deals_without_a_close_date_are_their_own_gap(con) -> None:
    _leads(con, "lead", "sql", "opportunity", "won")
    _deal(con, amount=1_000_000, closed=None)
    gaps = funnel_gaps(con, DEFINITIONS)
    assert gaps == FunnelGaps(close_dates=True)
    assert gaps.tree_drivers(DEFINITIONS) == DEFINITIONS.tree
    (line,) = gap_warnings(gaps, DEFINITIONS)
    assert "closed_at" in line and "\n" not in line


def test_a_complete_store_has_no_gap(con) -> None:
    _leads(con, "lead", "sql", "opportunity", "won")
    _deal(con, amount=1_000_000, closed="2026-10-20 09:00+09")
    gaps = funnel_gaps(con, DEFINITIONS)
    assert not gaps
    assert gaps.lines(DEFINITIONS, lang="en") == [] and gap_warnings(gaps, DEFINITIONS) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_gap_is_one_line_naming_the_stage_in_the_pack_language(con, lang: str) -> None:
    _leads(con, "lead")
    lines = FunnelGaps(stages=("sql", "won"), amounts=True).lines(DEFINITIONS, lang=lang)
    assert len(lines) == 2
    assert DEFINITIONS.stage("won").label(lang) in lines[0]
    assert DEFINITIONS.kgi.label(lang) in lines[1]
    assert all("{" not in line and "\n" not in line for line in lines)
    other = "en" if lang == "ja" else "ja"
    assert t("missing.stage_events", other, stages="x") not in lines


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_scorecard_row_without_any_record_reads_no_data_not_missed(lang: str) -> None:
    import pandas as pd

    from reviewkit.present.tables import scorecard_table

    frame = pd.DataFrame(
        {
            "metric": ["lead", "won"], "kind": ["count", "count"], "actual": [120.0, 0.0],
            "target": [100.0, 10.0], "achievement": [1.2, 0.0], "previous": [90.0, 0.0],
            "change": [0.33, float("nan")],
        }
    )  # fmt: skip
    html = scorecard_table(
        frame, definitions=DEFINITIONS, lang=lang, currency="JPY", no_data={"won"}
    ).html
    assert t("status.no_data", lang) in html and t("status.met", lang) in html
    assert t("status.missed", lang) not in html


def test_only_a_lead_or_deal_source_whose_records_are_gone_is_named(con, tmp_path) -> None:
    """A campaign-cost import has no lead of its source system: it is never named as emptied."""
    from reviewkit.analysis.quality import data_quality, emptied_sources, record_profiles
    from reviewkit.core.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")  # the sample's params, with the example profiles
    _leads(con, "lead")  # MA leads: source 'ma'
    for i, (profile, source) in enumerate(
        [("hubspot-contacts", "ma"), ("salesforce-opportunities", "sfa"),
         ("generic-campaign-costs", "marketing"), ("gone-profile", "old")]
    ):  # fmt: skip
        con.execute(
            "INSERT INTO imports VALUES (?, 'f.csv', 'f00d', ?, ?, 3, 3, 0, 0, 0, "
            "'2026-10-03 10:00+09', '2026-10-03 10:00+09')",
            [f"i{i}", profile, source],
        )
    profiles = record_profiles(con, ws)
    assert profiles == ("hubspot-contacts", "salesforce-opportunities")
    (found,) = emptied_sources(con, profiles=profiles, timezone="Asia/Tokyo")
    assert found[0] == "sfa" and found[2] == "salesforce-opportunities"
    quality = data_quality(con, timezone="Asia/Tokyo", profiles=profiles)
    assert [s for s, _ in quality.emptied] == ["sfa"]
    assert data_quality(con, timezone="Asia/Tokyo").emptied == ()
