"""docs/sync.md keeps up with the sync: its defaults, variables, examples, links and deploy units.

The page is in English and Japanese; each language must name every object and API property the
shipped default profiles read, every credential variable the sync code reads, and the HubSpot
scopes. Its YAML excerpts must load as sync objects with the funnel's stage keys, and the deploy
examples it describes (``deploy/reviewkit-sync.service``, the commented sync line of the cron
file) must say what it says.
"""

from __future__ import annotations

import configparser
import re
import shlex

import pytest
import yaml
from builders import REPO

from reviewkit.ingest.sync.spec import APIS, SyncSource, load_sync_source

DOC = (REPO / "docs" / "sync.md").read_text(encoding="utf-8")
ENGLISH, _, JAPANESE = DOC.partition("\n## 日本語\n")
LANGUAGES = {"en": ENGLISH, "ja": JAPANESE}
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
BRACES = re.compile(r"(\w*)\{([\w,]+)\}(\w*)")
VARIABLES = [
    "HUBSPOT_ACCESS_TOKEN", "HUBSPOT_REFRESH_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET",
    "HUBSPOT_API_BASE", "SALESFORCE_INSTANCE_URL", "SALESFORCE_ACCESS_TOKEN",
    "SALESFORCE_REFRESH_TOKEN", "SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_LOGIN_URL", "REVIEWKIT_CREDENTIALS",
]  # fmt: skip
SCOPES = [
    "crm.objects.contacts.read", "crm.objects.deals.read", "crm.objects.owners.read",
    "crm.schemas.contacts.read", "crm.schemas.deals.read", "crm.objects.calls.read",
    "crm.objects.emails.read", "crm.objects.meetings.read",
]  # fmt: skip
PLACEHOLDER = "/srv/reviewkit"


def code_spans(text: str) -> set[str]:
    """Every `code` span of ``text``, with ``a_{b,c}_d`` also read as ``a_b_d`` and ``a_c_d``."""
    spans = set(re.findall(r"`([^`\n]+)`", text))
    for span in list(spans):
        for match in BRACES.finditer(span):
            spans |= {f"{match[1]}{part}{match[3]}" for part in match[2].split(",")}
    return spans


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("api", APIS)
def test_every_default_object_and_property_is_in_both_languages(api, lang):
    spans = code_spans(LANGUAGES[lang])
    for spec in load_sync_source(api, workspace=None).specs():
        assert spec.name in spans, f"{lang}: {api} object {spec.name} is not in docs/sync.md"
        missing = [p for p in spec.properties if p not in spans]
        assert not missing, f"{lang}: {api} {spec.name} reads {missing}, not in docs/sync.md"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_variable_and_scope_is_in_both_languages(lang):
    read = set()
    for path in (REPO / "reviewkit" / "ingest" / "sync").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"[\"']((?:HUBSPOT|SALESFORCE|REVIEWKIT)_[A-Z_]+)[\"']", source))
    first_cells = re.findall(r"^\| ([^|]+) \|", LANGUAGES[lang], re.MULTILINE)
    table = {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}
    assert sorted(set(VARIABLES) - table) == []
    assert sorted(read - table) == [], "variables the sync reads that the table lacks"
    spans = code_spans(LANGUAGES[lang])
    assert sorted(set(SCOPES) - spans) == []


def test_the_yaml_excerpts_load_as_sync_objects_with_the_funnels_stages():
    definitions = yaml.safe_load((REPO / "params" / "definitions.yml").read_text("utf-8"))
    stage_keys = {s["key"] for s in definitions["stages"]}
    excerpts = [b for b in YAML_BLOCK.findall(DOC) if b.startswith("# params/sources/sync/")]
    assert len(excerpts) == 4  # HubSpot and Salesforce, in each language
    for block in excerpts:
        api = re.match(r"# params/sources/sync/(\w+)\.yml", block)
        assert api and api[1] in APIS
        source = SyncSource.model_validate(
            {"name": api[1], "api": api[1], "objects": yaml.safe_load(block)}
        )
        for spec in source.specs():
            assert set(spec.profile.stages) <= stage_keys, spec.profile.stages


def test_the_page_is_linked_and_its_links_lead_somewhere():
    assert "](docs/sync.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "](sync.md)" in (REPO / "docs" / "import.md").read_text(encoding="utf-8")
    assert DOC.count("\n## English\n") == 1 and JAPANESE
    for target, anchor in re.findall(r"\]\(([\w./-]*?)(?:#([^)]+))?\)", DOC):
        if target.startswith("http"):
            continue
        page = REPO / "docs" / target if target else REPO / "docs" / "sync.md"
        assert page.is_file(), target
        if anchor:
            assert anchor in anchors(page.read_text(encoding="utf-8")), f"{target}#{anchor}"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((REPO / "deploy" / name).read_text(encoding="utf-8"))
    return parser


def test_the_sync_unit_runs_every_source_with_the_network_before_the_batch():
    unit = _unit("reviewkit-sync.service")
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert service["WorkingDirectory"] == PLACEHOLDER
    assert shlex.split(service["ExecStart"]) == [
        f"{PLACEHOLDER}/.venv/bin/reviewkit",
        "sync",
        "all",
    ]
    assert "PrivateNetwork" not in service  # the APIs are on the internet
    assert unit["Unit"]["After"] == "network-online.target"
    assert service["User"] == _unit("reviewkit-batch.service")["Service"]["User"]
    batch = (REPO / "deploy" / "reviewkit-batch.service").read_text(encoding="utf-8")
    for line in ("# Requires=reviewkit-sync.service", "# After=reviewkit-sync.service"):
        assert line in batch.splitlines()
        assert all(line[2:] in text for text in LANGUAGES.values())  # which lines to uncomment


def test_the_cron_file_offers_the_sync_line_at_the_batchs_time():
    lines = (REPO / "deploy" / "reviewkit-batch.cron").read_text(encoding="utf-8").splitlines()
    active = next(line for line in lines if line[:1].isdigit())
    synced = next(line[2:] for line in lines if line.startswith("# ") and "sync all" in line)
    assert synced.split()[:5] == active.split()[:5]
    assert "%" not in synced  # cron would make it a newline
    command = synced.split(None, 5)[5]
    assert command.startswith(f"cd {PLACEHOLDER} && ")
    assert " .venv/bin/reviewkit sync all " in command and " && timeout 2h " in command
    assert command.endswith(active.split(None, 5)[5].split(" && ", 1)[1])  # the same batch
    assert synced in DOC  # the line the page shows is the file's
