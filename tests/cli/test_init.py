"""`reviewkit init DIR`: a workspace for a company's own data, nothing of the sample company."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from builders import REPO, one_line, run_cli

from reviewkit.analysis.benchmarks import load_benchmarks
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.model.actions_file import load_actions
from reviewkit.model.definitions import load_definitions
from reviewkit.model.onboarding import company_settings, init_company_workspace
from reviewkit.model.targets import load_targets
from reviewkit.pack.schedule import load_schedule


def test_the_company_s_settings_are_written_and_every_file_validates(tmp_path):
    settings = company_settings(company="Acme GmbH", country="de")
    ws = init_company_workspace(tmp_path / "acme", settings, today=dt.date(2026, 11, 1))
    config = ws.config
    assert (config.company.en, config.currency, config.timezone, config.lang) == (
        "Acme GmbH", "EUR", "Europe/Berlin", "en",
    )  # fmt: skip
    assert config.fiscal_year_start_month == 1
    text = (ws.params_dir / "workspace.yml").read_text(encoding="utf-8")
    # the calendar keys are there for the user to uncomment
    assert "country: DE" in text and "week_start: monday" in text
    definitions = load_definitions(ws)
    assert definitions.stage_keys == ["lead", "opportunity", "won"]
    assert definitions.currency == "EUR" and definitions.kgi.key == "revenue"
    assert load_targets(ws, definitions=definitions).frame.empty
    assert len(load_benchmarks(ws, definitions=definitions)) == 0
    assert len(load_actions(ws, definitions=definitions)) == 0
    jobs = load_schedule(ws.params_dir / "schedule.yml", default_lang=config.lang)
    assert sorted(job.name for job in jobs) == ["monthly/company/en", "quarterly/company/en",
                                               "weekly/company/en"]  # fmt: skip
    assert (ws.root / "data").is_dir() and (ws.root / "outputs").is_dir()
    examples = ws.params_dir / "sources" / "examples"
    assert (examples / "generic-campaign-costs.yml").is_file()
    assert (examples / "generic-activities.yml").is_file()


def test_nothing_of_the_sample_company_is_copied(tmp_path):
    ws = init_company_workspace(tmp_path / "acme", company_settings(company="Acme"))
    sample = REPO / "params"
    for name in ("targets.yml", "benchmarks.yml", "actions.yml", "schedule.yml"):
        mine = (ws.params_dir / name).read_text(encoding="utf-8")
        assert mine != (sample / name).read_text(encoding="utf-8")
        data = yaml.safe_load(mine) or {}
        # no sample targets, benchmarks, actions or team packs
        assert not data.get("company") and not data.get("segments")
        assert not data.get("benchmarks") and not data.get("actions")
        assert "Team A" not in str(data) and "サンプル" not in mine
    packs = yaml.safe_load((ws.params_dir / "schedule.yml").read_text(encoding="utf-8"))["packs"]
    assert [p["name"] for p in packs] == ["company"] and "segments" not in packs[0]


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("JP", ("JPY", "Asia/Tokyo", "ja", 4)),
        ("US", ("USD", "America/New_York", "en", 1)),
        ("BR", ("BRL", "America/Sao_Paulo", "en", 1)),
        ("GB", ("GBP", "Europe/London", "en", 4)),
        ("IN", ("INR", "Asia/Kolkata", "en", 4)),
    ],
)
def test_defaults_follow_the_country(country, expected):
    got = company_settings(company="X", country=country)
    assert (got.currency, got.timezone, got.lang, got.fiscal_year_start_month) == expected


def test_given_options_win_and_months_have_names():
    got = company_settings(
        company="  Acme   Corp ", country="US", currency="eur", timezone="Europe/Paris",
        lang="JA", fiscal_year_start="apr",
    )  # fmt: skip
    assert got == type(got)("Acme Corp", "EUR", "US", "Europe/Paris", "ja", 4)
    assert company_settings(company="X", fiscal_year_start="10").fiscal_year_start_month == 10


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"country": "XX"}, "--country: 'XX' is not an ISO 3166 country code"),
        ({"currency": "YEN"}, "--currency: 'YEN' is not an ISO 4217 currency code"),
        ({"timezone": "Mars/Base"}, "--timezone: 'Mars/Base' is not an IANA time zone"),
        ({"lang": "de"}, "--lang: 'de' is not a pack language; use ja or en"),
        ({"fiscal_year_start": "13"}, "--fiscal-year-start: '13' is not a month"),
        ({"company": " "}, "--company: the company's name is empty"),
        ({"country": "IS"}, "--currency: no default for country IS"),
    ],
)
def test_bad_options_are_refused_in_one_line(options, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        company_settings(**{"company": "X", **options})


def test_an_existing_workspace_is_not_overwritten(tmp_path):
    init_company_workspace(tmp_path / "acme", company_settings(company="Acme"))
    with pytest.raises(ConfigError, match="a workspace already exists there"):
        init_company_workspace(tmp_path / "acme", company_settings(company="Other"))


def test_the_command_prints_the_import_as_next_step_and_validate_passes(tmp_path):
    root = tmp_path / "acme reviews"
    made = run_cli("init", str(root), "--country", "US", "--company", "Acme Inc.")
    assert made.returncode == 0, made.stderr
    assert "reviewkit sample" not in made.stdout
    assert f"reviewkit profile draft exports/leads.csv --workspace '{root}'" in made.stdout
    assert "reviewkit import exports/leads.csv --profile leads --dry-run" in made.stdout
    checked = run_cli("validate", "--workspace", str(root))
    assert checked.returncode == 0, checked.stderr
    assert "3 stages" in checked.stdout and "schedule: 3 packs" in checked.stdout


def test_init_sample_keeps_the_demo_configuration(tmp_path):
    made = run_cli("init", str(tmp_path / "demo"), "--sample")
    assert made.returncode == 0, made.stderr
    assert "next: reviewkit sample --workspace" in made.stdout
    for name in ("targets.yml", "schedule.yml", "definitions.yml"):
        copied = (tmp_path / "demo" / "params" / name).read_text(encoding="utf-8")
        assert copied == (REPO / "params" / name).read_text(encoding="utf-8")
    refused = run_cli("init", str(tmp_path / "demo2"), "--sample", "--currency", "USD")
    assert refused.returncode == 2
    assert "--currency: not used with --sample" in one_line(refused.stderr)
    bad = run_cli("init", str(tmp_path / "x"), "--currency", "ZZZ")
    assert bad.returncode == 2 and "ISO 4217" in one_line(bad.stderr)
    assert not (tmp_path / "x").exists()
