"""The packs of params/schedule.yml, built by Airflow 3 in parallel shards (DAG reviewkit_packs).

The DAG runs the project's own ``reviewkit`` executable (its own virtualenv): Airflow and
reviewkit never share an environment. Tasks, in order:

prepare
    ``reviewkit sync all`` when the workspace has ``params/sources/sync/*.yml`` (param
    ``prepare=auto``), always (``sync``), never (``none``, one log line), or your own command
    (``command``: ``prepare_command``, e.g. a ``reviewkit import ...``). A failure stops the run:
    no pack is built from half-updated data.
plan
    Fixes the review date (param ``as_of``, else the date, in the workspace's time zone, at which
    the run's data interval ends: the scheduled time, not the time a task starts), runs
    ``reviewkit batch --list`` and splits the names into shards for ``build``.
build
    One mapped task per shard: ``reviewkit batch --part --no-deliver --only NAME ...``. Exit 1 (a
    pack failed) fails that shard only; exit 2 (bad input) fails it without retries.
publish
    The whole ``reviewkit batch`` once every shard is done, even failed ones: it skips what the
    shards built, rebuilds what they failed to build, writes last-batch.json and the index and
    delivers (params/delivery.yml). The run fails when it fails (exit 1, 2, or 3: a delivery).

Settings: the Params below, whose defaults come from environment variables of the Airflow
processes (REVIEWKIT_BIN, REVIEWKIT_WORKSPACE, ...; see README.md). No secret goes here: sync
and delivery credentials stay in reviewkit's environment or credentials file.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from airflow.sdk import (
    CronTriggerTimetable,
    Param,
    TriggerRule,
    conf,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.exceptions import AirflowException, AirflowFailException

log = logging.getLogger("reviewkit_packs")

# Airflow refuses to map more than [core] max_map_length items (1,024 by default).
MAX_SHARDS = conf.getint("core", "max_map_length", fallback=1024)
# Bytes a shard's command line may take (each argument, its NUL and its pointer): far below any
# ARG_MAX (2 MiB on Linux, shared with the environment; 1 MiB on macOS).
ARG_BUDGET = 128 * 1024
STOP_SECONDS = 60  # a stopped task's reviewkit gets SIGTERM, then SIGKILL after this
EXIT_BAD_INPUT = 2
EXIT_DELIVERY = 3


def _env_int(name: str, default: int) -> int:
    """The integer in environment variable ``name``, else ``default``."""
    text = os.environ.get(name, "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        raise ValueError(f"environment variable {name}={text!r} is not an integer") from None


def _schedule() -> CronTriggerTimetable | None:
    """When runs start: REVIEWKIT_SCHEDULE in zone REVIEWKIT_SCHEDULE_TIMEZONE.

    The cron expression defaults to 0 2 * * * (nightly, 02:00), the zone to UTC; none: manual
    runs only. E.g. 0 2 * * * and Asia/Tokyo: 02:00 in Tokyo.
    """
    text = os.environ.get("REVIEWKIT_SCHEDULE", "").strip() or "0 2 * * *"
    zone = os.environ.get("REVIEWKIT_SCHEDULE_TIMEZONE", "").strip() or "UTC"
    return None if text.lower() == "none" else CronTriggerTimetable(text, timezone=zone)


PARAMS = {
    "reviewkit": Param(
        os.environ.get("REVIEWKIT_BIN", "reviewkit"), type="string", minLength=1,
        description="The project's reviewkit executable (its own venv), e.g. "
        "/srv/reviewkit/.venv/bin/reviewkit. Env: REVIEWKIT_BIN.",
    ),
    "workspace": Param(
        os.environ.get("REVIEWKIT_WORKSPACE", ""), type="string",
        description="The workspace folder (params/, data/, outputs/). Env: REVIEWKIT_WORKSPACE.",
    ),
    "only": Param(
        shlex.split(os.environ.get("REVIEWKIT_ONLY", "")), type="array",
        items={"type": "string"},
        description="--only patterns (e.g. 'monthly/*'); empty: the whole schedule. "
        "Env: REVIEWKIT_ONLY (space-separated).",
    ),
    "jobs": Param(
        _env_int("REVIEWKIT_JOBS", 2), type="integer", minimum=1, maximum=64,
        description="--jobs of each shard task and of publish. Env: REVIEWKIT_JOBS.",
    ),
    "shard_min_size": Param(
        _env_int("REVIEWKIT_SHARD_MIN_SIZE", 4), type="integer", minimum=1,
        description="Packs per shard at least (more when the schedule would need more than "
        f"{MAX_SHARDS} shards). Env: REVIEWKIT_SHARD_MIN_SIZE.",
    ),
    "as_of": Param(
        "", type="string", pattern=r"^(\d{4}-\d{2}-\d{2})?$",
        description="Review date YYYY-MM-DD; empty: the run's data interval end, as a date in "
        "the time zone below.",
    ),
    "timezone": Param(
        os.environ.get("REVIEWKIT_TIMEZONE", ""), type="string",
        description="IANA zone of the review date; empty: the workspace's (params/workspace.yml)."
        " Env: REVIEWKIT_TIMEZONE.",
    ),
    "prepare": Param(
        os.environ.get("REVIEWKIT_PREPARE", "auto"), enum=["auto", "sync", "none", "command"],
        description="auto: reviewkit sync all if params/sources/sync/ has a source; sync: "
        "always; none: nothing; command: prepare_command. Env: REVIEWKIT_PREPARE.",
    ),
    "prepare_command": Param(
        os.environ.get("REVIEWKIT_PREPARE_COMMAND", ""), type="string",
        description="With prepare=command: a command line (no shell) run before the build, "
        "with REVIEWKIT_WORKSPACE set. Env: REVIEWKIT_PREPARE_COMMAND.",
    ),
}  # fmt: skip


# --- pure helpers (tested by check_dag.py) -------------------------------------------------


def escape(name: str) -> str:
    """``name`` as an ``--only`` pattern that matches it alone (``[``, ``*``, ``?`` bracketed)."""
    return re.sub(r"([\[*?])", r"[\1]", name)


def argv_bytes(argv: Sequence[str]) -> int:
    """What ``argv`` takes of ARG_MAX: each argument, its NUL and its pointer."""
    return sum(len(arg.encode()) + 1 + 8 for arg in argv)


def only_args(names: Sequence[str]) -> list[str]:
    """``--only NAME`` for each of ``names``, escaped: each matches its one pack."""
    return [arg for name in names for arg in ("--only", escape(name))]


def split_shards(
    names: Sequence[str],
    *,
    min_size: int,
    max_shards: int = MAX_SHARDS,
    base_bytes: int = 0,
    budget: int = ARG_BUDGET,
) -> list[list[str]]:
    """``names`` in shards of ``max(min_size, ceil(n / max_shards))``, in order.

    A shard whose command line (``base_bytes`` plus its ``--only`` arguments) would pass
    ``budget`` bytes gets fewer names.

    Raises
    ------
    ValueError
        When that makes more than ``max_shards`` shards, or one name alone is too long.
    """
    if not names:
        return []
    size = max(min_size, math.ceil(len(names) / max_shards))
    shards: list[list[str]] = []
    current: list[str] = []
    used = base_bytes
    for name in names:
        cost = argv_bytes(only_args([name]))
        if base_bytes + cost > budget:
            raise ValueError(f"pack name {name[:80]!r}...: too long for a command line")
        if current and (len(current) >= size or used + cost > budget):
            shards.append(current)
            current, used = [], base_bytes
        current.append(name)
        used += cost
    shards.append(current)
    if len(shards) > max_shards:
        raise ValueError(
            f"{len(names)} packs need {len(shards)} shards of at most {ARG_BUDGET:,} bytes of "
            f"arguments; Airflow maps at most {max_shards} ([core] max_map_length): raise it, "
            "or split the schedule with the only param over several DAGs"
        )
    return shards


def review_date(moment: dt.datetime, zone: str) -> str:
    """The date ``YYYY-MM-DD`` of ``moment`` in time zone ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


# --- running reviewkit ---------------------------------------------------------------------


def _settings() -> tuple[dict[str, Any], Path]:
    """The run's params and its workspace folder (checked)."""
    params = dict(get_current_context()["params"])
    workspace = Path(params["workspace"]).expanduser()
    if not (workspace / "params" / "workspace.yml").is_file():
        raise AirflowFailException(
            f"param workspace={params['workspace']!r}: no params/workspace.yml there; set the "
            "workspace folder (param workspace, or REVIEWKIT_WORKSPACE for the Airflow processes)"
        )
    return params, workspace


def _shown(argv: Sequence[str]) -> str:
    """``argv`` for the log, shortened after 12 arguments."""
    more = f" ... ({len(argv) - 12} more arguments)" if len(argv) > 12 else ""
    return shlex.join(argv[:12]) + more


def run(argv: Sequence[str], *, workspace: Path, capture: bool = False) -> tuple[int, str]:
    """Run ``argv`` (its output in the task log): its exit code and, with ``capture``, stdout.

    A task stopped by Airflow (timeout, mark failed) stops the command: SIGTERM (reviewkit
    publishes nothing half-built and exits), SIGKILL after STOP_SECONDS.
    """
    log.info("$ %s", _shown(argv))
    env = {**os.environ, "REVIEWKIT_WORKSPACE": str(workspace)}
    try:
        proc = subprocess.Popen(
            list(argv), env=env, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if capture else subprocess.STDOUT,
        )  # fmt: skip
    except OSError as error:
        raise AirflowFailException(
            f"cannot run {argv[0]!r} ({error}); set param reviewkit (REVIEWKIT_BIN) to the "
            "project's reviewkit executable"
        ) from None
    try:
        if capture:
            stdout, stderr = proc.communicate()
            for line in stderr.splitlines():
                log.info("%s", line)
            return proc.returncode, stdout
        assert proc.stdout is not None
        for line in proc.stdout:
            log.info("%s", line.rstrip("\n"))
        return proc.wait(), ""
    except BaseException:
        proc.terminate()
        try:
            proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise


def check(code: int, what: str) -> None:
    """Fail the task unless ``code`` is 0: without retries for bad input (exit 2)."""
    if code == 0:
        return
    message = f"{what}: exit {code}; see the log above"
    if code == EXIT_BAD_INPUT:
        raise AirflowFailException(message + " (bad input: fix it, retrying cannot help)")
    raise AirflowException(message)


# --- the tasks -----------------------------------------------------------------------------


@task
def prepare() -> None:
    """Sync or import before the build, as param ``prepare`` says."""
    params, workspace = _settings()
    mode, reviewkit = params["prepare"], params["reviewkit"]
    if mode == "command":
        argv = shlex.split(params["prepare_command"])
        if not argv:
            raise AirflowFailException("param prepare=command needs prepare_command")
        check(run(argv, workspace=workspace)[0], "prepare_command")
        return
    sources = sorted((workspace / "params" / "sources" / "sync").glob("*.yml"))
    if mode == "none" or (mode == "auto" and not sources):
        why = "prepare=none" if mode == "none" else "no params/sources/sync/*.yml"
        log.info("prepare: nothing synced or imported (%s in %s)", why, workspace)
        return
    ws = ["--workspace", str(workspace)]
    check(run([reviewkit, "sync", "all", *ws], workspace=workspace)[0], "reviewkit sync all")
    run([reviewkit, "sources", *ws], workspace=workspace)  # where each source stands, logged


@task
def plan() -> list[list[str]]:
    """The shards of pack names (``reviewkit batch --list``); the review date as XCom as_of."""
    params, workspace = _settings()
    as_of = params["as_of"] or review_date(_run_moment(), _zone(params, workspace))
    reviewkit = params["reviewkit"]
    argv = [reviewkit, "batch", "--list", "--workspace", str(workspace)]
    argv += [arg for pattern in params["only"] for arg in ("--only", pattern)]
    code, stdout = run(argv, workspace=workspace, capture=True)
    check(code, "reviewkit batch --list")
    names = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not names:
        raise AirflowFailException(f"reviewkit batch --list: no pack (only={params['only']})")
    base = _part_command(params, workspace, as_of)
    try:
        shards = split_shards(names, min_size=params["shard_min_size"], base_bytes=argv_bytes(base))
    except ValueError as error:
        raise AirflowFailException(str(error)) from None
    log.info("as of %s: %d packs in %d shards", as_of, len(names), len(shards))
    get_current_context()["ti"].xcom_push(key="as_of", value=as_of)
    return shards


@task(map_index_template="{{ shard_label }}")
def build(names: list[str], as_of: str) -> int:
    """One shard: ``reviewkit batch --part --no-deliver --only NAME ...``; returns its packs."""
    params, workspace = _settings()
    get_current_context()["shard_label"] = (
        names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"
    )
    argv = _part_command(params, workspace, as_of) + only_args(names)
    check(run(argv, workspace=workspace)[0], f"shard of {len(names)} packs from {names[0]}")
    return len(names)


@task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
def publish(as_of: str) -> None:
    """The whole batch: skips what the shards built, rebuilds failures, index and delivery."""
    params, workspace = _settings()
    argv = [params["reviewkit"], "batch", "--workspace", str(workspace), "--as-of", as_of]
    argv += ["--jobs", str(params["jobs"])]
    argv += [arg for pattern in params["only"] for arg in ("--only", pattern)]
    code = run(argv, workspace=workspace)[0]
    if code == EXIT_DELIVERY:
        raise AirflowFailException(
            "reviewkit batch: exit 3, a delivery failed (every pack is published); fix it, then "
            "`reviewkit deliver` (docs/delivery.md)"
        )
    check(code, "reviewkit batch")


def _part_command(params: dict[str, Any], workspace: Path, as_of: str) -> list[str]:
    """A shard's command without its ``--only`` arguments."""
    return [
        params["reviewkit"], "batch", "--part", "--no-deliver", "--workspace", str(workspace),
        "--as-of", as_of, "--jobs", str(params["jobs"]),
    ]  # fmt: skip


def _run_moment() -> dt.datetime:
    """When the run's data interval ends (a manual run without one: its logical date or start)."""
    context = get_current_context()
    dag_run = context["dag_run"]
    for moment in (context.get("data_interval_end"), context.get("logical_date")):
        if moment is not None:
            return moment
    return dag_run.run_after


def _zone(params: dict[str, Any], workspace: Path) -> str:
    """Param ``timezone``, else the workspace's (params/workspace.yml), else UTC."""
    if params["timezone"]:
        return str(params["timezone"])
    path = workspace / "params" / "workspace.yml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return str(settings.get("timezone") or "UTC")


@dag(
    dag_id="reviewkit_packs",
    schedule=_schedule(),
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,  # two runs would refuse each other's lock
    params=PARAMS,
    default_args={"retries": 0},
    tags=["reviewkit"],
    doc_md=__doc__,
)
def reviewkit_packs() -> None:
    """Tasks prepare >> plan >> build (one per shard) >> publish."""
    planned = plan()
    prepare() >> planned
    built = build.partial(as_of=planned["as_of"]).expand(names=planned)
    built >> publish(as_of=planned["as_of"])


reviewkit_packs()
