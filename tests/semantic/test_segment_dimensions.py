"""Segment dimensions the definitions add (``segments:``): validation, SQL, counts, scopes, labels.

A tiny hand-made store whose leads carry a company size and a score; the added dimension
``account_tier`` (large -> enterprise, mid -> mid_market, else smb) must count exactly as a
plain pandas classification of the same leads does, filter a funnel, scope a pack and be
listed with its SQL in the glossary.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import CUTOFF, OCT, SEP, TZ, Cells, run_cli, tiered, tiny_definitions, write_store

from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import load_definitions
from reviewkit.model.labels import dimension_label
from reviewkit.model.scope import check_scope, parse_scope
from reviewkit.pack.fingerprint import data_hash
from reviewkit.pack.schedule import load_schedule
from reviewkit.present.glossary import glossary_table
from reviewkit.present.sections.causes import left_out_line
from reviewkit.review.open import open_review
from reviewkit.semantic.funnel import Funnel

# lead, company size, score, MQL day (lead entered an hour earlier), SQL day
PEOPLE = [
    ("A1", "large", 10, "2026-10-02 10:00", "2026-10-04 10:00"),
    ("A2", "large", 50, "2026-10-03 10:00", None),
    ("A3", "mid", 20, "2026-10-05 10:00", "2026-10-06 10:00"),
    ("A4", "small", 95, "2026-10-06 10:00", "2026-10-07 10:00"),  # mid_market by score
    ("A5", "small", 10, "2026-10-07 10:00", None),
    ("A6", None, None, "2026-10-08 10:00", None),  # no size, no score: smb
    ("B1", "large", 10, "2026-09-02 10:00", "2026-09-03 10:00"),
    ("B2", "micro", 10, "2026-09-04 10:00", None),
]


def tier_of(size: object, score: object) -> str:
    """The rules of TIER, written again in plain Python."""
    if size == "large":
        return "enterprise"
    if size == "mid" or (score is not None and score >= 90):
        return "mid_market"
    return "smb"


@pytest.fixture
def store(con):
    leads = [{"lead_id": p, "company_size": size} for p, size, *_ in PEOPLE]
    events = []
    for p, _, _, mql, sql in PEOPLE:
        day = pd.Timestamp(mql).tz_localize(TZ)
        events += [(p, "lead", day - pd.Timedelta(hours=1)), (p, "mql", day)]
        if sql:
            events.append((p, "sql", pd.Timestamp(sql).tz_localize(TZ)))
    write_store(con, leads, events)
    scores = {p: score for p, _, score, *_ in PEOPLE}
    for lead, score in scores.items():
        con.execute("UPDATE leads SET score = ? WHERE lead_id = ?", [score, lead])
    return con


def funnel(con, **options: object) -> Funnel:
    return Funnel(con, tiered(), timezone=TZ, cutoff=CUTOFF, **options)


def test_the_dimension_compiles_to_one_case_over_the_lead_columns():
    sql = tiered().segment("account_tier").sql("l")
    assert sql == (
        "CASE WHEN (coalesce(l.\"company_size\" = 'large', FALSE)) THEN 'enterprise' "
        'WHEN ((coalesce(l."company_size" = \'mid\', FALSE)) OR (coalesce(l."score" >= 90, '
        "FALSE))) THEN 'mid_market' ELSE 'smb' END"
    )
    assert tiered().dimensions[-1] == "account_tier"
    assert tiered(otherwise=None).segment("account_tier").sql("x").endswith("ELSE NULL END")


def test_counts_by_the_added_dimension_match_a_plain_classification(store):
    got = funnel(store).metric_frame(["mql", "sql"], [OCT, SEP], by=["account_tier"])
    raw = pd.DataFrame(PEOPLE, columns=["lead", "size", "score", "mql", "sql"])
    raw["tier"] = [tier_of(a, b) for a, b in zip(raw["size"], raw["score"], strict=True)]
    raw["score"] = raw["score"].astype(object)
    for period, prefix in ((OCT, "2026-10"), (SEP, "2026-09")):
        mine = raw[raw["mql"].str.startswith(prefix)]
        for stage, column in (("mql", "mql"), ("sql", "sql")):
            expected = mine[mine[column].notna()].groupby("tier").size().to_dict()
            rows = got[(got["period"] == period.label) & (got["metric"] == stage)]
            counted = {
                k: int(v) for k, v in zip(rows["account_tier"], rows["value"], strict=True) if v
            }
            assert counted == expected, (period.label, stage)
    october = got[(got["period"] == "2026-10") & (got["metric"] == "mql")]
    assert dict(zip(october["account_tier"], october["value"], strict=True)) == {
        "enterprise": 2, "mid_market": 2, "smb": 2,
    }  # fmt: skip


def test_a_filter_and_a_scope_on_the_added_dimension_keep_only_its_people(store):
    filtered = funnel(store).metric_frame(["mql"], [OCT], segment={"account_tier": "mid_market"})
    assert filtered["value"].tolist() == [2]  # A3 (mid) and A4 (score 95)
    scoped = funnel(store, scope={"account_tier": ["enterprise"]})
    frame = scoped.metric_frame(["mql", "sql"], [OCT])
    assert dict(zip(frame["metric"], frame["value"], strict=True)) == {"mql": 2, "sql": 1}
    entries = scoped.entries(["mql"], start=OCT.start, end=OCT.end)
    assert sorted(entries["person_id"]) == ["A1", "A2"]
    assert set(entries["account_tier"]) == {"enterprise"}


def test_an_unknown_column_names_the_added_dimensions(store):
    with pytest.raises(ParameterError, match="account_tier"):
        funnel(store).metric_frame(["mql"], [OCT], by=["tier"])


def test_scopes_on_the_added_dimension_are_parsed_and_checked_against_the_store(store):
    columns = tiered().dimensions
    scope = parse_scope("account_tier=enterprise,smb", columns=columns)
    check_scope(store, scope, definitions=tiered())  # both values exist: no error
    with pytest.raises(ParameterError, match="account_tier"):
        parse_scope("account_tier=enterprise")  # the lead columns only, without definitions
    typo = parse_scope("account_tier=enterprize", columns=columns)
    with pytest.raises(ParameterError) as caught:
        check_scope(store, typo, definitions=tiered())
    assert "'enterprize'" in str(caught.value)
    assert "'enterprise', 'mid_market', 'smb'" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"key": "channel"}, "'channel' is already used by a lead column"),
        ({"key": "Tier"}, "'Tier' must be snake_case"),
        (
            {"values": [{"value": "a", "rule": "score > 1"}, {"value": "a", "rule": "score < 1"}]},
            "value 'a' is already given by values.0",
        ),
        ({"values": [{"value": "a", "rule": "colour == 'red'"}]}, "unknown column 'colour'"),
        ({"values": []}, "at least 1 item"),
    ],
)
def test_a_broken_dimension_is_refused_with_the_key_and_the_fix(changes, words):
    with pytest.raises(ValueError, match=words):
        tiered(**changes)


def test_a_broken_dimension_in_the_file_names_file_and_line(tmp_path, sample_workspace):
    root = tmp_path / "ws"
    shutil.copytree(sample_workspace.params_dir, root / "params")
    path = root / "params" / "definitions.yml"
    text = path.read_text(encoding="utf-8")
    extra = (
        "\nsegments:\n  - key: account_tier\n    label: {ja: a, en: a}\n"
        "    description: {ja: a, en: a}\n    values:\n"
        "      - value: big\n        rule: \"size == 'large'\"\n"
    )
    path.write_text(text + extra, encoding="utf-8")
    line = len(text.splitlines()) + 8
    with pytest.raises(ConfigError) as caught:
        load_definitions(path)
    message = str(caught.value)
    assert f"definitions.yml:{line}: segments.0.values.0.rule" in message
    assert "unknown column 'size'" in message


def test_the_glossary_lists_each_added_dimension_with_its_rules_and_sql():
    html = glossary_table(tiered(), lang="ja").html
    assert "定義で追加したセグメント" in html and "顧客ティア" in html
    assert "mid_market" in html and "score &gt;= 90" in html
    assert "CASE WHEN" in html and "どのルールにも当てはまらないリード" in html
    assert "Segments the definitions add" in glossary_table(tiered(), lang="en").html
    assert "segment_dimensions" not in glossary_table(tiny_definitions(), lang="en").html


def test_packs_label_the_added_dimension_in_both_languages(store):
    definitions = funnel(store).definitions
    assert dimension_label("account_tier", lang="ja", definitions=definitions) == "顧客ティア"
    assert dimension_label("account_tier", lang="en", definitions=definitions) == "Account tier"
    assert dimension_label("no_such_column", lang="en", definitions=definitions) == "no_such_column"
    line = left_out_line({"account_tier": 0}, lang="en", definitions=definitions)
    assert (
        line
        == "Left out of every split, drill-down and finding: Account tier (no lead has a value)."
    )
    with pytest.raises(KeyError):
        t("no.such.text", "en")


def test_the_data_hash_of_a_segment_on_an_added_dimension_sees_only_its_people(store):
    enterprise = parse_scope("account_tier=enterprise", columns=tiered().dimensions)
    smb = parse_scope("account_tier=smb", columns=tiered().dimensions)

    def hashes() -> dict[str, str]:
        return {
            scope.text: data_hash(store, cutoff=CUTOFF, scope=scope, definitions=tiered())
            for scope in (enterprise, smb)
        }

    before = hashes()
    store.execute("UPDATE stage_events SET entered_at = entered_at + INTERVAL 1 HOUR "
                  "WHERE lead_id = 'A1' AND stage = 'sql'")  # fmt: skip
    after = hashes()
    assert after[enterprise.text] != before[enterprise.text]  # A1 is enterprise
    assert after[smb.text] == before[smb.text]


def scorecard_cells(html: str) -> list[str]:
    """The text of the scorecard table's cells."""
    table = re.search(r"<table[^>]*rk-scorecard.*?</table>", html, re.DOTALL)
    assert table, "no scorecard in the pack"
    cells = Cells()
    cells.feed(table.group(0))
    return cells.cells


@pytest.fixture
def tiered_workspace(tmp_path, sample_workspace) -> Path:
    """A copy of the sample workspace whose definitions add ``account_tier``."""
    root = tmp_path / "ws"
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / sample_workspace.store_path.name)
    definitions_file = root / "params" / "definitions.yml"
    with definitions_file.open("a", encoding="utf-8") as out:
        out.write(
            Path(__file__).parents[1].joinpath("fixtures").joinpath("account_tier.yml").read_text()
        )
    return root


def test_a_segment_pack_and_a_schedule_on_an_added_dimension(tiered_workspace):
    root = tiered_workspace
    (root / "params" / "schedule.yml").write_text(
        "packs:\n  - cadences: [monthly]\n    segments:\n"
        "      account_tier: [enterprise]\n      company_size: [large]\n",
        encoding="utf-8",
    )
    jobs = load_schedule(root / "params" / "schedule.yml", default_lang="ja")
    assert [j.name for j in jobs] == ["monthly/account_tier-enterprise/ja",
                                      "monthly/company_size-large/ja"]  # fmt: skip
    validated = run_cli("validate", "--workspace", str(root))
    assert validated.returncode == 0, validated.stderr
    ran = run_cli("batch", "--as-of", "2026-11-23", "--workspace", str(root))
    assert ran.returncode == 0, ran.stderr
    packs = [root / "outputs" / "monthly" / "2026-10" / j / "pack.html"
             for j in ("account_tier-enterprise", "company_size-large")]  # fmt: skip
    tier, size = (p.read_text(encoding="utf-8") for p in packs)
    assert "顧客ティア: enterprise" in tier
    # the same people (enterprise = large): the same scorecard
    assert scorecard_cells(tier) == scorecard_cells(size)
    assert len(scorecard_cells(tier)) > 20
    typo = run_cli("run", "monthly", "--segment", "account_tier=enterprize",
                   "--as-of", "2026-11-23", "--workspace", str(root))  # fmt: skip
    assert typo.returncode == 2
    assert "'enterprize'" in typo.stderr and "'enterprise', 'mid_market', 'smb'" in typo.stderr


def test_a_review_of_the_sample_company_splits_and_scopes_by_an_added_dimension(
    tiered_workspace,
):
    root = tiered_workspace
    whole = open_review("monthly", workspace=str(root), as_of="2026-11-23", lang="en")
    split = whole.funnel.metric_frame(["lead"], [whole.period], by=["account_tier"])
    sizes = whole.funnel.metric_frame(["lead"], [whole.period], by=["company_size"])
    by_size = dict(zip(sizes["company_size"], sizes["value"], strict=True))
    by_tier = dict(zip(split["account_tier"], split["value"], strict=True))
    assert by_tier == {
        "enterprise": by_size["large"], "mid_market": by_size["mid"],
        "smb": by_size["small"] + by_size["micro"],
    }  # fmt: skip
    assert "Account tier" in whole.where().html
    team = open_review(
        "monthly", workspace=str(root), as_of="2026-11-23", lang="ja",
        segment="account_tier=enterprise",
    )  # fmt: skip
    leads = team.funnel.metric_frame(["lead"], [team.period])["value"].tolist()
    assert leads == [by_size["large"]]
    assert "顧客ティア: enterprise" in team.header().html
