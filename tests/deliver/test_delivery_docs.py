"""docs/delivery.md keeps up with delivery: its keys, example, error lines, options and links.

The page is in English and Japanese with the same sections; each language must name every key
of ``params/delivery.yml`` (read from the pydantic models, with their defaults), its
``delivery.yml`` examples must load against the sample schedule, the ``validate`` errors it
quotes must be the ones reviewkit prints, every ``reviewkit`` option it names must exist, and
the pages that point to it (scheduling.md, guide-operator.md, README.md, architecture.md) must
say what it says about exit 3 and the deploy examples.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import REPO
from click.testing import CliRunner
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from reviewkit.cli.main import app
from reviewkit.deliver.config import (
    AudienceFile,
    DeliveryFile,
    OperatorFile,
    RetryFile,
    SiteFile,
    SmtpFile,
    load_delivery,
)
from reviewkit.errors import DELIVERY_EXIT, ConfigError
from reviewkit.pack.schedule import load_schedule

DOCS = REPO / "docs"
DOC = (DOCS / "delivery.md").read_text(encoding="utf-8")
ENGLISH, _, JAPANESE = DOC.partition("\n## 日本語\n")
LANGUAGES = {"en": ENGLISH, "ja": JAPANESE}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
SECTIONS: dict[str, type[BaseModel]] = {
    "site": SiteFile, "smtp": SmtpFile, "operator": OperatorFile, "retry": RetryFile,
}  # fmt: skip
EXAMPLE = REPO / "params" / "delivery.example.yml"
SHOWN_AT = "/srv/reviewkit/params/delivery.yml"
# the mistakes behind the error lines the page quotes, made in the example file
MISTAKES = {
    "segments.0": ("segments: [Team B]", "segments: [Team Z]"),
    "slack": ("slack: SLACK_WEBHOOK_MANAGERS", "slack: https://hooks.slack.com/services/T0/B0/X"),
    "security": ("security: starttls", "security: tls"),
}


def headings(text: str) -> list[int]:
    """The levels of a language's section headings, in order (its own ``##`` left out)."""
    return [len(m) for m in re.findall(r"^(#{3,6}) ", text, re.MULTILINE)]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def key_rows(text: str) -> dict[str, str]:
    """The key tables: first cell's code span -> the row's second cell (the default)."""
    rows = re.findall(r"^\| `([\w.]+)` \| ([^|]*) \|", text, re.MULTILINE)
    return {key: default.strip() for key, default in rows}


def shown_default(field: Any) -> str | None:
    """The default as the page writes it (``587``, ``false``, ``30``); None: none to show."""
    value = field.default
    if value is PydanticUndefined or value in ("", None) or field.default_factory is not None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fences(text: str, *kinds: str) -> list[str]:
    return [body for kind, body in FENCE.findall(text) if kind in kinds]


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A params/ folder with the sample schedule and the definitions it is checked with."""
    folder = tmp_path_factory.mktemp("ws") / "params"
    folder.mkdir()
    for name in ("schedule.yml", "definitions.yml"):
        shutil.copy(REPO / "params" / name, folder / name)
    return folder


def load(params: Path, text: str) -> Any:
    path = params / "delivery.yml"
    path.write_text(text, encoding="utf-8")
    jobs = load_schedule(params / "schedule.yml", default_lang="ja")
    return load_delivery(path, jobs=jobs, default_lang="ja")


def test_both_languages_have_the_same_sections_blocks_and_tables():
    assert DOC.startswith("# ") and "[English](#english) · [日本語](#日本語)" in DOC
    assert DOC.count("\n## English\n") == 1 and JAPANESE
    assert headings(ENGLISH) == headings(JAPANESE)
    assert len(headings(ENGLISH)) >= 9
    assert [k for k, _ in FENCE.findall(ENGLISH)] == [k for k, _ in FENCE.findall(JAPANESE)]
    tables = [len(re.findall(r"^\| --- \|", text, re.MULTILINE)) for text in LANGUAGES.values()]
    assert tables[0] == tables[1] >= 3  # the keys, an audience's keys, the exit codes
    assert key_rows(ENGLISH).keys() == key_rows(JAPANESE).keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_of_delivery_yml_is_in_both_languages_with_its_default(lang):
    rows = key_rows(LANGUAGES[lang])
    wanted = {f"{prefix}.{name}": field for prefix, model in SECTIONS.items()
              for name, field in model.model_fields.items()}  # fmt: skip
    wanted |= dict(AudienceFile.model_fields)
    wanted["audiences"] = DeliveryFile.model_fields["audiences"]
    assert sorted(set(wanted) - set(rows)) == [], f"{lang}: keys missing from the tables"
    assert set(DeliveryFile.model_fields) <= {k.split(".")[0] for k in rows}
    for key, field in wanted.items():
        if field.is_required():
            assert rows[key] in ("required", "必須"), f"{lang}: {key} is required: {rows[key]}"
        default = shown_default(field)
        if default is not None:
            assert f"`{default}`" in rows[key], f"{lang}: {key} default {default}: {rows[key]}"


def test_every_delivery_yml_on_the_page_loads_against_the_sample_schedule(params):
    examples = [b for b in fences(DOC, "yaml") if "audiences" in (yaml.safe_load(b) or {})]
    assert len(examples) == 2  # the complete example, in each language
    shipped = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for block in examples:
        assert yaml.safe_load(block) == shipped  # the page shows params/delivery.example.yml
        config = load(params, block)
        assert config is not None and len(config.audiences) == len(shipped["audiences"])
        jobs = {a.name: a.jobs for a in config.audiences}
        assert jobs["team-b"] == tuple(f"{c}/sales_team-team-b/ja"
                                       for c in ("weekly", "monthly", "quarterly"))  # fmt: skip
        assert len(jobs["marketing"]) == 3
        count = sum(len(j) for j in jobs.values())
        assert f"delivery: {len(jobs)} audiences, {count} pack deliveries per run" in DOC


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_validate_errors_on_the_page_are_what_reviewkit_says(params, lang):
    example = EXAMPLE.read_text(encoding="utf-8")
    quoted = re.findall(rf"^reviewkit: error: {SHOWN_AT}(:\d+: \S+: .+)$", LANGUAGES[lang],
                        re.MULTILINE)  # fmt: skip
    assert len(quoted) == len(MISTAKES)
    for line in quoted:
        key = next(k for k in MISTAKES if re.match(rf":\d+: [\w.]*{re.escape(k)}: ", line))
        good, bad = MISTAKES[key]
        assert example.count(good) == 1
        with pytest.raises(ConfigError) as caught:
            load(params, example.replace(good, bad))
        assert str(caught.value) == f"{params / 'delivery.yml'}{line}"


def _options(command: str) -> set[str]:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, (command, result.output)
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b", result.output))


def test_every_reviewkit_command_and_option_on_the_page_exists():
    code = "\n".join([*(body for _, body in FENCE.findall(DOC)),
                      *re.findall(r"`([^`\n]+)`", FENCE.sub("", DOC))])  # fmt: skip
    named: dict[str, set[str]] = {}
    for command, rest in re.findall(r"(?:^|[\s/])reviewkit ([a-z][\w-]*)((?: +[^\s`#|]+)*)",
                                    code, re.MULTILINE):  # fmt: skip
        named.setdefault(command, set()).update(re.findall(r"(?<!\S)(--?[a-zA-Z][\w-]*)", rest))
    assert {"batch", "deliver", "publish", "validate", "pdf"} <= set(named)
    missing = sorted(set(named) - set(app.commands))
    assert missing == [], "commands the page names that reviewkit lacks"
    for command, options in named.items():
        if command in app.commands:
            assert options <= _options(command), (command, options - _options(command))
    assert {"--no-deliver", "--redeliver"} <= _options("batch")
    assert {"--dry-run", "--only", "--redeliver"} <= _options("deliver")
    lone = set(re.findall(r"`(--[a-z][a-z-]*)`", DOC))  # options named in prose
    known = set().union(*(_options(c) for c in ("batch", "deliver", "publish")))
    assert lone <= known, lone - known


def test_exit_codes_on_the_page_and_in_the_scheduling_table():
    assert DELIVERY_EXIT == 3
    scheduling = (DOCS / "scheduling.md").read_text(encoding="utf-8")
    english, _, japanese = scheduling.partition("\n## 日本語\n")
    for text in (english, japanese):
        codes = set(re.findall(r"^\| (\d+) \|", text, re.MULTILINE))
        assert {"0", "1", "2", "3"} <= codes
        row = re.search(r"^\| 3 \|.*$", text, re.MULTILINE)
        assert row and "delivery.md" in row[0]
        assert "](delivery.md#" in text  # where failures show
    for text in LANGUAGES.values():
        listed = re.findall(r"^\| (\d) \|", text, re.MULTILINE)
        assert listed == ["0", "1", "2", "3"]
    operator = (DOCS / "guide-operator.md").read_text(encoding="utf-8")
    assert operator.count("](delivery.md") >= 4  # the intro and exit 3, in each language


def test_the_deploy_examples_hold_the_lines_the_page_tells_to_uncomment():
    service = (REPO / "deploy" / "reviewkit-batch.service").read_text(encoding="utf-8")
    ini = fences(DOC, "ini")
    assert len(ini) == 2 and ini[0] == ini[1]
    commented = [line for line in ini[0].splitlines() if line.startswith("# ")]
    assert commented and all(line in service.splitlines() for line in commented)
    assert "PrivateNetwork=yes" in service.splitlines() and "exit 3" in service.lower()
    exec_start = next(line for line in ini[0].splitlines() if line.startswith("ExecStart="))
    assert exec_start in service.splitlines()
    cron = (REPO / "deploy" / "reviewkit-batch.cron").read_text(encoding="utf-8")
    assert "# REVIEWKIT_CREDENTIALS=" in cron and "Exit 3" in cron
    schedules = [b for b in fences(DOC, "text") if b.startswith("30 6 * * 1-5 ")]
    assert len(schedules) == 2 and schedules[0] == schedules[1]
    for line in schedules[0].splitlines():  # the meeting-day lines, offered in the cron file
        assert f"# {line}" in cron.splitlines(), line
        assert "%" not in line.replace("\\%", "")  # cron would make it a newline
    assert all("docs/delivery.md" in text for text in (service, cron))


def test_the_page_is_linked_and_its_links_lead_somewhere():
    assert "](docs/delivery.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    architecture = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert architecture.count("cli > deliver > pack > ") == 2
    assert architecture.count("  deliver/ ") == 2
    pages = {"delivery.md": DOC}
    for name in ("scheduling.md", "guide-operator.md", "architecture.md"):
        pages[name] = (DOCS / name).read_text(encoding="utf-8")
    for name, text in pages.items():
        for target, anchor in re.findall(r"\]\(([\w./-]*?)(?:#([^)]+))?\)", text):
            if target.startswith("http") or (name != "delivery.md" and "delivery" not in target):
                continue
            page = DOCS / target if target else DOCS / name
            assert page.is_file(), f"{name}: {target}"
            if anchor:
                assert anchor in anchors(page.read_text(encoding="utf-8")), f"{target}#{anchor}"
