"""params/delivery.yml: audiences resolved against the schedule, and every mistake in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewkit.deliver.config import load_delivery
from reviewkit.errors import ConfigError
from reviewkit.pack.schedule import load_schedule

PARAMS = Path(__file__).resolve().parents[2] / "params"

SCHEDULE = """\
packs:
  - name: company
    cadences: [weekly, monthly]
    langs: [ja, en]
  - name: teams
    cadences: [weekly, monthly]
    langs: [ja]
    segments:
      sales_team: [Team A, Team B]
  - name: groups
    cadences: [monthly]
    segments:
      channel:
        paid: [paid_search, display]
"""

BASE = """\
smtp:
  host: 127.0.0.1
  sender: reviewkit@example.com
audiences:
"""


def _jobs(tmp_path: Path, schedule: str = SCHEDULE) -> list:
    params = tmp_path / "params"
    params.mkdir(exist_ok=True)
    (params / "schedule.yml").write_text(schedule, encoding="utf-8")
    return load_schedule(
        params / "schedule.yml",
        default_lang="ja",
        templates=(),
        dimensions=("sales_team", "channel"),
    )


def _load(tmp_path: Path, audiences: str, *, head: str = BASE):
    jobs = _jobs(tmp_path)
    path = tmp_path / "params" / "delivery.yml"
    path.write_text(head + audiences, encoding="utf-8")
    return load_delivery(path, jobs=jobs, default_lang="ja")


def test_no_file_means_no_delivery(tmp_path):
    assert load_delivery(tmp_path / "delivery.yml", jobs=_jobs(tmp_path), default_lang="ja") is None


def test_audiences_receive_exactly_their_entry_segment_cadence_and_language(tmp_path):
    config = _load(
        tmp_path,
        """\
  - name: managers
    packs: company
    langs: [ja]
    email: boss@example.com
  - name: team-b
    packs: teams
    segments: [Team B]
    cadences: [monthly]
    email: [b@example.com]
  - name: directors
    packs: teams
    slack: SLACK_WEBHOOK_DIRECTORS
  - name: marketing
    packs: groups
    segments: paid
    teams: TEAMS_WEBHOOK_MKT
    attach: pdf
""",
    )
    by_name = {a.name: a for a in config.audiences}
    assert by_name["managers"].jobs == ("weekly/company/ja", "monthly/company/ja")
    assert by_name["managers"].email == ("boss@example.com",)
    assert by_name["team-b"].jobs == ("monthly/sales_team-team-b/ja",)
    assert set(by_name["directors"].jobs) == {
        "weekly/sales_team-team-a/ja",
        "monthly/sales_team-team-a/ja",
        "weekly/sales_team-team-b/ja",
        "monthly/sales_team-team-b/ja",
    }
    assert by_name["marketing"].jobs == ("monthly/channel-paid/ja",)
    assert by_name["marketing"].pdf  # attach: pdf prints one
    assert [a.name for a in config.audiences_of("monthly/sales_team-team-b/ja")] == [
        "team-b",
        "directors",
    ]
    assert config.audiences_of("monthly/company/en") == []


@pytest.mark.parametrize(
    ("audience", "line", "words"),
    [
        (
            "  - name: x\n    packs: nosuch\n    email: a@example.com\n",
            6,
            "'nosuch' is not an entry of schedule.yml; use one of company, groups, teams",
        ),
        (
            "  - name: x\n    packs: teams\n    segments: [Team C]\n    email: a@example.com\n",
            7,
            "'Team C' is not a segment the schedule builds for entry 'teams'; use Team A, Team B",
        ),
        (
            "  - name: x\n    packs: company\n    segments: [Team A]\n    email: a@example.com\n",
            7,
            "builds company packs only",
        ),
        (
            "  - name: x\n    packs: company\n    langs: [fr]\n    email: a@example.com\n",
            7,
            "'fr': entry 'company' builds no such pack; it builds en, ja",
        ),
        (
            "  - name: x\n    packs: groups\n    cadences: [weekly]\n    email: a@example.com\n",
            7,
            "'weekly': entry 'groups' builds no such pack; it builds monthly",
        ),
        (
            "  - name: x\n    packs: company\n    email: [a@example.com, not-an-address]\n",
            7,
            "'not-an-address' is not an e-mail address",
        ),
        (
            "  - name: x\n    packs: company\n    slack: https://hooks.slack.com/services/T/B/X\n",
            7,
            "not a URL (a webhook URL is a secret",
        ),
        ("  - name: x\n    packs: company\n", 5, "has no email, slack or teams"),
        (
            "  - name: x\n    packs: company\n    email: a@example.com\n"
            "  - name: x\n    packs: teams\n    email: b@example.com\n",
            8,
            "'x' is used twice",
        ),
        (
            "  - name: ../x\n    packs: company\n    email: a@example.com\n",
            5,
            "is not a folder name",
        ),
        (
            "  - name: x\n    packs: company\n    email: a@example.com\n    attach: link\n",
            8,
            "attach: link needs site.url",
        ),
        (
            "  - name: x\n    packs: company\n    email: a@example.com\n    attach: zip\n",
            8,
            "attach",
        ),
        (
            "  - name: x\n    packs: company\n    email: a@example.com\n    colour: red\n",
            8,
            "colour",
        ),
    ],
)
def test_a_mistake_names_the_file_line_and_key(tmp_path, audience, line, words):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, audience)
    message = str(caught.value)
    assert "\n" not in message
    assert f"delivery.yml:{line}:" in message, message
    assert words in message, message


def test_email_without_smtp_and_a_bad_site_url_are_refused(tmp_path):
    with pytest.raises(
        ConfigError, match=r"delivery.yml:4: audiences.0.email: e-mail needs an smtp"
    ):
        _load(
            tmp_path,
            "  - name: x\n    packs: company\n    email: a@example.com\n",
            head="audiences:\n",
        )
    with pytest.raises(ConfigError, match="is not a web address"):
        _load(
            tmp_path,
            "  - name: x\n    packs: company\n    slack: SLACK_X\n",
            head="site:\n  url: reviews.example.com\naudiences:\n",
        )
    with pytest.raises(ConfigError, match=r"operator.email.0: 'ops' is not an e-mail address"):
        _load(
            tmp_path,
            "  - name: x\n    packs: company\n    slack: SLACK_X\n",
            head=BASE.replace("audiences:", "operator:\n  email: [ops]\naudiences:"),
        )


def test_the_shipped_example_matches_the_sample_schedule(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    for name in ("schedule.yml", "definitions.yml"):
        shutil.copy(PARAMS / name, params / name)
    shutil.copy(PARAMS / "delivery.example.yml", params / "delivery.yml")
    jobs = load_schedule(params / "schedule.yml", default_lang="ja", templates=())
    config = load_delivery(params / "delivery.yml", jobs=jobs, default_lang="ja")
    by_name = {a.name: a for a in config.audiences}
    assert by_name["team-b"].jobs == tuple(
        f"{c}/sales_team-team-b/ja" for c in ("weekly", "monthly", "quarterly")
    )
    assert by_name["team-c"].jobs == tuple(
        f"{c}/sales_team-team-c/en" for c in ("weekly", "monthly", "quarterly")
    )
    assert by_name["managers"].jobs == tuple(
        f"{c}/company/ja" for c in ("weekly", "monthly", "quarterly")
    )
    assert len(by_name["marketing"].jobs) == 3
    # no team's audience receives another team's pack
    for team in ("a", "b", "c"):
        others = [j for j in by_name[f"team-{team}"].jobs if f"team-{team}/" not in j]
        assert others == []
