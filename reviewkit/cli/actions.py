"""``reviewkit action``: the actions register (add, list, update, close)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from reviewkit.cli.shared import out, workspace_option


@click.group()
def action() -> None:
    """The actions register (params/actions.yml): what the reviews decided, by whom, by when."""


def _register(workspace: Path | None) -> tuple[Any, Any, Any]:
    """The workspace, its definitions and its actions register (checked)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.model.actions_file import load_actions
    from reviewkit.model.definitions import load_definitions

    ws = find_workspace(workspace)
    definitions = load_definitions(ws)
    return ws, definitions, load_actions(ws, definitions=definitions)


def _save(ws: Any, definitions: Any, register: Any, changed: Any) -> None:
    """Check the changed action against the definitions, then write the register atomically."""
    from reviewkit.model.actions import FILE_NAME, check_action
    from reviewkit.model.actions_file import save_actions

    check_action(changed, definitions=definitions, calendar=ws.calendar)
    save_actions(register, ws.params_dir / FILE_NAME, lang=ws.config.lang)


@action.command(name="add")
@click.option("--title", default=None, help="What will be done, in the team's language.")
@click.option("--family", default=None, help="target, content, follow_up or other.")
@click.option("--kpi", default=None, help="The metric it should move (a key of definitions.yml).")
@click.option("--segment", "segments", multiple=True, metavar="COLUMN=VALUE",
              help="The segment it targets, e.g. channel=webinar (repeatable; none: the whole "
              "funnel).")  # fmt: skip
@click.option("--owner", default=None, help="Who owns it, e.g. inside_sales.")
@click.option("--start", default=None, help="Start date YYYY-MM-DD.")
@click.option("--due", default=None, help="Due date YYYY-MM-DD.")
@click.option("--expected", default=None, help="The expected effect, in words.")
@click.option("--decided-in", default=None, metavar="REVIEW:PERIOD",
              help="The review that decided it, e.g. monthly:2026-10. Default: the last "
              "complete month before --start.")  # fmt: skip
@click.option("--id", "action_id", default=None,
              help="The action's id. Default: A-<start YYYY-MM>-<title in ASCII "
              "words>.")  # fmt: skip
@click.option("--from-proposal", default=None, metavar="PROPOSAL_ID",
              help="Adopt a proposal of a monthly pack (outputs/monthly/*/proposals.json); "
              "start defaults to today, due to start + 30 days.")  # fmt: skip
@workspace_option
def action_add(
    title: str | None,
    family: str | None,
    kpi: str | None,
    segments: tuple[str, ...],
    owner: str | None,
    start: str | None,
    due: str | None,
    expected: str | None,
    decided_in: str | None,
    action_id: str | None,
    from_proposal: str | None,
    workspace: Path | None,
) -> None:
    """Add an action to params/actions.yml (by hand, or --from-proposal ID)."""
    ws, definitions, register = _register(workspace)
    if from_proposal is not None:
        given = {"--title": title, "--family": family, "--kpi": kpi, "--segment": segments,
                 "--expected": expected, "--decided-in": decided_in}  # fmt: skip
        new = _proposed_action(
            ws, from_proposal, given=given, owner=owner, start=start, due=due,
            action_id=action_id,
        )  # fmt: skip
    else:
        new = _described_action(
            ws, register, title=title, family=family, kpi=kpi, segments=segments, owner=owner,
            start=start, due=due, expected=expected, decided_in=decided_in, action_id=action_id,
        )  # fmt: skip
    _save(ws, definitions, register.add(new), new)
    out.print(f"added {new.id}: {new.title} ({new.owner}, due {new.due})", markup=False)


def _proposed_action(
    ws: Any,
    proposal_id: str,
    *,
    given: Mapping[str, object],
    owner: str | None,
    start: str | None,
    due: str | None,
    action_id: str | None,
) -> Any:
    """The action of a published proposal (``--from-proposal``); refuses options it gives."""
    import datetime as dt

    from reviewkit.cli.action_options import parse_date_option
    from reviewkit.errors import ParameterError
    from reviewkit.model.action_proposals import action_from_proposal, find_proposal

    extra = [name for name, value in given.items() if value]
    if extra:
        raise ParameterError(
            f"{extra[0]}: not used with --from-proposal (the proposal gives it); use "
            "--start, --due, --owner or --id, or `reviewkit action update` afterwards"
        )
    record = find_proposal(ws.outputs_dir, proposal_id, lang=ws.config.lang)
    if owner is not None:
        record = {**record, "owner": owner}
    begin = parse_date_option(start, option="--start") if start else ws.today()
    end = parse_date_option(due, option="--due") if due else begin + dt.timedelta(days=30)
    return action_from_proposal(
        record, start=begin, due=end, currency=ws.config.currency, action_id=action_id
    )


def _described_action(
    ws: Any,
    register: Any,
    *,
    title: str | None,
    family: str | None,
    kpi: str | None,
    segments: tuple[str, ...],
    owner: str | None,
    start: str | None,
    due: str | None,
    expected: str | None,
    decided_in: str | None,
    action_id: str | None,
) -> Any:
    """The action the options describe (all of --title ... --due are needed)."""
    from reviewkit.cli.action_options import (
        default_action_id,
        parse_date_option,
        parse_decided_in,
        parse_segment_options,
    )
    from reviewkit.core.periods import last_complete_period
    from reviewkit.errors import ParameterError
    from reviewkit.model.actions import make_action

    required = {"--title": title, "--family": family, "--kpi": kpi, "--owner": owner,
                "--start": start, "--due": due}  # fmt: skip
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise ParameterError(
            f"{', '.join(missing)}: missing; an action needs --title, --family, --kpi, "
            "--owner, --start and --due (or --from-proposal ID)"
        )
    assert title and start and due
    begin = parse_date_option(start, option="--start")
    decided = (
        parse_decided_in(decided_in)
        if decided_in
        else {
            "review": "monthly",
            "period": last_complete_period("monthly", begin, calendar=ws.calendar).label,
        }
    )
    fields = {
        "id": action_id or default_action_id(title, begin, taken=register.ids),
        "title": title,
        "family": family,
        "kpi": kpi,
        "segment": parse_segment_options(segments),
        "owner": owner,
        "decided_in": decided,
        "start": begin,
        "due": parse_date_option(due, option="--due"),
        "status": "open",
        "expected_effect": expected,
    }
    return make_action(fields, source=f"action {fields['id']!r}")


@action.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Every action, not only the open ones.")
@click.option("--status", type=click.Choice(["open", "done", "dropped"]), default=None,
              help="Only the actions with this status.")  # fmt: skip
@click.option("--lang", default="", help="ja or en. Default: the workspace's language.")
@workspace_option
def action_list(show_all: bool, status: str | None, lang: str, workspace: Path | None) -> None:
    """Show the open actions (overdue ones marked), or --all, or one --status."""
    from rich.table import Table
    from rich.text import Text

    from reviewkit.cli.action_options import actions_table, actions_text
    from reviewkit.i18n.texts import check_lang

    ws, _, register = _register(workspace)
    lang = check_lang(lang or ws.config.lang)
    today = ws.today()
    if status:
        chosen = register.with_status(status)
        title = actions_text("table.status", lang, status=actions_text(f"status.{status}", lang))
    elif show_all:
        chosen, title = register, actions_text("table.all", lang)
    else:
        chosen, title = register.open(), actions_text("table.open", lang)
    shown = Path(register.path)
    shown = shown.relative_to(ws.root) if shown.is_relative_to(ws.root) else shown
    if not len(chosen):
        out.print(actions_text("list_none", lang, file=shown), markup=False)
        return
    frame = actions_table(chosen, on=today, lang=lang)
    caption = actions_text(
        "table.caption", lang, file=shown, today=today, overdue=len(chosen.overdue(today))
    )
    table = Table(
        title=Text(title), caption=Text(caption), title_justify="left", caption_justify="left"
    )
    for i, column in enumerate(frame.columns):  # the due date whole; the title gets the room
        table.add_column(Text(str(column)), no_wrap=i == 5, overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[Text(str(v)) for v in row])
    # a terminal's own width; a file or a pipe gets whole lines
    (out if out.is_terminal else Console(highlight=False, width=200)).print(table)


@action.command(name="update")
@click.argument("action_id", metavar="ID")
@click.option("--title", default=None, help="New title.")
@click.option("--family", default=None, help="target, content, follow_up or other.")
@click.option("--kpi", default=None, help="New KPI (a metric key of definitions.yml).")
@click.option("--segment", "segments", multiple=True, metavar="COLUMN=VALUE",
              help="New segment (replaces the old one; repeatable).")  # fmt: skip
@click.option("--whole-funnel", is_flag=True, help="Remove the segment.")
@click.option("--owner", default=None, help="New owner.")
@click.option("--start", default=None, help="New start date YYYY-MM-DD.")
@click.option("--due", default=None, help="New due date YYYY-MM-DD.")
@click.option("--status", default=None,
              help="open (reopens a closed action); to close one use "
              "`reviewkit action close`.")  # fmt: skip
@click.option("--expected", default=None, help="New expected effect, in words.")
@click.option("--decided-in", default=None, metavar="REVIEW:PERIOD",
              help="The review that decided it, e.g. monthly:2026-10.")  # fmt: skip
@workspace_option
def action_update(
    action_id: str,
    title: str | None,
    family: str | None,
    kpi: str | None,
    segments: tuple[str, ...],
    whole_funnel: bool,
    owner: str | None,
    start: str | None,
    due: str | None,
    status: str | None,
    expected: str | None,
    decided_in: str | None,
    workspace: Path | None,
) -> None:
    """Change fields of the action ID."""
    from reviewkit.cli.action_options import (
        parse_date_option,
        parse_decided_in,
        parse_segment_options,
    )
    from reviewkit.errors import ParameterError
    from reviewkit.model.actions import make_action

    ws, definitions, register = _register(workspace)
    old = register.get(action_id)
    if segments and whole_funnel:
        raise ParameterError("--whole-funnel: not used with --segment; give one of the two")
    if status in ("done", "dropped"):
        raise ParameterError(
            f"--status: {status!r} closes the action; use `reviewkit action close {action_id} "
            f"--status {status}` (it records the day and the outcome)"
        )
    changes: dict[str, object] = {
        "title": title, "family": family, "kpi": kpi, "owner": owner,
        "start": parse_date_option(start, option="--start") if start else None,
        "due": parse_date_option(due, option="--due") if due else None,
        "status": status, "expected_effect": expected,
        "decided_in": parse_decided_in(decided_in) if decided_in else None,
        "segment": parse_segment_options(segments) if segments else None,
    }  # fmt: skip
    changes = {k: v for k, v in changes.items() if v is not None}
    if whole_funnel:
        changes["segment"] = None
    if status == "open":
        changes["closed_on"] = None
    if not changes:
        raise ParameterError(
            f"action {action_id!r}: nothing to change; give --title, --family, --kpi, "
            "--segment, --whole-funnel, --owner, --start, --due, --status, --expected or "
            "--decided-in"
        )
    fields = {**old.model_dump(), **changes}
    new = make_action(fields, source=f"action {action_id!r}")
    _save(ws, definitions, register.replace(new), new)
    changed = ", ".join(
        f"{name} {getattr(old, name)} -> {getattr(new, name)}"
        for name in type(new).model_fields
        if getattr(old, name) != getattr(new, name)
    )
    out.print(f"updated {new.id}: {changed or 'no change'}", markup=False)


@action.command(name="close")
@click.argument("action_id", metavar="ID")
@click.option("--status", type=click.Choice(["done", "dropped"]), default="done",
              show_default=True, help="How it ended.")  # fmt: skip
@click.option("--outcome", default=None, help="What came of it, in words.")
@click.option("--on", "on", default=None, help="The day it closed (YYYY-MM-DD). Default: today.")
@workspace_option
def action_close(
    action_id: str, status: str, outcome: str | None, on: str | None, workspace: Path | None
) -> None:
    """Close the action ID as done or dropped, with the day and the outcome."""
    from reviewkit.cli.action_options import parse_date_option
    from reviewkit.model.actions import make_action

    ws, definitions, register = _register(workspace)
    old = register.get(action_id)
    day = parse_date_option(on, option="--on") if on else ws.today()
    fields = {**old.model_dump(), "status": status, "closed_on": day}
    if outcome is not None:
        fields["outcome"] = outcome
    new = make_action(fields, source=f"action {action_id!r}")
    _save(ws, definitions, register.replace(new), new)
    out.print(f"closed {new.id}: {new.status} on {new.closed_on}", markup=False)
