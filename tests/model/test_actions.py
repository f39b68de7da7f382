"""The actions register: params/actions.yml, its checks, and `reviewkit action ...`.

Each test workspace comes from ``init_workspace`` (which copies params/); the tests then write
their own params/actions.yml. Line numbers in expected messages are found by searching the text
the test wrote, not from the loader's own bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import yaml
from builders import REPO, one_line, run_cli

from reviewkit.cli.action_options import actions_table, default_action_id
from reviewkit.cli.main import main
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError, DataError, ParameterError
from reviewkit.i18n.texts import TEXTS, t
from reviewkit.i18n.texts_actions import ACTIONS_TEXTS
from reviewkit.model.action_proposals import action_from_proposal, find_proposal
from reviewkit.model.actions import ACTION_COLUMNS, Action, Actions
from reviewkit.model.actions_file import actions_yaml, load_actions, save_actions
from reviewkit.model.definitions import Definitions, load_definitions

TEXTS.update(ACTIONS_TEXTS)  # until texts.py merges it

BASE = {
    "id": "A-2026-07-webinar-call",
    "title": "Call webinar MQLs within an hour",
    "family": "follow_up",
    "kpi": "mql_to_sql",
    "segment": "{channel: webinar}",
    "owner": "inside_sales",
    "decided_in": "{review: monthly, period: 2026-06}",
    "start": "2026-07-15",
    "due": "2026-09-30",
    "status": "open",
}


def entry(**fields: str | None) -> str:
    """One action as YAML text; a field given as None is left out."""
    merged = {**BASE, **fields}
    items = [(k, v) for k, v in merged.items() if v is not None]
    return "".join(
        f"  - {k}: {v}\n" if i == 0 else f"    {k}: {v}\n" for i, (k, v) in enumerate(items)
    )


def register(*entries: str) -> str:
    return "actions:\n" + "".join(entries)


def line_of(text: str, snippet: str, nth: int = 0) -> int:
    """The 1-based line of the nth line containing ``snippet``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if snippet in line]
    return hits[nth]


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return load_definitions(REPO / "params" / "definitions.yml")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def actions_file(ws: Workspace) -> Path:
    return ws.params_dir / "actions.yml"


def write(ws: Workspace, text: str) -> Path:
    path = actions_file(ws)
    path.write_text(text, encoding="utf-8")
    return path


def problem(ws: Workspace, definitions: Definitions, text: str) -> str:
    """The one-line message of loading ``text``."""
    write(ws, text)
    with pytest.raises(ConfigError) as info:
        load_actions(ws, definitions=definitions)
    message = str(info.value)
    assert "\n" not in message
    return message


def at(ws: Workspace, text: str, snippet: str, nth: int = 0) -> str:
    return f"{actions_file(ws)}:{line_of(text, snippet, nth)}: "


# --- loading -------------------------------------------------------------------------------


def test_a_valid_register_loads_in_file_order(ws, definitions):
    text = register(
        entry(),
        entry(
            id="A-2026-06-referral", family="target", kpi="sql_to_opportunity",
            segment=None, status="done", closed_on="2026-09-07", outcome="Kept",
            decided_in="{review: quarterly, period: FY2026-Q1}", start="2026-06-01",
            due="2026-08-31",
        ),
    )  # fmt: skip
    write(ws, text)
    actions = load_actions(ws, definitions=definitions)
    assert actions.ids == ["A-2026-07-webinar-call", "A-2026-06-referral"]
    first = actions.get("A-2026-07-webinar-call")
    assert first.segment == {"channel": "webinar"}
    assert (first.decided_in.review, first.decided_in.period) == ("monthly", "2026-06")
    assert (first.start, first.due) == (dt.date(2026, 7, 15), dt.date(2026, 9, 30))
    second = actions.get("A-2026-06-referral")
    assert second.segment is None and second.closed_on == dt.date(2026, 9, 7)
    assert actions.path == str(actions_file(ws))
    # a path works as well as a workspace
    assert load_actions(actions_file(ws), definitions=definitions).ids == actions.ids


def test_a_missing_or_empty_file_is_an_empty_register(ws, definitions, tmp_path):
    missing = load_actions(tmp_path / "nowhere.yml", definitions=definitions)
    assert len(missing) == 0 and missing.path == str(tmp_path / "nowhere.yml")
    write(ws, "# nothing yet\n")
    assert len(load_actions(ws, definitions=definitions)) == 0
    write(ws, "actions:\n")
    assert len(load_actions(ws, definitions=definitions)) == 0


def test_unknown_kpi_names_line_id_value_choices_and_a_guess(ws, definitions):
    text = register(entry(), entry(id="A-2", kpi="mql_to_sq"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "kpi:", 1) + "actions.1.kpi (action 'A-2'): ")
    assert "'mql_to_sq' is not a metric of params/definitions.yml" in message
    assert "(did you mean 'mql_to_sql'?)" in message
    assert "use one of lead, mql, sql, " in message and "speed_to_lead" in message


def test_unknown_segment_column(ws, definitions):
    text = register(entry(segment="{chanel: webinar}"))
    message = problem(ws, definitions, text)
    assert message.startswith(
        at(ws, text, "segment:") + "actions.0.segment.chanel (action 'A-2026-07-webinar-call'): "
    )
    assert "'chanel' is not a segment column (did you mean 'channel'?)" in message
    assert "use one of channel, campaign_id" in message and "sales_team" in message
    assert "leave segment out for the whole funnel" in message


def test_unknown_family(ws, definitions):
    text = register(entry(family="folow_up"))
    message = problem(ws, definitions, text)
    assert message.startswith(
        at(ws, text, "family:") + "actions.0.family (action 'A-2026-07-webinar-call'): "
    )
    assert "'folow_up' is not an action family (did you mean 'follow_up'?)" in message
    assert "use one of target | content | follow_up | other" in message


def test_unknown_status(ws, definitions):
    text = register(entry(status="closed"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "status:") + "actions.0.status (action ")
    assert "'closed' is not a status; use one of open | done | dropped" in message
    assert "reviewkit action close" in message


def test_unknown_review_cadence(ws, definitions):
    text = register(entry(decided_in="{review: montly, period: 2026-06}"))
    message = problem(ws, definitions, text)
    assert message.startswith(
        at(ws, text, "decided_in:") + "actions.0.decided_in.review (action 'A-2026-07-webinar-call'"
    )
    assert "'montly' is not a review cadence (did you mean 'monthly'?)" in message
    assert "use one of weekly | monthly | quarterly" in message


def test_a_period_label_that_does_not_parse(ws, definitions):
    text = register(entry(), entry(id="A-3", decided_in="{review: monthly, period: 2026-13}"))
    message = problem(ws, definitions, text)
    assert message.startswith(
        at(ws, text, "2026-13") + "actions.1.decided_in.period (action 'A-3'): "
    )
    assert "'2026-13' is not a monthly period label" in message
    assert "e.g. 2026-06" in message


def test_a_period_label_of_another_cadence(ws, definitions):
    text = register(entry(decided_in="{review: monthly, period: FY2026-Q1}"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "FY2026-Q1") + "actions.0.decided_in.period (action ")
    assert "'FY2026-Q1' is a quarterly period but review is monthly" in message
    assert "write a monthly label such as 2026-06, or set review: quarterly" in message


def test_due_before_start(ws, definitions):
    text = register(entry(due="2026-07-01"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "due:") + "actions.0.due (action ")
    assert "2026-07-01 is before start 2026-07-15" in message
    assert "correct one of the two" in message


def test_a_duplicate_id(ws, definitions):
    text = register(entry(), entry(title="Again"))
    message = problem(ws, definitions, text)
    first, second = line_of(text, "- id:", 0), line_of(text, "- id:", 1)
    assert message.startswith(
        f"{actions_file(ws)}:{second}: actions.1.id (action 'A-2026-07-webinar-call'): "
    )
    assert f"already the id of the action on line {first}" in message
    assert "give each action its own id" in message


def test_closed_on_missing_for_done_and_dropped(ws, definitions):
    for status in ("done", "dropped"):
        text = register(entry(status=status))
        message = problem(ws, definitions, text)
        assert message.startswith(at(ws, text, "status:") + "actions.0.status (action ")
        assert f"'{status}' needs closed_on, which is missing" in message
        assert "add closed_on: YYYY-MM-DD" in message
        assert "reviewkit action close A-2026-07-webinar-call" in message


def test_closed_on_before_start(ws, definitions):
    text = register(entry(status="done", closed_on="2026-07-01"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "closed_on:") + "actions.0.closed_on (action ")
    assert "2026-07-01 is before start 2026-07-15" in message


def test_closed_on_while_open(ws, definitions):
    text = register(entry(closed_on="2026-08-01"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "closed_on:") + "actions.0.closed_on (action ")
    assert "2026-08-01 is set but status is 'open'" in message
    assert "remove closed_on, or set status to done or dropped" in message


@pytest.mark.parametrize("bad", ["2026-02-30", "2026/07/15", "15.07.2026", "2026-7-15"])
def test_a_bad_date(ws, definitions, bad):
    text = register(entry(start=bad))
    message = problem(ws, definitions, text)
    assert message.startswith(
        at(ws, text, "start:") + "actions.0.start (action 'A-2026-07-webinar-call'): "
    )
    assert f"{bad!r} is not a date; write YYYY-MM-DD (e.g. 2026-07-15)" in message


def test_an_unknown_key(ws, definitions):
    text = register(entry(), entry(id="A-2", notes="call the top ten first"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "notes:") + "actions.1.notes (action 'A-2'): ")
    assert "'notes' is not a field of an action" in message
    assert "the fields are id, title, family, kpi, segment, owner, decided_in" in message
    assert "put the words in title, expected_effect or outcome" in message
    text = register(entry(owner_="x", owner=None))
    assert "(did you mean 'owner'?)" in problem(ws, definitions, text)


def test_an_unknown_key_of_decided_in(ws, definitions):
    text = register(entry(decided_in="{review: monthly, month: 2026-06}"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "decided_in:") + "actions.0.decided_in.month (action ")
    assert "'month' is not a key of decided_in" in message
    assert "{review: monthly, period: 2026-06}" in message


def test_a_bad_id_and_a_missing_field(ws, definitions):
    text = register(entry(id="A 1"))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "- id:") + "actions.0.id (action 'A 1'): ")
    assert "'A 1' is not an action id; use 3 to 80 letters, digits, - and _" in message
    text = register(entry(), entry(id="A-2", title=None))
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "- id:", 1) + "actions.1.title (action 'A-2'): ")
    assert "title is missing (found: id, family, kpi, " in message
    assert message.endswith("add `title: ...`")


def test_a_key_given_twice_and_bad_layouts(ws, definitions):
    text = register(entry(), entry(id="A-2") + "    due: 2026-10-31\n")
    message = problem(ws, definitions, text)
    assert message.startswith(at(ws, text, "due:", 2) + "actions.1.due: 'due' is given twice")
    assert f"(first on line {line_of(text, 'due:', 1)})" in message
    message = problem(ws, definitions, "- id: A-1\n")
    assert "the file must be a mapping with an `actions:` list (got list)" in message
    message = problem(ws, definitions, "actions: {id: A-1}\n")
    assert f"{actions_file(ws)}:1: actions: actions must be a list (got dict)" in message
    message = problem(ws, definitions, "action:\n" + entry())
    assert "'action' is not a key of this file" in message
    message = problem(ws, definitions, "actions:\n  - id: [A\n")
    assert message.startswith(f"{actions_file(ws)}:") and "not valid YAML" in message


# --- saving --------------------------------------------------------------------------------


def tricky() -> Actions:
    def make(**fields: object) -> Action:
        base = {
            "id": "A-1", "title": "t", "family": "content", "kpi": "lead_to_mql",
            "owner": "marketing", "decided_in": {"review": "monthly", "period": "2026-06"},
            "start": dt.date(2026, 7, 1), "due": dt.date(2026, 7, 31),
        }  # fmt: skip
        return Action.model_validate({**base, **fields})

    return Actions(
        (
            make(
                id="A-2026-07-webinar-call", title="ウェビナー後 1 時間以内に架電する",
                segment={"channel": "webinar", "region": "関東"}, family="follow_up",
                expected_effect="+10 pt: MQL→SQL", proposal_id="2026-06-follow_up-x",
            ),
            make(
                id="12345", title="2026-07-15", owner="yes", status="done",
                closed_on=dt.date(2026, 8, 2), outcome="It worked.\nSecond line: 'quoted' \"too\"",
                decided_in={"review": "quarterly", "period": "FY2026-Q1"},
            ),
            make(id="A_3", title="- starts with a dash # and a hash", status="dropped",
                 closed_on=dt.date(2026, 7, 1),
                 decided_in={"review": "weekly", "period": "2026-W27"}),
        )
    )  # fmt: skip


def test_save_then_load_gives_the_same_actions(tmp_path, definitions):
    path = tmp_path / "params" / "actions.yml"
    original = tricky()
    save_actions(original, path)
    loaded = load_actions(path, definitions=definitions)
    assert loaded.entries == original.entries
    # a second save of what was read changes nothing
    first = path.read_text(encoding="utf-8")
    save_actions(loaded, path)
    assert path.read_text(encoding="utf-8") == first
    # an independent reader sees the same values (dates as dates, text as text)
    plain = yaml.safe_load(first)["actions"]
    assert plain[1]["id"] == "12345" and plain[1]["title"] == "2026-07-15"
    assert plain[1]["owner"] == "yes" and plain[1]["closed_on"] == dt.date(2026, 8, 2)
    assert plain[0]["segment"] == {"channel": "webinar", "region": "関東"}
    assert plain[0]["decided_in"] == {"review": "monthly", "period": "2026-06"}
    assert list(plain[0]) == [
        "id", "title", "family", "kpi", "segment", "owner", "decided_in", "start", "due",
        "status", "expected_effect", "proposal_id",
    ]  # fmt: skip
    assert "closed_on" not in plain[0] and "segment" not in plain[1]


def test_the_layout_is_stable_and_says_comments_are_not_kept(tmp_path):
    text = actions_yaml(tricky(), lang="en")
    header = text.split("\nactions:\n")[0]
    assert all(line.startswith("#") for line in header.splitlines() if line)
    assert "comments\n# inside the entries are not kept" in header
    assert "    segment: {channel: webinar, region: 関東}\n" in text
    assert "    decided_in: {review: monthly, period: 2026-06}\n    start: 2026-07-01\n" in text
    assert text.count("\n\n  - id: ") == 2  # a blank line between actions
    assert "actions:\n  - id: A-2026-07-webinar-call\n" in text
    assert "コメントは残りません" in actions_yaml(tricky(), lang="ja")
    empty = tmp_path / "empty.yml"
    save_actions(Actions(), empty)
    assert empty.read_text(encoding="utf-8").endswith("\nactions: []\n")
    # the write is atomic: no temporary file is left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.yml"]


# --- the register --------------------------------------------------------------------------


def test_open_overdue_decided_in_and_frame():
    actions = tricky()
    assert actions.open().ids == ["A-2026-07-webinar-call"]
    assert actions.with_status("done").ids == ["12345"]
    # due 2026-07-31: overdue from the day after, never once closed
    assert actions.overdue(dt.date(2026, 7, 31)).ids == []
    assert actions.overdue(dt.date(2026, 8, 1)).ids == ["A-2026-07-webinar-call"]
    assert actions.decided_in("monthly", "2026-06").ids == ["A-2026-07-webinar-call"]
    assert actions.decided_in("quarterly", "FY2026-Q1").ids == ["12345"]
    assert actions.decided_in("monthly", "2026-07").ids == []
    frame = actions.frame()
    assert list(frame.columns) == ACTION_COLUMNS and len(frame) == 3
    assert frame["period"].tolist() == ["2026-06", "FY2026-Q1", "2026-W27"]
    assert frame.loc[1, "closed_on"] == dt.date(2026, 8, 2)
    assert frame["outcome"].tolist()[0] is None and frame["segment"].tolist()[1] is None


def test_get_add_and_replace():
    actions = tricky()
    with pytest.raises(ParameterError, match=r"'A_4': no such id .*did you mean 'A_3'"):
        actions.get("A_4")
    with pytest.raises(ParameterError, match="'A_3': the id is already in"):
        actions.add(actions.get("A_3"))
    changed = actions.get("12345").model_copy(update={"owner": "sales"})
    replaced = actions.replace(changed)
    assert replaced.ids == actions.ids and replaced.get("12345").owner == "sales"
    assert actions.get("12345").owner == "yes"  # the register itself is unchanged


def test_the_list_table_marks_overdue_in_words():
    for lang, overdue, whole in [("en", "open, overdue", "whole funnel"),
                                 ("ja", "実行中（期限超過）", "ファネル全体")]:  # fmt: skip
        frame = actions_table(tricky(), on=dt.date(2026, 8, 1), lang=lang)
        assert frame.shape == (3, 7)
        assert frame.iloc[:, 6].tolist()[0] == overdue
        assert frame.iloc[:, 4].tolist() == ["channel=webinar, region=関東", whole, whole]
        assert frame.iloc[:, 2].tolist()[0] == t("owner.marketing", lang)
        assert frame.iloc[:, 2].tolist()[1] == "yes"  # not a known role: as written
    assert list(actions_table([], on=dt.date(2026, 8, 1), lang="en").columns) == [
        "ID", "Action", "Owner", "KPI", "Segment", "Due", "Status",
    ]  # fmt: skip


def test_texts_have_both_languages_and_the_same_fields():
    for key, text in ACTIONS_TEXTS.items():
        assert key.startswith("actions.") and set(text) == {"ja", "en"}
        assert text["ja"].strip() and text["en"].strip()
        fields = [set(re.findall(r"{(\w+)}", text[lang])) for lang in ("ja", "en")]
        assert fields[0] == fields[1], key
    assert t("actions.status.dropped", "ja") == "中止"


def test_default_ids():
    start = dt.date(2026, 7, 15)
    assert default_action_id("Call webinar MQLs!", start) == "A-2026-07-call-webinar-mqls"
    assert default_action_id("ウェビナー架電", start) == "A-2026-07-action"
    taken = ["A-2026-07-action", "A-2026-07-action-2"]
    assert default_action_id("架電", start, taken=taken) == "A-2026-07-action-3"
    long = default_action_id("x" * 200, start, taken=[default_action_id("x" * 200, start)])
    assert len(long) == 80 and long.endswith("-2")


# --- proposals -----------------------------------------------------------------------------


def record(**fields: object) -> dict:
    base = {
        "proposal_id": "2026-10-content-mql_to_sql-webinar-kanto",
        "family": "content", "kpi": "mql_to_sql", "dims": ["channel", "region"],
        "values": ["webinar", "関東"], "segment": "webinar × 関東",
        "action": "Re-score the leads of webinar × 関東", "owner": "marketing",
        "expected_people": 12.4, "expected_unit": "SQL", "expected_yen": 3_400_000.0,
        "period": "2026-10", "lang": "en",
    }  # fmt: skip
    return {**base, **fields}


def test_action_from_proposal_maps_every_field():
    start, due = dt.date(2026, 11, 24), dt.date(2026, 12, 24)
    action = action_from_proposal(record(), start=start, due=due, currency="JPY")
    assert action.id == action.proposal_id == "2026-10-content-mql_to_sql-webinar-kanto"
    assert action.title == "Re-score the leads of webinar × 関東"
    assert (action.family, action.kpi, action.owner) == ("content", "mql_to_sql", "marketing")
    assert action.segment == {"channel": "webinar", "region": "関東"}
    assert (action.decided_in.review, action.decided_in.period) == ("monthly", "2026-10")
    assert (action.start, action.due, action.status) == (start, due, "open")
    # 12.4 people -> 12; ¥3,400,000 -> ¥3.4M / 340万円
    assert action.expected_effect == "+12 SQL/month (≈¥3.4M revenue)"
    ja = action_from_proposal(
        record(lang="ja"), start=start, due=due, action_id="A-mine", currency="JPY"
    )
    assert ja.id == "A-mine" and ja.proposal_id == "2026-10-content-mql_to_sql-webinar-kanto"
    assert ja.expected_effect == "+12SQL/月（受注金額 約340万円）"
    # a None value is dropped; no value left means the whole funnel; no yen, no revenue part
    partial = action_from_proposal(
        record(values=["webinar", None], expected_yen=None), start=start, due=due, currency="JPY"
    )
    assert partial.segment == {"channel": "webinar"}
    assert partial.expected_effect == "+12 SQL/month"
    whole = action_from_proposal(record(dims=[], values=[]), start=start, due=due, currency="JPY")
    assert whole.segment is None
    with pytest.raises(ParameterError, match=r"proposal '2026-10-.*': owner: '' is not an owner"):
        action_from_proposal(record(owner=""), start=start, due=due, currency="JPY")


def write_proposals(outputs: Path, folder: str, records: list[dict]) -> Path:
    path = outputs / "monthly" / folder / "proposals.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_find_proposal_looks_in_the_monthly_packs_and_their_language_folders(tmp_path):
    write_proposals(tmp_path, "2026-10", [record(lang="ja", action="ja text")])
    write_proposals(tmp_path, "2026-10/en", [record(lang="en", action="en text")])
    write_proposals(tmp_path, "2026-09", [record(proposal_id="2026-09-target-lead-x")])
    pid = "2026-10-content-mql_to_sql-webinar-kanto"
    assert find_proposal(tmp_path, pid, lang="en")["action"] == "en text"
    assert find_proposal(tmp_path, pid, lang="ja")["action"] == "ja text"
    assert find_proposal(tmp_path, "2026-09-target-lead-x")["period"] == "2026-10"
    with pytest.raises(ParameterError) as info:
        find_proposal(tmp_path, "2026-10-content-mql_to_sql-webinar-kant")
    message = str(info.value)
    assert "proposal '2026-10-content-mql_to_sql-webinar-kant': not found in 3" in message
    assert str(tmp_path / "monthly" / "*" / "*" / "proposals.json") in message
    assert "did you mean '2026-10-content-mql_to_sql-webinar-kanto'" in message
    assert message.endswith("build the monthly pack first: reviewkit run monthly")
    (tmp_path / "monthly" / "2026-09" / "proposals.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="not a readable proposals file"):
        find_proposal(tmp_path, pid)


# --- the command line ----------------------------------------------------------------------


ADD = [
    "action", "add", "--title", "Call webinar MQLs within an hour", "--family", "follow_up",
    "--kpi", "mql_to_sql", "--segment", "channel=webinar", "--owner", "inside_sales",
    "--start", "2026-07-15", "--due", "2026-09-30", "--expected", "+10 pt",
]  # fmt: skip


def cli(ws: Workspace, *args: str):
    """``reviewkit ARGS --workspace WS`` in a subprocess, as a user runs it."""
    return run_cli(*args, "--workspace", str(ws.root))


@pytest.fixture
def call(capsys):
    """``reviewkit ARGS --workspace WS`` in this process (the same ``main``; much faster)."""

    def run(ws: Workspace, *args: str) -> SimpleNamespace:
        capsys.readouterr()
        code = main([*args, "--workspace", str(ws.root)])
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    return run


def test_cli_add_writes_a_valid_register(ws, definitions):
    write(ws, register(entry(id="A-0", start="2026-01-05", due="2026-02-01")))
    done = cli(ws, *ADD)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "added A-2026-07-call-webinar-mqls-within-an-hour: Call webinar MQLs within an hour "
        "(inside_sales, due 2026-09-30)"
    )
    actions = load_actions(ws, definitions=definitions)
    assert actions.ids == ["A-0", "A-2026-07-call-webinar-mqls-within-an-hour"]
    new = actions.get("A-2026-07-call-webinar-mqls-within-an-hour")
    assert new.segment == {"channel": "webinar"} and new.expected_effect == "+10 pt"
    # decided in the last complete month before the start
    assert (new.decided_in.review, new.decided_in.period) == ("monthly", "2026-06")
    # the same title again gets a new id; --decided-in is taken as given
    again = cli(ws, *ADD, "--decided-in", "quarterly:FY2026-Q1")
    assert again.returncode == 0, again.stderr
    last = load_actions(ws, definitions=definitions).entries[-1]
    assert last.id == "A-2026-07-call-webinar-mqls-within-an-hour-2"
    assert (last.decided_in.review, last.decided_in.period) == ("quarterly", "FY2026-Q1")


def test_cli_add_refuses_bad_input_in_one_line_and_writes_nothing(call, ws):
    path = write(ws, register(entry()))
    before = path.read_bytes()
    cases = [
        (["--kpi", "mql_to_sq"], "kpi: 'mql_to_sq' is not a metric of params/definitions.yml"),
        (["--segment", "chanel=webinar"], "'chanel' is not a segment column"),
        (["--family", "people"], "'people' is not an action family"),
        (["--due", "2026-07-01"], "due: 2026-07-01 is before start 2026-07-15"),
        (["--due", "30/09/2026"], "--due: '30/09/2026' is not a date; write YYYY-MM-DD"),
        (["--id", "A-2026-07-webinar-call"], "'A-2026-07-webinar-call': the id is already in"),
        (["--decided-in", "monthly:FY2026-Q1"], "'FY2026-Q1' is a quarterly period"),
    ]
    for extra, expected in cases:
        done = call(ws, *ADD, *extra)
        assert done.returncode == 2, (extra, done.stderr)
        line = one_line(done.stderr)
        assert line.startswith("reviewkit: error: ") and expected in line, line
    missing = call(ws, "action", "add", "--title", "x")
    assert missing.returncode == 2
    assert "--family, --kpi, --owner, --start, --due: missing" in one_line(missing.stderr)
    assert path.read_bytes() == before


def test_cli_reports_a_broken_register_with_its_line(call, ws):
    text = register(entry(), entry(id="A-2", family="folow_up"))
    path = write(ws, text)
    for args in (ADD, ["action", "list"], ["action", "close", "A-2"]):
        done = call(ws, *args)
        assert done.returncode == 2
        line = one_line(done.stderr)
        assert f"{path}:{line_of(text, 'folow_up')}: actions.1.family (action 'A-2')" in line
    assert path.read_text(encoding="utf-8") == text


def test_cli_list_update_and_close(call, ws, definitions):
    write(ws, register(
        entry(id="A-late", due="2020-09-30", start="2020-07-15",
              decided_in="{review: monthly, period: 2020-06}"),
        entry(id="A-later", due="2999-12-31"),
        entry(id="A-done", status="done", closed_on="2026-09-01"),
    ))  # fmt: skip
    listed = call(ws, "action", "list", "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[1]: line for line in listed.stdout.splitlines() if "│ A-" in line}
    assert set(rows) == {"A-late", "A-later"}  # open ones only
    assert "open, overdue" in rows["A-late"] and "overdue" not in rows["A-later"]
    assert "1 overdue" in listed.stdout
    ja = call(ws, "action", "list", "--all")  # the workspace's language: ja
    assert "A-done" in ja.stdout and "実行中（期限超過）" in ja.stdout and "完了" in ja.stdout
    only_done = call(ws, "action", "list", "--status", "done", "--lang", "en")
    assert "A-done" in only_done.stdout and "A-late" not in only_done.stdout

    updated = call(ws, "action", "update", "A-late", "--due", "2026-12-31", "--owner", "sales")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.strip() == (
        "updated A-late: owner inside_sales -> sales, due 2020-09-30 -> 2026-12-31"
    )
    late = load_actions(ws, definitions=definitions).get("A-late")
    assert (late.owner, late.due) == ("sales", dt.date(2026, 12, 31))
    for args, expected in [
        (["A-nope", "--due", "2026-12-31"], "action 'A-nope': no such id"),
        (["A-late", "--status", "done"], "use `reviewkit action close A-late --status done`"),
        (["A-late"], "nothing to change"),
        (["A-late", "--start", "2027-01-01"], "due: 2026-12-31 is before start 2027-01-01"),
    ]:
        done = call(ws, "action", "update", *args)
        assert done.returncode == 2 and expected in one_line(done.stderr), done.stderr

    closed = call(ws, "action", "close", "A-late", "--status", "dropped", "--outcome",
                 "Superseded", "--on", "2026-11-02")  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.strip() == "closed A-late: dropped on 2026-11-02"
    late = load_actions(ws, definitions=definitions).get("A-late")
    assert (late.status, late.closed_on, late.outcome) == ("dropped", dt.date(2026, 11, 2),
                                                           "Superseded")  # fmt: skip
    early = call(ws, "action", "close", "A-later", "--on", "2026-01-01")
    assert early.returncode == 2
    assert "closed_on: 2026-01-01 is before start 2026-07-15" in one_line(early.stderr)
    reopened = call(ws, "action", "update", "A-late", "--status", "open")
    assert reopened.returncode == 0, reopened.stderr
    late = load_actions(ws, definitions=definitions).get("A-late")
    assert (late.status, late.closed_on) == ("open", None)


def test_cli_list_of_an_empty_register(call, ws):
    actions_file(ws).unlink(missing_ok=True)
    done = call(ws, "action", "list", "--lang", "en")
    assert done.returncode == 0
    assert done.stdout.strip() == (
        "No action to show (params/actions.yml); add one with reviewkit action add."
    )


def test_cli_add_from_a_proposal(call, ws, definitions):
    actions_file(ws).unlink(missing_ok=True)
    write_proposals(ws.outputs_dir, "2026-10", [record(lang="ja", action="ウェビナーの再スコア")])
    pid = "2026-10-content-mql_to_sql-webinar-kanto"
    zone = ZoneInfo(ws.config.timezone)
    before = dt.datetime.now(zone).date()
    done = cli(ws, "action", "add", "--from-proposal", pid, "--owner", "inside_sales")
    after = dt.datetime.now(zone).date()
    assert done.returncode == 0, done.stderr
    action = load_actions(ws, definitions=definitions).get(pid)
    assert action.start in {before, after} and action.due == action.start + dt.timedelta(30)
    assert done.stdout.strip() == (
        f"added {pid}: ウェビナーの再スコア (inside_sales, due {action.due})"
    )
    assert action.owner == "inside_sales" and action.proposal_id == pid
    assert action.expected_effect == "+12SQL/月（受注金額 約340万円）"
    again = call(ws, "action", "add", "--from-proposal", pid, "--start", "2026-11-30",
                "--due", "2027-01-15", "--id", "A-second")  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = load_actions(ws, definitions=definitions).get("A-second")
    assert (second.start, second.due, second.owner) == (
        dt.date(2026, 11, 30), dt.date(2027, 1, 15), "marketing",
    )  # fmt: skip
    twice = call(ws, "action", "add", "--from-proposal", pid)
    assert twice.returncode == 2 and "the id is already in" in one_line(twice.stderr)
    mixed = call(ws, "action", "add", "--from-proposal", pid, "--kpi", "sql")
    assert mixed.returncode == 2 and "--kpi: not used with --from-proposal" in mixed.stderr


def test_cli_add_from_an_unknown_proposal(ws):
    before = actions_file(ws).read_bytes() if actions_file(ws).exists() else None
    done = cli(ws, "action", "add", "--from-proposal", "2026-10-nothing")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "proposal '2026-10-nothing': not found in 0 proposals.json file(s)" in line
    assert str(ws.outputs_dir / "monthly" / "*" / "proposals.json") in line
    assert line.endswith("build the monthly pack first: reviewkit run monthly")
    after = actions_file(ws).read_bytes() if actions_file(ws).exists() else None
    assert after == before
