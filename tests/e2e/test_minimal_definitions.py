"""No run fails on a configuration that `reviewkit validate` passed.

Deliberately minimal or unusual definitions, each validated and then built into the weekly,
monthly and quarterly packs (one language; the other is covered by the zoo matrix):

- two stages, no ``kgi:`` (the count of the last stage), no ``metrics:``, no targets;
- stage keys that are not lead/mql/sql/opportunity/won, one of them a score rule;
- seven stages with a revenue KGI whose average deal size is not declared;
- a revenue KGI over a store without amounts (validate warns; the packs say so).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from builders import DEMO_DATE, run_cli

from reviewkit.ingest.sample import zoo

TEXT = {"ja": "テスト", "en": "Test"}
SCHEDULE = (
    "packs:\n  - name: company\n    cadences: [weekly, monthly, quarterly]\n    langs: [en]\n"
)


def stage(key: str, *, event: str | None = None, rule: str | None = None) -> dict:
    out = {"key": key, "label": {"ja": key, "en": key.title()}, "owner": "sales",
           "description": TEXT}  # fmt: skip
    out.update({"rule": rule} if rule else {"event": event or key})
    return out


def revenue_kgi() -> dict:
    return {"key": "revenue", "label": {"ja": "売上", "en": "Revenue"}, "owner": "sales",
            "description": TEXT}  # fmt: skip


BASE = {"version": "min", "agreed_by": ["sales"], "agreed_on": "2026-01-01"}
VARIANTS = {
    "two_stages_nothing_else": {**BASE, "stages": [stage("lead"), stage("won")]},
    "own_stage_keys": {
        **BASE,
        "stages": [
            stage("inquiry", event="lead"),
            stage("qualified", rule="score >= 60"),
            stage("customer", event="won"),
        ],
        "kgi": revenue_kgi(),
    },
    "seven_stages": {
        **BASE,
        "stages": [
            stage("lead"),
            stage("mql"),
            stage("sal", event="sql"),
            stage("sql"),
            stage("opportunity"),
            stage("proposal", event="opportunity"),
            stage("won"),
        ],
        "kgi": revenue_kgi(),
        "metrics": [
            {"key": "win_rate", "type": "win_rate"},
            {"key": "sla", "type": "sla", "from": "sal", "within": "48h"},
        ],
    },
}


def workspace(root: Path, store: Path, definitions: dict) -> Path:
    done = run_cli("init", str(root), "--country", "JP", "--lang", "en")
    assert done.returncode == 0, done.stderr
    shutil.copy(store, root / "data" / "reviewkit.duckdb")
    (root / "params" / "definitions.yml").write_text(
        yaml.safe_dump(definitions, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (root / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    return root


def build(root: Path, as_of: str) -> tuple[str, str]:
    checked = run_cli("validate", "--workspace", str(root))
    assert checked.returncode == 0, checked.stderr
    built = run_cli("batch", "--workspace", str(root), "--as-of", as_of, "--jobs", "2")
    assert built.returncode == 0, built.stdout + built.stderr
    assert not list((root / "outputs").glob("_failed/**/notebook.ipynb"))
    assert len(list((root / "outputs").glob("*/*/pack.html"))) == 3
    return checked.stderr, built.stdout


@pytest.mark.integration
@pytest.mark.parametrize("name", VARIANTS)
def test_minimal_definitions_build_every_template(sample_workspace, tmp_path, name):
    root = workspace(tmp_path / name, sample_workspace.store_path, VARIANTS[name])
    build(root, DEMO_DATE)


@pytest.mark.integration
def test_a_revenue_kgi_without_amounts_is_warned_and_still_builds(tmp_path):
    company = zoo.generate("brazil")
    zoo.write_workspace("brazil", tmp_path / "brazil", company=company)
    definitions = {
        **BASE,
        "stages": [stage("mql", event="mql"), stage("won", event="won")],
        "kgi": revenue_kgi(),
    }
    root = workspace(
        tmp_path / "ws", tmp_path / "brazil" / "data" / "reviewkit.duckdb", definitions
    )
    warnings, _ = build(root, str(company.truth["review"]["as_of"]))
    assert "kgi: revenue, but no deal in the store has an amount" in warnings
