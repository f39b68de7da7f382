"""``reviewkit validate`` and the definitions' error messages, message by message.

Each case breaks one thing in a copy of the shipped ``params/definitions.yml`` and checks that
the one-line message names the file, the line (worked out from the text written), the key path,
the bad value and a fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import one_line
from builders import run_cli as cli

from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError
from reviewkit.model.definitions import load_definitions

# -- helpers ---------------------------------------------------------------------------------


def workspace_with(tmp_path: Path, edit) -> tuple[Workspace, str]:
    """A fresh workspace whose definitions.yml is ``edit(shipped text)``."""
    ws = init_workspace(tmp_path / "ws")
    path = ws.params_dir / "definitions.yml"
    text = edit(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return ws, text


def replace(old: str, new: str):
    """An edit replacing the first ``old`` (which must be there) by ``new``."""

    def edit(text: str) -> str:
        assert old in text, f"the shipped definitions.yml no longer contains {old!r}"
        return text.replace(old, new, 1)

    return edit


def edit_line(after: str, starts: str, change):
    """An edit of the first line starting with ``starts`` below the line ``after``.

    ``change(old line)`` gives the new line, or ``None`` to delete it; the shipped texts of the
    line (labels, say) may change without breaking the test.
    """

    def edit(text: str) -> str:
        lines = text.split("\n")
        begin = lines.index(after)
        n = next(n for n in range(begin + 1, len(lines)) if lines[n].startswith(starts))
        new = change(lines[n])
        lines[n : n + 1] = [] if new is None else [new]
        return "\n".join(lines)

    return edit


def line_no(text: str, snippet: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``snippet``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if snippet in line]
    assert len(hits) >= occurrence, f"{snippet!r} is not in the text {occurrence} time(s)"
    return hits[occurrence - 1]


def item_index(text: str, section: str, line: int) -> int:
    """Index of the list item of top-level ``section:`` that holds ``line``."""
    lines = text.splitlines()
    start = line_no(text, f"{section}:") if not text.startswith(f"{section}:") else 1
    items = [
        n for n, row in enumerate(lines, start=1) if start < n <= line and row.startswith("  - ")
    ]
    assert items, f"line {line} is not inside a list item of {section}"
    return len(items) - 1


def refused(ws: Workspace) -> str:
    """The one-line message load_definitions refuses ``ws`` with."""
    with pytest.raises(ConfigError) as info:
        load_definitions(ws)
    message = str(info.value)
    assert "\n" not in message, message
    return message


@dataclass
class Case:
    """One broken file and what its message must say."""

    edit: object
    line: str  # a snippet of the line the message must name (in the edited text)
    keys: str  # the key path; {i} is the index of that line's list item under `section`
    value: str
    fix: str
    section: str = ""
    occurrence: int = 1


SAL_STAGE = """  - key: sal
    label: {ja: SAL, en: SALs}
    owner: inside_sales
    rule: "score >= 80"
    at: stage:mql
    description: {ja: x, en: x}
  - key: sql
"""

CASES = {
    "a number compared with a text column": Case(
        replace('rule: "score >= 60"', 'rule: "score >= 60 and channel >= 5"'),
        line='rule: "score >= 60 and channel >= 5"',
        keys="stages.{i}.rule",
        section="stages",
        value="'5'",
        fix="'channel' holds text: compare it with a quoted value",
    ),
    "text compared with the score": Case(
        replace('rule: "score >= 60"', "rule: \"score == 'high'\""),
        line="rule: \"score == 'high'\"",
        keys="stages.{i}.rule",
        section="stages",
        value="'high'",
        fix="'score' holds numbers: compare it with a number",
    ),
    "unknown stage in a metric": Case(
        replace("    from: mql\n    to: sql\n", "    from: mqll\n    to: sql\n"),
        line="from: mqll",
        keys="metrics.{i}.from",
        section="metrics",
        value="'mqll'",
        fix="use one of ['lead', 'mql', 'sql', 'opportunity', 'won']",
    ),
    "unknown stage in cost_per": Case(
        replace("    stage: mql\n", "    stage: MQL\n"),
        line="stage: MQL",
        keys="metrics.{i}.stage",
        section="metrics",
        value="'MQL'",
        fix="use one of ['lead', 'mql'",
    ),
    "cycle of entry times": Case(
        lambda text: replace("    at: first_held\n", "    at: stage:sal\n")(
            replace("  - key: sql\n", SAL_STAGE)(text)
        ),
        line="at: stage:sal",
        keys="stages.{i}.at",
        section="stages",
        value="'stage:sal'",
        fix="cycle (mql -> sal -> mql); one of them must use at: first_held",
    ),
    "entry time names no stage": Case(
        replace("    at: first_held\n", "    at: stage:nowhere\n"),
        line="at: stage:nowhere",
        keys="stages.{i}.at",
        section="stages",
        value="'stage:nowhere'",
        fix="use stage:<one of ['lead', 'mql'",
    ),
    "rule syntax error": Case(
        replace('rule: "score >= 60"', 'rule: "score >= "'),
        line='rule: "score >= "',
        keys="stages.{i}.rule",
        section="stages",
        value="'score >= '",
        fix="not a valid expression (invalid syntax); write e.g. score >= 60",
    ),
    "rule with an unknown column": Case(
        replace('rule: "score >= 60"', 'rule: "scor >= 60"'),
        line='rule: "scor >= 60"',
        keys="stages.{i}.rule",
        section="stages",
        value="unknown column 'scor'",
        fix="use one of ['campaign_id', 'channel'",
    ),
    "rule with a function call": Case(
        replace('rule: "score >= 60"', 'rule: "len(channel) > 3 or score >= 60"'),
        line='rule: "len(channel)',
        keys="stages.{i}.rule",
        section="stages",
        value="('len(channel)')",
        fix="function calls are not allowed; compare a lead column with a literal",
    ),
    "rule with arithmetic": Case(
        replace('rule: "score >= 60"', 'rule: "score + 10 >= 70"'),
        line='rule: "score + 10',
        keys="stages.{i}.rule",
        section="stages",
        value="('score + 10')",
        fix="expected a lead column (one of [",
    ),
    "label without en": Case(
        edit_line("  - key: mql", "    label:", lambda _: "    label: {ja: MQL}"),
        line="label: {ja: MQL}",
        keys="stages.{i}.label.en",
        section="stages",
        value="(found: ja)",
        fix="add `en: <English text>`",
    ),
    "label missing": Case(
        edit_line("  - key: mql", "    label:", lambda _: None),
        line="- key: mql",
        keys="stages.{i}.label",
        section="stages",
        value="(found: key, owner, rule, at, description)",
        fix="add `label: {ja: ..., en: ...}`",
    ),
    "window in words": Case(
        replace("    window: 30d\n", "    window: 90 days\n"),
        line="window: 90 days",
        keys="metrics.{i}.window",
        section="metrics",
        value="'90 days' is not a duration",
        fix="write a whole number and h, d or w (e.g. 90d, 24h, 2w)",
    ),
    "negative window": Case(
        replace("    window: 30d\n", "    window: -3d\n"),
        line="window: -3d",
        keys="metrics.{i}.window",
        section="metrics",
        value="'-3d' is not a duration",
        fix="(e.g. 90d, 24h, 2w)",
    ),
    "default window not a duration": Case(
        replace("  window: 90d ", "  window: 3 months "),
        line="window: 3 months",
        keys="conversion.window",
        value="'3 months' is not a duration",
        fix="(e.g. 90d, 24h, 2w)",
    ),
    "sla within not a duration": Case(
        replace("    within: 24h\n", "    within: one day\n"),
        line="within: one day",
        keys="metrics.{i}.within",
        section="metrics",
        value="'one day' is not a duration",
        fix="(e.g. 90d, 24h, 2w)",
    ),
    "unknown metric type": Case(
        replace("    type: sales_cycle\n", "    type: sales_cycles\n"),
        line="type: sales_cycles",
        keys="metrics.{i}.type",
        section="metrics",
        value="'sales_cycles' is unknown",
        fix="use one of 'conversion', 'win_rate'",
    ),
    "misspelt key": Case(
        replace("    window: 30d\n", "    windw: 30d\n"),
        line="windw: 30d",
        keys="metrics.{i}.windw",
        section="metrics",
        value="(got '30d')",
        fix="remove it or correct its spelling",
    ),
    "duplicate stage key": Case(
        replace("  - key: sql\n", "  - key: mql\n"),
        line="- key: mql",
        occurrence=2,
        keys="stages.{i}.key",
        section="stages",
        value="stage key 'mql' is already used by stages.1",
        fix="give each stage its own key",
    ),
    "duplicate metric key": Case(
        replace("  - key: win_rate_amount\n", "  - key: win_rate\n"),
        line="- key: win_rate",
        occurrence=2,
        keys="metrics.{i}.key",
        section="metrics",
        value="metric key 'win_rate' is already used by metrics.",
        fix="give each metric its own key",
    ),
    "stage with rule and event": Case(
        replace("    event: sql\n", '    event: sql\n    rule: "score > 1"\n'),
        line="- key: sql",
        keys="stages.{i}",
        section="stages",
        value="has both event: 'sql' and rule: 'score > 1'",
        fix="a stage is defined by one of them, remove the other",
    ),
    "stage with neither rule nor event": Case(
        replace("    event: sql\n", ""),
        line="- key: sql",
        keys="stages.{i}",
        section="stages",
        value="stage 'sql' has neither event: nor rule:",
        fix="add `event: <stage event name>` or `rule: <expression>`",
    ),
    "kgi.tree names an unknown metric": Case(
        replace("tree: [lead, ", "tree: [leads, "),
        line="tree: [leads",
        keys="kgi.tree.0",
        value="'leads' is not a metric",
        fix="use one of ['average_deal_size'",
    ),
    "kgi.tree skips a stage": Case(
        replace(
            "mql_to_sql, sql_to_opportunity, opportunity_to_won", "mql_to_sql, opportunity_to_won"
        ),
        line="tree: [",
        keys="kgi.tree.3",
        value="'opportunity_to_won' starts at 'opportunity' but the chain is at 'sql'",
        fix="list the first stage, each consecutive conversion, then average_deal_size",
    ),
    "kgi.tree stops early": Case(
        replace("sql_to_opportunity, opportunity_to_won, ", "sql_to_opportunity, "),
        line="tree: [",
        keys="kgi.tree",
        value="the chain ends at 'opportunity', not at the last stage 'won'",
        fix="list the first stage, each consecutive conversion, then average_deal_size",
    ),
    "kgi.tree starts with a rate": Case(
        replace("tree: [lead, ", "tree: ["),
        line="tree: [",
        keys="kgi.tree.0",
        value="(got 'lead_to_mql')",
        fix="must start with a stage; list the first stage",
    ),
    "unknown department as owner": Case(
        replace("    owner: inside_sales\n", "    owner: finance\n"),
        line="owner: finance",
        keys="stages.{i}.owner",
        section="stages",
        value="(got 'finance')",
        fix="use 'marketing', 'inside_sales' or 'sales'",
    ),
    "unknown department in agreed_by": Case(
        replace("agreed_by: [marketing, inside_sales, sales]", "agreed_by: [marketing, sales, it]"),
        line="agreed_by:",
        keys="agreed_by.2",
        value="(got 'it')",
        fix="use 'marketing', 'inside_sales' or 'sales'",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_broken_definitions_are_refused_message_by_message(tmp_path, case):
    ws, text = workspace_with(tmp_path, case.edit)
    line = line_no(text, case.line, case.occurrence)
    keys = case.keys.format(i=item_index(text, case.section, line) if case.section else None)
    message = refused(ws)
    path = ws.params_dir / "definitions.yml"
    assert message.startswith(f"{path}:{line}: {keys}: "), message
    assert case.value in message, message
    assert case.fix in message, message


def test_the_key_path_counts_list_items_from_zero(tmp_path):
    # the first stage is stages.0: a misspelt owner there is reported as such
    ws, text = workspace_with(
        tmp_path, replace("    owner: marketing\n", "    owner: marketting\n")
    )
    message = refused(ws)
    assert f"definitions.yml:{line_no(text, 'owner: marketting')}: stages.0.owner: " in message


@pytest.mark.parametrize(
    ("edit", "bad_line", "problem"),
    [
        # a key indented by three spaces inside a stage
        (
            replace("  - key: sql\n", "  - key: sql\n   bad: 1\n"),
            "   bad: 1",
            "expected <block end>",
        ),
        # a tab where YAML wants spaces
        (replace("    event: sql\n", "\tevent: sql\n"), "\tevent: sql", "cannot start any token"),
    ],
    ids=["bad indentation", "tab"],
)
def test_broken_yaml_names_the_line_of_the_problem(tmp_path, edit, bad_line, problem):
    ws, text = workspace_with(tmp_path, edit)
    message = refused(ws)
    path = ws.params_dir / "definitions.yml"
    assert message.startswith(f"{path}:{line_no(text, bad_line)}: not valid YAML ("), message
    assert problem in message and message.endswith("fix the syntax"), message


def test_unclosed_flow_mapping_names_where_it_started(tmp_path):
    unclosed = edit_line("  - key: mql", "    label:", lambda line: line.rstrip().rstrip("}"))
    ws, text = workspace_with(tmp_path, unclosed)
    message = refused(ws)
    opened = line_no(text, "label: {ja: MQL,")
    # YAML notices on the next line; the message also says where the mapping began
    assert f"definitions.yml:{opened + 1}: not valid YAML (" in message, message
    assert f"flow mapping that starts on line {opened}" in message, message


# -- the version hash ------------------------------------------------------------------------


def definitions_hash(tmp_path: Path, edit=lambda text: text) -> str:
    ws, _ = workspace_with(tmp_path, edit)
    return load_definitions(ws).version_hash


def test_hash_is_stable_for_an_unchanged_file(tmp_path):
    first = definitions_hash(tmp_path / "a")
    assert first == definitions_hash(tmp_path / "b")
    assert len(first) == 12 and int(first, 16) >= 0


def test_hash_changes_when_the_mql_rule_changes(tmp_path):
    before = definitions_hash(tmp_path / "a")
    after = definitions_hash(tmp_path / "b", replace('"score >= 60"', '"score >= 70"'))
    assert before != after


def test_hash_changes_when_a_window_changes(tmp_path):
    before = definitions_hash(tmp_path / "a")
    assert before != definitions_hash(tmp_path / "b", replace("window: 30d", "window: 45d"))


def test_hash_ignores_comments_whitespace_and_layout(tmp_path):
    def cosmetic(text: str) -> str:
        text = "# reviewed again on 2026-05-01\n\n" + text
        text = edit_line("  - key: mql", "    label:", lambda line: line.replace(", ", " ,   "))(
            text
        )
        text = text.replace("label: {", "label:   {  ")
        text = replace("  - key: sql\n", "\n  # inside sales qualifies\n  - key: sql\n")(text)
        text = replace('rule: "score >= 60"', "rule: 'score >= 60'")(text)
        return text.replace("\n", "  \n") + "\n\n"

    assert definitions_hash(tmp_path / "a") == definitions_hash(tmp_path / "b", cosmetic)


# -- the command -----------------------------------------------------------------------------


def test_validate_passes_on_the_shipped_params(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    definitions = load_definitions(ws)
    result = cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    # no store yet: one warning naming the next step, nothing else
    assert one_line(result.stderr).startswith("reviewkit: warning: store ")
    line = result.stdout.strip()
    assert "\n" not in line
    assert line.startswith(
        f"definitions v{definitions.version} (hash {definitions.version_hash}): "
        f"{len(definitions.stages)} stages, {len(definitions.metric_map)} metrics; targets: "
    )
    assert line.endswith(
        "(params/targets.yml); benchmarks: 3 reference ranges; actions: 3; schedule: 24 packs; "
        "rates: none (amounts in other currencies are held back) — OK"
    )


def test_validate_refuses_a_broken_benchmark_in_one_line(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    path = ws.params_dir / "benchmarks.yml"
    text = path.read_text(encoding="utf-8")
    assert "high: 0.20" in text
    path.write_text(text.replace("high: 0.20", "high: 20", 1), encoding="utf-8")
    result = cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "benchmarks.yml:" in line and "20 is not a rate between 0 and 1" in line, line


def test_validate_refuses_a_broken_file_in_one_line(tmp_path):
    ws, text = workspace_with(tmp_path, replace("    window: 30d\n", "    window: 90 days\n"))
    result = cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    assert result.stdout == ""
    line = one_line(result.stderr)
    number = line_no(text, "window: 90 days")
    assert line.startswith("reviewkit: error: ")
    assert f"definitions.yml:{number}: metrics." in line and "'90 days' is not a duration" in line


def test_validate_without_a_workspace_is_one_line(tmp_path):
    result = cli("validate", "--workspace", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "no params/workspace.yml there" in line and "reviewkit init" in line


def test_validate_refuses_a_target_for_an_undefined_metric(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    path = ws.params_dir / "targets.yml"
    text = path.read_text(encoding="utf-8")
    assert "{lead: " in text
    path.write_text(text.replace("{lead: ", "{leads: ", 1), encoding="utf-8")
    result = cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "targets.yml:" in line and "'leads'" in line, line


def test_validate_without_a_targets_file_says_so(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    (ws.params_dir / "targets.yml").unlink()
    result = cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert "targets: no params/targets.yml" in result.stdout and result.stdout.rstrip().endswith(
        "OK"
    )
