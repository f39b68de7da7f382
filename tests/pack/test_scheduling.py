"""The cron and systemd examples in ``deploy/``: they parse, agree, and the command they run works.

Each example's command is run as written, with ``/srv/reviewkit`` replaced by a copy of the
sample workspace (whose ``.venv`` links to the environment running the tests) and one
``--only`` pattern added so that it builds a single pack.
"""

from __future__ import annotations

import configparser
import datetime as dt
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import REPO, Block

from reviewkit.i18n.texts import t

pytestmark = pytest.mark.integration

DEPLOY = REPO / "deploy"
PLACEHOLDER = "/srv/reviewkit"
DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
# (low, high) of each cron time field; day of week 7 is Sunday too
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
ON_CALENDAR = re.compile(
    r"^(?P<days>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:(?:\.\.|,)(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))*) "
    r"\*-\*-\* (?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))? "
    r"(?P<zone>[A-Za-z_]+/[A-Za-z_]+)$"
)


# --- reading the examples ------------------------------------------------------------------


def cron_entries(text: str) -> tuple[dict[str, str], list[tuple[list[str], str]]]:
    """A user crontab's variables and jobs (the five time fields and the command)."""
    env: dict[str, str] = {}
    jobs: list[tuple[list[str], str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if match := ENV_LINE.match(line):
            env[match[1]] = match[2]
            continue
        *fields, command = line.split(None, 5)
        jobs.append((fields, command))
    return env, jobs


def cron_values(field: str, low: int, high: int) -> set[int]:
    """The values a cron time field stands for; fails on anything cron would refuse."""
    values: set[int] = set()
    for part in field.split(","):
        match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        assert match, f"{field!r} is not a cron time field"
        start, end = (low, high) if match[1] == "*" else (int(match[2]), int(match[3] or match[2]))
        step = int(match[4] or 1)
        assert low <= start <= end <= high and step >= 1, f"{field!r} is out of {low}-{high}"
        values |= set(range(start, end + 1, step))
    return values


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def calendar_days(days: str) -> set[int]:
    """``Mon..Fri`` or ``Mon,Wed`` as cron day numbers (Sunday 0)."""
    out: set[int] = set()
    for part in days.split(","):
        first, _, last = part.partition("..")
        out |= set(range(DAYS.index(first), DAYS.index(last or first) + 1))
    return out


@pytest.fixture(scope="module")
def cron() -> tuple[dict[str, str], list[str], str]:
    env, jobs = cron_entries((DEPLOY / "reviewkit-batch.cron").read_text(encoding="utf-8"))
    assert len(jobs) == 1, jobs
    fields, command = jobs[0]
    return env, fields, command


def test_the_cron_line_is_valid_and_runs_the_batch_from_the_workspace(cron):
    env, fields, command = cron
    assert len(fields) == 5
    minutes, hours, days, months, weekdays = (
        cron_values(f, lo, hi) for f, (lo, hi) in zip(fields, RANGES, strict=True)
    )
    assert (minutes, hours) == ({30}, {6})
    assert days == set(range(1, 32)) and months == set(range(1, 13))
    assert weekdays == {1, 2, 3, 4, 5}  # Monday to Friday
    ZoneInfo(env["CRON_TZ"])  # a real IANA zone
    assert env["CRON_TZ"] == "Asia/Tokyo"
    assert "%" not in command  # cron would turn it into a newline
    tokens = shlex.split(command)
    assert tokens[:3] == ["cd", PLACEHOLDER, "&&"]
    start = tokens.index(".venv/bin/reviewkit")
    assert tokens[start : start + 4] == [".venv/bin/reviewkit", "batch", "--as-of", "auto"]
    assert tokens[start + 4 : start + 6] == ["--jobs", "2"]
    assert tokens[3:start] in ([], ["timeout", "2h"])


def test_the_systemd_units_have_what_a_scheduled_batch_needs():
    service, timer = unit("reviewkit-batch.service"), unit("reviewkit-batch.timer")
    s = service["Service"]
    assert s["Type"] == "oneshot"
    assert s["WorkingDirectory"] == PLACEHOLDER
    assert shlex.split(s["ExecStart"]) == [
        f"{PLACEHOLDER}/.venv/bin/reviewkit", "batch", "--as-of", "auto", "--jobs", "2",
    ]  # fmt: skip
    assert 0 < int(s["Nice"]) <= 19
    assert s["IOSchedulingClass"] in {"best-effort", "idle"}
    assert re.fullmatch(r"\d+(\.\d+)?[KMGT]?|\d+%", s["MemoryMax"])
    assert s["PrivateNetwork"] == "yes"  # runs never reach the network
    assert re.fullmatch(r"\d+(h|min|s)", s["TimeoutStartSec"])
    assert service["Unit"]["Description"]

    tm = timer["Timer"]
    assert tm["Persistent"] == "true"
    assert tm["Unit"] == "reviewkit-batch.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    match = ON_CALENDAR.match(tm["OnCalendar"])
    assert match, tm["OnCalendar"]
    ZoneInfo(match["zone"])


def test_cron_and_the_timer_start_at_the_same_time(cron):
    env, fields, _ = cron
    match = ON_CALENDAR.match(unit("reviewkit-batch.timer")["Timer"]["OnCalendar"])
    assert match
    assert match["zone"] == env["CRON_TZ"]
    assert (int(match["minute"]), int(match["hour"])) == (int(fields[0]), int(fields[1]))
    assert calendar_days(match["days"]) == cron_values(fields[4], 0, 7)


def test_systemd_accepts_the_units(tmp_path):
    on_calendar = unit("reviewkit-batch.timer")["Timer"]["OnCalendar"]
    assert ON_CALENDAR.match(on_calendar)  # the check where systemd-analyze is missing
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    result = subprocess.run(
        [analyze, "calendar", on_calendar], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"Normalized form: {on_calendar}" in result.stdout
    # verify wants ExecStart to exist: point the units at this environment's reviewkit
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".venv").symlink_to(Path(sys.prefix))
    for name in ("reviewkit-batch.service", "reviewkit-batch.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8").replace(PLACEHOLDER, str(root))
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "reviewkit-batch.service"),
         str(tmp_path / "reviewkit-batch.timer")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


# --- running what they run -----------------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(sample_workspace, tmp_path_factory) -> Path:
    """A copy of the sample workspace laid out as deployed: the repository's schedule, .venv."""
    root = tmp_path_factory.mktemp("deployed") / "reviewkit"
    shutil.copytree(sample_workspace.root / "params", root / "params")
    shutil.copy(REPO / "params" / "schedule.yml", root / "params" / "schedule.yml")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    (root / ".venv").symlink_to(Path(sys.prefix))
    assert (root / ".venv" / "bin" / "reviewkit").is_file()
    return root


def minimal_env(home: Path) -> dict[str, str]:
    """About what cron and systemd give a job: no activated environment, no workspace."""
    home.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LOGNAME": "reviewkit", "SHELL": "/bin/sh"}


def check_run(root: Path, name: str, folder: str) -> None:
    """The run built ``name``: its pack, the log, last-batch.json and the index block."""
    out = root / "outputs"
    assert (out / folder / "pack.html").is_file()
    record = json.loads((out / "_logs" / "last-batch.json").read_text(encoding="utf-8"))
    assert record["counts"] == {"built": 1, "skipped": 0, "failed": 0}
    # "auto" as given, or (better: the index can show it) the day it stood for
    today = dt.datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
    assert record["as_of"] == today and record["failed"] == []  # auto is resolved once
    log = out / record["log"]
    assert re.fullmatch(r"batch-\d{8}T\d{6}Z-\d+\.log", log.name)
    assert f"{name}: built in" in log.read_text(encoding="utf-8")
    manifest = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["workspace"] == str(root)
    block = Block((out / "index.html").read_text(encoding="utf-8"))  # the workspace is ja
    assert block.found and block.state == "finished" and not block.alert
    assert f"{t('index.batch.built', 'ja')} 1" in block.text
    assert f"{t('index.batch.failed', 'ja')} 0" in block.text
    assert block.links == [("rk-log", record["log"])]


def test_the_cron_command_builds_the_packs(deployed, cron, tmp_path):
    env, _, command = cron
    name = "weekly/company/ja"
    assert command.count(" batch ") == 1
    command = command.replace(PLACEHOLDER, str(deployed)).replace(
        " batch ", f" batch --only {shlex.quote(name)} "
    )
    result = subprocess.run(
        ["/bin/sh", "-c", command], env={**minimal_env(tmp_path / "home"), **env},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""  # cron mails nothing after a good run
    week = json.loads(
        next((deployed / "outputs" / "weekly").glob("*/manifest.json")).read_text("utf-8")
    )["period"]
    check_run(deployed, name, f"weekly/{week}")


def test_the_systemd_service_builds_the_packs(deployed, tmp_path):
    s = unit("reviewkit-batch.service")["Service"]
    name = "weekly/sales_team-team-a/ja"
    argv = [a.replace(PLACEHOLDER, str(deployed)) for a in shlex.split(s["ExecStart"])]
    result = subprocess.run(
        [*argv, "--only", name], cwd=s["WorkingDirectory"].replace(PLACEHOLDER, str(deployed)),
        env=minimal_env(tmp_path / "home"), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1 built, 0 skipped, 0 failed" in result.stdout  # what the journal shows
    folders = list((deployed / "outputs" / "weekly").glob("*/sales_team-team-a"))
    assert len(folders) == 1
    check_run(deployed, name, folders[0].relative_to(deployed / "outputs").as_posix())
