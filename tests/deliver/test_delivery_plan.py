"""Who gets which pack: the plan, the once-only log, and the site laid out per audience."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from delivery_packs import write_pack

from reviewkit.deliver.config import load_delivery
from reviewkit.deliver.log import LogRow, record, sent_keys
from reviewkit.deliver.plan import PackRef, plan_sends
from reviewkit.deliver.site import job_of, publish_site
from reviewkit.errors import ParameterError
from reviewkit.pack.schedule import load_schedule
from reviewkit.store.schema import connect

SCHEDULE = """\
packs:
  - name: company
    cadences: [monthly]
    langs: [ja, en]
  - name: teams
    cadences: [monthly]
    langs: [ja]
    segments:
      sales_team: [Team A, Team B]
"""

DELIVERY = """\
site:
  url: https://reviews.example.com/packs/
  dir: {site}
smtp:
  host: 127.0.0.1
  sender: reviewkit@example.com
audiences:
  - name: managers
    packs: company
    langs: [en]
    email: [ceo@example.com, cfo@example.com]
    slack: SLACK_WEBHOOK_MANAGERS
    attach: link
  - name: team-a
    packs: teams
    segments: [Team A]
    email: [a@example.com]
  - name: team-b
    packs: teams
    segments: [Team B]
    teams: TEAMS_WEBHOOK_B
"""


@pytest.fixture
def setup(tmp_path: Path):
    params = tmp_path / "ws" / "params"
    params.mkdir(parents=True)
    (params / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    (params / "delivery.yml").write_text(DELIVERY.format(site=tmp_path / "site"), "utf-8")
    jobs = load_schedule(
        params / "schedule.yml", default_lang="ja", templates=(), dimensions=("sales_team",)
    )
    config = load_delivery(params / "delivery.yml", jobs=jobs, default_lang="ja")
    out = tmp_path / "outputs"
    refs = [write_pack(out, j.name, fingerprint=f"fp-{j.name}") for j in jobs]
    return config, out, refs


def test_each_pack_goes_to_its_audiences_on_each_channel(setup):
    config, out, refs = setup
    sends = plan_sends(refs, config, out=out)
    got = [(s.ref.job, s.audience.name, s.channel, tuple(s.recipients)) for s in sends]
    assert got == [
        ("monthly/company/en", "managers", "email", ("ceo@example.com", "cfo@example.com")),
        ("monthly/company/en", "managers", "slack", ("SLACK_WEBHOOK_MANAGERS",)),
        ("monthly/sales_team-team-a/ja", "team-a", "email", ("a@example.com",)),
        ("monthly/sales_team-team-b/ja", "team-b", "teams", ("TEAMS_WEBHOOK_B",)),
    ]
    managers = sends[0].message
    assert managers.link == (
        "https://reviews.example.com/packs/managers/monthly/2026-10/en/pack.html"
    )
    assert managers.sentences == ("Revenue reached 80% of target.", "MQL→SQL fell 5 pts.")
    assert [k.status_text for k in managers.kpis] == ["✓ Met", "✕ Missed"]
    assert managers.fingerprint == "fp-monthly/company/en"
    assert sends[2].message.scope == "Sales team: Team A"


def test_a_failed_pack_and_a_vanished_pack_are_never_planned(setup):
    config, out, refs = setup
    failed = [
        PackRef(r.job, "failed", r.pack, "kernel died") if "team-a" in r.job else r for r in refs
    ]
    (out / refs[0].pack).unlink()  # monthly/company/ja: no audience anyway
    (out / next(r.pack for r in refs if r.job == "monthly/company/en")).unlink()
    jobs = {s.ref.job for s in plan_sends(failed, config, out=out)}
    assert jobs == {"monthly/sales_team-team-b/ja"}


def test_what_was_sent_for_a_fingerprint_is_not_sent_again(setup):
    config, out, refs = setup
    con = connect(":memory:")
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    rows = [
        LogRow(
            "fp-monthly/company/en",
            "monthly/company/en",
            "2026-10",
            "managers",
            "email",
            "ceo@example.com",
            "sent",
            1,
            "",
            now,
        ),
        LogRow(
            "fp-monthly/company/en",
            "monthly/company/en",
            "2026-10",
            "managers",
            "email",
            "cfo@example.com",
            "failed",
            4,
            "SMTP down",
            now,
        ),
        LogRow(
            "old-fingerprint",
            "monthly/sales_team-team-a/ja",
            "2026-10",
            "team-a",
            "email",
            "a@example.com",
            "sent",
            1,
            "",
            now,
        ),
    ]
    assert record(con, rows) == 3
    sent = sent_keys(con, ["fp-monthly/company/en", "fp-monthly/sales_team-team-a/ja"])
    assert sent == {("fp-monthly/company/en", "managers", "email", "ceo@example.com")}
    sends = plan_sends(refs, config, out=out, sent=sent)
    email = sends[0]
    assert (email.recipients, email.already) == (["cfo@example.com"], ["ceo@example.com"])
    # a pack rebuilt from new inputs (new fingerprint) goes again
    assert sends[2].recipients == ["a@example.com"]
    again = plan_sends(refs, config, out=out, sent=sent, redeliver=True)
    assert again[0].recipients == ["ceo@example.com", "cfo@example.com"]


def test_the_site_gives_each_audience_only_its_packs_with_its_own_index(setup, tmp_path):
    config, out, _ = setup
    report = publish_site(out, tmp_path / "site", config, lang="en", timezone="UTC")
    assert report.packs == {"managers": 1, "team-a": 1, "team-b": 1}
    site = tmp_path / "site"
    assert sorted(p.name for p in site.iterdir()) == ["managers", "team-a", "team-b"]
    for audience, job in (
        ("managers", "monthly/company/en"),
        ("team-a", "monthly/sales_team-team-a/ja"),
        ("team-b", "monthly/sales_team-team-b/ja"),
    ):
        packs = sorted((site / audience).rglob("pack.html"))
        assert len(packs) == 1
        assert job_of(json.loads((packs[0].parent / "manifest.json").read_text("utf-8"))) == job
        index = (site / audience / "index.html").read_text(encoding="utf-8")
        others = {"team-a", "team-b"} - {audience}
        for other in others:
            assert other not in index and other.replace("-", "_") not in index
        assert "Team" in index or audience == "managers"
    assert not (site / "index.html").exists()  # nothing lists every audience
    # a second publish swaps folders whole and keeps the same content
    publish_site(out, site, config, lang="en", timezone="UTC")
    assert sorted(p.name for p in site.iterdir()) == ["managers", "team-a", "team-b"]


def test_a_site_inside_the_output_folder_is_refused(setup):
    config, out, _ = setup
    with pytest.raises(ParameterError, match="overlap; publish to a folder outside outputs/"):
        publish_site(out, out / "site", config, lang="en", timezone="UTC")


def test_a_rebuilt_pack_of_a_delivered_period_goes_again_only_with_resend_build(setup, tmp_path):
    config, out, refs = setup
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    # yesterday's build of the same period reached team-a; today's batch rebuilt it (new date)
    periods = {("monthly/sales_team-team-a/ja", "2026-10", "team-a", "email", "a@example.com")}
    con = connect(":memory:")
    record(con, [LogRow("yesterday", "monthly/sales_team-team-a/ja", "2026-10", "team-a",
                        "email", "a@example.com", "sent", 1, "", now)])  # fmt: skip
    from reviewkit.deliver.log import sent_periods

    assert sent_periods(con, ["monthly/sales_team-team-a/ja", "monthly/company/en"]) == periods
    team_a = [s for s in plan_sends(refs, config, out=out, periods=periods)
              if s.audience.name == "team-a"]  # fmt: skip
    assert (team_a[0].recipients, team_a[0].already) == ([], ["a@example.com"])
    text = (tmp_path / "ws" / "params" / "delivery.yml").read_text("utf-8")
    path = tmp_path / "ws" / "params" / "delivery.yml"
    path.write_text(
        text.replace(
            "    email: [a@example.com]\n", "    email: [a@example.com]\n    resend: build\n"
        ),
        "utf-8",
    )
    jobs = load_schedule(path.parent / "schedule.yml", default_lang="ja", templates=(),
                         dimensions=("sales_team",))  # fmt: skip
    every = load_delivery(path, jobs=jobs, default_lang="ja")
    team_a = [s for s in plan_sends(refs, every, out=out, periods=periods)
              if s.audience.name == "team-a"]  # fmt: skip
    assert team_a[0].recipients == ["a@example.com"]
    # the next period's pack is new to everyone
    november = write_pack(out, "monthly/sales_team-team-a/ja", fingerprint="nov", period="2026-11")
    team_a = [s for s in plan_sends([november], config, out=out, periods=periods)
              if s.audience.name == "team-a"]  # fmt: skip
    assert team_a[0].recipients == ["a@example.com"]
