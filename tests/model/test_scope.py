"""Segment packs: the scope a pack covers, its targets and what a batch hashes of its inputs.

Hand-made stores check that a scoped funnel counts exactly the people of the segment (merged
records go with their person's canonical record); the sample company checks a team's figures
against plain pandas on the raw tables; the fingerprint is checked to move with what a pack
can see and only with that.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from builders import AMOUNT, CAL, CUTOFF, OCT, TINY, at, tiny_definitions, tiny_store

from reviewkit.core.periods import parse_period
from reviewkit.errors import ParameterError
from reviewkit.model.scope import Scope, check_scope, parse_scope, slugify
from reviewkit.model.targets import Targets
from reviewkit.pack.fingerprint import data_hash, inputs_digest, targets_hash
from reviewkit.review.open import open_review
from reviewkit.semantic.funnel import Funnel

JST = ZoneInfo("Asia/Tokyo")


# --- parsing ----------------------------------------------------------------------------------


def test_parse_scope_reads_one_value_a_group_and_nothing():
    assert parse_scope("") is None
    one = parse_scope(" sales_team = Team B ")
    assert one == Scope("sales_team", ("Team B",))
    assert one.filter == {"sales_team": "Team B"}
    assert one.slug == "sales_team-team-b"
    assert one.text == "sales_team=Team B"
    group = parse_scope("channel=paid_search, display", name="paid")
    assert group.filter == {"channel": ["paid_search", "display"]}
    assert group.slug == "channel-paid"
    assert group.label("en") == "channel: paid (paid_search, display)"
    assert parse_scope("channel=paid_search,display").slug == "channel-paid_search-display"
    assert one.label("ja") == "営業チーム: Team B"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Team B", "write KEY=VALUE"),
        ("team=Team B", "'team' is not a segment column; use one of channel"),
        ("channel=", "write KEY=VALUE"),
        ("channel=webinar,webinar", "repeats a value"),
    ],
)
def test_parse_scope_refuses_what_it_cannot_read(text, words):
    with pytest.raises(ParameterError, match="segment") as caught:
        parse_scope(text)
    assert words in str(caught.value)


def test_slugify_keeps_letters_of_any_script_and_nothing_unsafe():
    assert slugify("Team B") == "team-b"
    assert slugify("関東 / 本社") == "関東-本社"
    assert slugify("../etc") == "etc"
    assert slugify("///") == "_"


# --- a scoped funnel on a hand-made store ---------------------------------------------------


def test_a_scoped_funnel_counts_only_the_people_of_the_segment(con):
    tiny_store(con)
    whole = Funnel(con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF)
    referral = Funnel(
        con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF, scope={"channel": "referral"}
    )
    keys = ["lead", "mql", "sql", "won", "revenue"]
    scoped = referral.metric_frame(keys, [OCT]).set_index("metric")["value"]
    filtered = whole.metric_frame(keys, [OCT], segment={"channel": "referral"})
    # October's referral people by hand: S1, S2, X1 (MQL, SQL); S1 and S2 won in October.
    assert scoped.to_dict() == {
        "lead": 3.0, "mql": 3.0, "sql": 3.0, "won": 2.0,
        "revenue": float(AMOUNT["S1"] + AMOUNT["S2"]),
    }  # fmt: skip
    assert scoped.to_dict() == filtered.set_index("metric")["value"].to_dict()
    # a group of values is the sum of its values
    both = Funnel(
        con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF,
        scope={"channel": ["referral", "webinar"]},
    )  # fmt: skip
    webinar = whole.metric_frame(["mql"], [OCT], segment={"channel": "webinar"})["value"].sum()
    assert both.metric_frame(["mql"], [OCT])["value"].sum() == 3.0 + webinar == 5.0


def test_a_scope_with_no_people_counts_zero_and_missing_values_are_outside(con):
    tiny_store(con)
    none = Funnel(
        con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF, scope={"channel": "display"}
    )
    assert none.metric_frame(["lead", "won"], [OCT])["value"].tolist() == [0.0, 0.0]
    # N1 has no channel: never in a channel's scope
    people = Funnel(
        con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF,
        scope={"channel": ["paid_search", "webinar", "referral"]},
    )  # fmt: skip
    whole = Funnel(con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF)
    n_all = whole.metric_frame(["mql"], [OCT])["value"].sum()
    assert people.metric_frame(["mql"], [OCT])["value"].sum() == n_all - 1


def test_an_unknown_scope_column_is_refused_before_anything_is_built(con):
    tiny_store(con)
    with pytest.raises(ParameterError, match="'team' is not a segment column"):
        Funnel(con, tiny_definitions(), timezone="Asia/Tokyo", cutoff=CUTOFF, scope={"team": "B"})


def test_tiny_store_people_match_the_hand_list(con):
    tiny_store(con)
    referral_october = [
        p for p, ch, _, mql, *_ in TINY if ch == "referral" and mql[:7] == "2026-10"
    ]
    assert referral_october == ["S1", "S2", "X1"]
    assert at("2026-10-01 00:00") < CUTOFF


# --- targets of a segment -------------------------------------------------------------------


def _targets() -> Targets:
    rows = [
        ("2026-10-01", "revenue", "", "", 100.0),
        ("2026-10-01", "revenue", "sales_team", "Team A", 30.0),
        ("2026-10-01", "revenue", "sales_team", "Team B", 20.0),
        ("2026-10-01", "sql", "sales_team", "Team A", 5.0),
        ("2026-11-01", "revenue", "sales_team", "Team A", 31.0),
    ]
    frame = pd.DataFrame(rows, columns=["month", "metric", "segment_key", "segment_value", "value"])
    return Targets(frame, source="test")


def test_scoped_targets_put_the_segment_in_place_of_the_company():
    targets = _targets()
    nov = parse_period("2026-11", calendar=CAL)
    team_a = targets.scoped("sales_team", ["Team A"])
    assert team_a.for_period("revenue", OCT.start, OCT.end) == 30.0
    assert team_a.for_period("sql", OCT.start, OCT.end) == 5.0
    assert team_a.for_period("revenue", nov.start, nov.end) == 31.0
    # its own segment rows stay (for breakdowns inside the pack); other teams' go
    assert team_a.for_period("revenue", OCT.start, OCT.end, segment=("sales_team", "Team A")) == 30
    assert (
        team_a.for_period("revenue", OCT.start, OCT.end, segment=("sales_team", "Team B")) is None
    )
    # a group sums its values where every value has a target, and has none elsewhere
    both = targets.scoped("sales_team", ["Team A", "Team B"])
    assert both.for_period("revenue", OCT.start, OCT.end) == 50.0
    assert both.for_period("sql", OCT.start, OCT.end) is None
    assert both.for_period("revenue", nov.start, nov.end) is None
    # a segment without targets has none: never the company's
    assert targets.scoped("region", ["kanto"]).for_period("revenue", OCT.start, OCT.end) is None
    assert targets.for_period("revenue", OCT.start, OCT.end) == 100.0  # the original is unchanged


# --- the sample company: a team's pack against plain pandas -----------------------------------


def test_a_team_review_counts_what_pandas_counts_on_the_raw_tables(sample_workspace, sample_tables):
    review = open_review(
        "monthly", workspace=str(sample_workspace.root), as_of="2026-11-23", lang="en",
        segment="sales_team=Team B",
    )  # fmt: skip
    assert review.period.label == "2026-10"
    card = review.scorecard().set_index("metric")
    leads, opps = sample_tables["leads"], sample_tables["opportunities"]
    identity = review.con.execute("SELECT lead_id, person_id FROM lead_identity").df()
    person = leads[["lead_id", "created_at", "sales_team"]].merge(identity, how="left")
    person["person_id"] = person["person_id"].fillna(person["lead_id"])
    canonical = person[person["person_id"] == person["lead_id"]].set_index("lead_id")["sales_team"]
    person["team"] = person["person_id"].map(canonical)
    team_b = person[person["team"] == "Team B"]
    first = team_b.groupby("person_id")["created_at"].min().dt.tz_convert(JST)
    october = (first >= pd.Timestamp("2026-10-01", tz=JST)) & (
        first < pd.Timestamp("2026-11-01", tz=JST)
    )
    assert card.loc["lead", "actual"] == october.sum()
    opps = opps.merge(person[["lead_id", "team"]], on="lead_id", how="left")
    closed = opps["closed_at"].dt.tz_convert(JST)
    won = opps[(opps["team"] == "Team B") & opps["is_won"].fillna(False).astype(bool)
               & (closed >= pd.Timestamp("2026-10-01", tz=JST))
               & (closed < pd.Timestamp("2026-11-01", tz=JST))]  # fmt: skip
    assert card.loc["revenue", "actual"] == pytest.approx(float(won["amount"].sum()))
    # Team B's own target, not the company's
    assert card.loc["revenue", "target"] == review.targets.for_period("revenue", OCT.start, OCT.end)
    assert (
        card.loc["revenue", "target"]
        != open_review(
            "monthly", workspace=str(sample_workspace.root), as_of="2026-11-23", lang="en"
        )
        .scorecard()
        .set_index("metric")
        .loc["revenue", "target"]
    )
    header = review.header()
    assert "sales team: Team B" in header.text
    assert 'data-segment="sales_team=Team B"' in header.html


def test_a_segment_no_lead_has_is_refused_with_the_values_there_are(sample_workspace):
    with pytest.raises(ParameterError, match="its values include 'Team A', 'Team B', 'Team C'"):
        open_review(
            "weekly", workspace=str(sample_workspace.root), as_of="2026-11-23",
            segment="sales_team=Team Z",
        )  # fmt: skip


def test_check_scope_accepts_values_the_store_has(sample_con):
    check_scope(sample_con, Scope("channel", ("referral", "webinar")))
    with pytest.raises(ParameterError, match="channel='tv'"):
        check_scope(sample_con, Scope("channel", ("referral", "tv")))


# --- what a batch hashes ----------------------------------------------------------------------


def test_the_data_hash_moves_with_what_the_scope_can_see_and_only_with_that(con):
    tiny_store(con)
    team = parse_scope("channel=referral")
    other = parse_scope("channel=webinar")
    before = {s: data_hash(con, cutoff=CUTOFF, scope=s) for s in (None, team, other)}
    assert len(set(before.values())) == 3
    # a referral person's event after the cut-off: nothing changes
    con.execute("INSERT INTO stage_events VALUES ('S1', 'won', ?, 'test')",
                [CUTOFF + dt.timedelta(days=1)])  # fmt: skip
    assert {s: data_hash(con, cutoff=CUTOFF, scope=s) for s in before} == before
    # before the cut-off: the referral scope and the whole company change, webinar does not
    con.execute("INSERT INTO stage_events VALUES ('S2', 'won', ?, 'test')",
                [CUTOFF - dt.timedelta(days=1)])  # fmt: skip
    after = {s: data_hash(con, cutoff=CUTOFF, scope=s) for s in before}
    assert after[None] != before[None]
    assert after[team] != before[team]
    assert after[other] == before[other]
    # a changed attribute of a row counts, not only new rows
    con.execute("UPDATE leads SET industry = 'retail' WHERE lead_id = 'W1'")
    assert data_hash(con, cutoff=CUTOFF, scope=other) != after[other]


def test_targets_hash_and_digest_are_stable_and_sensitive():
    targets = _targets()
    assert targets_hash(targets) == targets_hash(_targets())
    a = targets.scoped("sales_team", ["Team A"])
    b = targets.scoped("sales_team", ["Team B"])
    assert targets_hash(a) != targets_hash(b)
    inputs = {"data": "1", "template": "2"}
    assert inputs_digest(inputs) == inputs_digest(dict(reversed(inputs.items())))
    assert inputs_digest(inputs) != inputs_digest({**inputs, "data": "3"})


def test_a_value_with_contact_data_gets_a_stable_folder_name_that_shows_none_of_it():
    first = parse_scope("sales_team=担当はjohn@example.comです")
    second = parse_scope("sales_team=ユーザー@例え.jp")
    assert first.slug.startswith("sales_team-redacted-") and len(first.slug) == 30
    assert first.slug == parse_scope("sales_team=担当はjohn@example.comです").slug  # stable
    assert first.slug != second.slug  # two such segments keep two folders
    for part in ("john", "example", "ユーザー", "担当"):
        assert part not in first.slug + second.slug
    named = parse_scope("region=kanto,kansai", name="call 0312345678")
    assert named.slug.startswith("region-redacted-")
    assert parse_scope("region=kanto").slug == "region-kanto"  # ordinary values: as before
