"""Attacks on stopping and sharing: signals mid-run, kill -9, two runs at once (issue 20, 2).

A batch is started in a zoo workspace and signalled once it is really building (a pack's
executed notebook in ``_staging/``). Then: the exit code (130 SIGINT, 143 SIGTERM), one line,
no process left of the run (workers and kernels: found by a variable only this run's
processes carry in their environment), no ``pack.html`` changed after the kill, the store's
lock free at once (a read-write connection), the log, ``last-batch.json`` and the index
saying "interrupted", and the next batch removing what a killed run left before it builds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil
import pytest
from attack_harness import Attack, assert_refused, attack_workspace, run_cli, store_digest

from reviewkit.core import interrupts
from reviewkit.errors import RunInterruptedError
from reviewkit.pack.index_page import render_index
from reviewkit.pack.staging import OWNER_FILE, claim, sweep

TAG = "REVIEWKIT_SIGNALS_ATTACK"  # in the environment of every process of the run under attack
MONTHLY = ("--only", "monthly/*")  # five packs: two start at once with --jobs 2
ONE_PACK = ("--only", "monthly/company/en")
START_SECONDS = 240.0  # the machine is shared: a kernel may take long to start
GONE_SECONDS = 30.0  # every process of a stopped run is gone within this (measured: ~1 s)

ATTACKS: list[Attack] = [
    Attack("signals-batch-sigint-background", "signals", "interrupted",
           "SIGINT to a batch started as a background job (SIGINT ignored): exit 130"),
    Attack("signals-batch-sigterm", "signals", "interrupted",
           "SIGTERM to a building batch: exit 143, workers and kernels stopped"),
    Attack("signals-batch-sigterm-group", "signals", "interrupted",
           "SIGTERM to the batch's whole process group (systemctl stop): exit 143, none failed"),
    Attack("signals-batch-sigkill", "signals", "interrupted",
           "kill -9 of a building batch: no orphan, no pack published after it, lock free"),
    Attack("signals-next-batch-sweeps-staging", "signals", "works",
           "the batch after a kill removes stale _staging folders and temp files, then builds"),
    Attack("signals-run-sigint", "signals", "interrupted",
           "SIGINT to `reviewkit run`: exit 130, no pack, kernel stopped"),
    Attack("signals-run-sigterm", "signals", "interrupted",
           "SIGTERM to `reviewkit run`: exit 143, no pack, kernel stopped"),
    Attack("signals-orphan-worker-publishes-nothing", "signals", "interrupted",
           "a worker whose batch is gone reaches the publish step: nothing is moved"),
    Attack("signals-signal-during-publish-held", "signals", "works",
           "a signal in the publish step waits until the pack is whole"),
    Attack("signals-child-dies-with-parent", "signals", "interrupted",
           "a process armed with the parent-death signal dies when its parent is killed -9"),
    Attack("signals-live-staging-kept", "concurrency", "works",
           "a run's sweep never removes the staging folder of a run that is still alive"),
    Attack("signals-two-batches", "concurrency", "failed",
           "a second batch while one builds: refused in one line, exit 1"),
    Attack("signals-import-during-batch", "concurrency", "failed",
           "an import while a batch builds: refused in one line, exit 1, store unchanged"),
    Attack("signals-run-while-import-holds-lock", "concurrency", "failed",
           "`reviewkit run` while an import holds the store: one line, exit 1, nothing left"),
    Attack("signals-batch-while-import-holds-lock", "concurrency", "failed",
           "a batch while an import holds the store: one line, exit 1, no batch shown running"),
]  # fmt: skip
BY_ID = {a.id: a for a in ATTACKS}


# --- helpers -------------------------------------------------------------------------------


def _ignore_sigint() -> None:  # what a shell does for a job started with `&`
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(
    ws: Path, *args: str, background: bool = False, session: bool = False
) -> subprocess.Popen[str]:
    """``reviewkit ARGS`` in ``ws``, its output in files, tagged for :func:`_processes`.

    ``background``: SIGINT ignored, as a shell starts a job with ``&``; ``session``: in a
    process group of its own (to signal the group).
    """
    env = {**os.environ, TAG: str(ws)}
    with (ws / "stdout.txt").open("w") as out, (ws / "stderr.txt").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "reviewkit.cli.main", *args],
            cwd=ws,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
            preexec_fn=_ignore_sigint if background else None,
            start_new_session=session,
        )


def _wait_until(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    """Wait (deadline :data:`START_SECONDS`) until ``ready()``; fail if ``proc`` ends first."""
    deadline = time.monotonic() + START_SECONDS
    while not ready():
        assert time.monotonic() < deadline, f"no {what} after {START_SECONDS} s"
        try:
            proc.wait(timeout=0.1)  # the pause between looks: returns at once if it ended
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"ended ({proc.returncode}) before {what}")


def _building(ws: Path) -> Callable[[], bool]:
    """True once a pack's template is executing (its notebook is in a staging folder)."""
    return lambda: any((ws / "outputs" / "_staging").glob("*/notebook.ipynb"))


def _finish(proc: subprocess.Popen[str], ws: Path) -> subprocess.CompletedProcess[str]:
    code = proc.wait(timeout=120)
    err = (ws / "stderr.txt").read_text(encoding="utf-8")
    out = (ws / "stdout.txt").read_text(encoding="utf-8")
    return subprocess.CompletedProcess(proc.args, code, out, err)


def _processes(ws: Path) -> list[psutil.Process]:
    """Every live process carrying ``ws``'s tag (the run, its workers, their kernels)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get(TAG) == str(ws):
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _assert_no_orphans(ws: Path) -> None:
    _, alive = psutil.wait_procs(_processes(ws), timeout=GONE_SECONDS)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, [(p.pid, p.cmdline()) for p in alive]


def _packs(ws: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (ws / "outputs").rglob("pack.html")}


def _assert_store_free(ws: Path) -> None:
    """A read-write connection (what an import opens) succeeds at once."""
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"))
    con.close()


def _seconds_until_store_free(ws: Path, *, within: float) -> float:
    """How long until a read-write connection succeeds (fails after ``within`` seconds)."""
    started = time.monotonic()
    while True:
        try:
            duckdb.connect(str(ws / "data" / "reviewkit.duckdb")).close()
            return time.monotonic() - started
        except duckdb.IOException:
            assert time.monotonic() - started < within, f"store still locked after {within} s"
            psutil.wait_procs(_processes(ws), timeout=0.1)  # the pause: its holders ending


def _assert_interrupted_everywhere(ws: Path, name: str) -> None:
    logs = ws / "outputs" / "_logs"
    record = json.loads((logs / "last-batch.json").read_text(encoding="utf-8"))
    assert record["status"] == "interrupted" and record["signal"] == name, record
    assert record["counts"]["interrupted"] >= 1, record
    log = (logs / record["log"].rpartition("/")[2]).read_text(encoding="utf-8")
    assert f"interrupted by {name}" in log
    for pack in _packs(ws):  # a pack finished in its publish step is in the log, none behind it
        assert "built in" in log and pack.relative_to(ws / "outputs").as_posix() in log, pack
    index = (ws / "outputs" / "index.html").read_text(encoding="utf-8")
    assert 'data-state="interrupted"' in index and f"interrupted by {name}" in index
    assert not (ws / "outputs" / "_staging").exists(), list((ws / "outputs").rglob("*"))


@pytest.fixture
def ws(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return attack_workspace(tmp_path, tmp_path_factory)


# --- signals to a batch --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attack", "signum", "code", "how"),
    [
        pytest.param(BY_ID["signals-batch-sigint-background"], signal.SIGINT, 130, "background",
                     id="signals-batch-sigint-background"),
        pytest.param(BY_ID["signals-batch-sigterm"], signal.SIGTERM, 143, "process",
                     id="signals-batch-sigterm"),
        pytest.param(BY_ID["signals-batch-sigterm-group"], signal.SIGTERM, 143, "group",
                     id="signals-batch-sigterm-group"),
    ],
)  # fmt: skip
def test_a_signalled_batch_stops_cleanly(
    ws: Path, attack: Attack, signum: int, code: int, how: str
) -> None:
    proc = _start(ws, "batch", "--jobs", "2", *MONTHLY, background=how == "background",
                  session=how == "group")  # fmt: skip
    _wait_until(proc, _building(ws), "pack being built")
    if how == "group":  # the batch, its workers (the kernels lead sessions of their own)
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    result = _finish(proc, ws)
    name = signal.Signals(signum).name
    line = assert_refused(result, code)
    assert f"batch interrupted by {name}" in line and "0 failed" in line, line
    _assert_no_orphans(ws)
    _assert_store_free(ws)
    _assert_interrupted_everywhere(ws, name)
    assert attack.outcome == "interrupted"


def test_kill_9_leaves_no_orphan_and_the_next_batch_sweeps_and_builds(ws: Path) -> None:
    proc = _start(ws, "batch", "--jobs", "2", *MONTHLY)
    _wait_until(proc, _building(ws), "pack being built")
    before = _packs(ws)
    proc.kill()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert _seconds_until_store_free(ws, within=10.0) < 10.0  # measured: ~0.3 s
    _assert_no_orphans(ws)  # workers and kernels gone: nothing can publish from here on
    assert _packs(ws) == before, "a pack was published after the batch was killed"
    assert (ws / "stderr.txt").read_text(encoding="utf-8") == ""  # no child's last words
    _assert_store_free(ws)
    out = ws / "outputs"
    for lang, words in (("en", "(killed)"), ("ja", "（強制終了）")):  # it could not say so itself
        page = render_index(out, lang=lang, timezone="UTC")
        assert 'data-state="interrupted"' in page and words in page
    # what a worker killed outright would leave, and a live run's folder
    dead = _dead_pid()
    stale = out / "_staging" / "monthly-2026-11-en-deadbeef"
    stale.mkdir(parents=True, exist_ok=True)
    (stale / OWNER_FILE).write_text(f"{dead} 1\n", encoding="ascii")
    (stale / "notebook.ipynb").write_text("{}", encoding="utf-8")
    temp = out / f".index.html.{dead}-abc123xy.tmp"
    temp.write_text("half", encoding="utf-8")
    live = out / "_staging" / "weekly-2026-S49-en-1111aaaa"
    live.mkdir()
    claim(live)  # owned by this test process: alive
    result = run_cli("batch", "--jobs", "2", *ONE_PACK, cwd=ws, env={TAG: str(ws)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 built" in result.stdout, result.stdout[-2000:]
    assert not stale.exists() and not temp.exists()
    assert live.is_dir(), "the sweep removed a live run's staging folder"
    record = json.loads((out / "_logs" / "last-batch.json").read_text(encoding="utf-8"))
    assert record["status"] == "finished" and record["counts"]["built"] == 1
    log = (out / "_logs" / record["log"].rpartition("/")[2]).read_text(encoding="utf-8")
    assert "a killed run left" in log and f"process {proc.pid}" in log and "never finished" in log
    _assert_no_orphans(ws)


def _dead_pid() -> int:
    """The process id of a process that has ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# --- signals to a single run ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("attack", "signum", "code"),
    [
        pytest.param(BY_ID["signals-run-sigint"], signal.SIGINT, 130, id="signals-run-sigint"),
        pytest.param(BY_ID["signals-run-sigterm"], signal.SIGTERM, 143, id="signals-run-sigterm"),
    ],
)
def test_a_signalled_run_publishes_nothing_and_stops_its_kernel(
    ws: Path, attack: Attack, signum: int, code: int
) -> None:
    proc = _start(ws, "run", "monthly")
    _wait_until(proc, _building(ws), "pack being built")
    proc.send_signal(signum)
    result = _finish(proc, ws)
    line = assert_refused(result, code)
    assert f"interrupted by {signal.Signals(signum).name}" in line, line
    _assert_no_orphans(ws)
    _assert_store_free(ws)
    out = ws / "outputs"
    assert not _packs(ws), "a pack was published by an interrupted run"
    assert not (out / "_staging").exists() and not (out / "_failed").exists()
    assert attack.cls == "signals"


# --- the pieces, in process ----------------------------------------------------------------


def test_a_worker_whose_batch_is_gone_publishes_nothing(tmp_path: Path) -> None:
    from reviewkit.pack.publish import publish

    staging, target = tmp_path / "staging", tmp_path / "monthly" / "2026-11"
    staging.mkdir()
    for name in ("notebook.ipynb", "manifest.json", "pack.html"):
        (staging / name).write_text("{}", encoding="utf-8")
    interrupts.expect_parent(_dead_pid())  # the batch that started this worker is gone
    try:
        with pytest.raises(interrupts.Interrupt), interrupts.publish_step():
            publish(staging, target)
    finally:
        interrupts.expect_parent(None)
    assert not target.exists()
    assert BY_ID["signals-orphan-worker-publishes-nothing"].outcome == "interrupted"


def test_a_signal_during_the_publish_step_waits_until_the_pack_is_whole() -> None:
    moved = []
    with pytest.raises(interrupts.Interrupt) as caught, interrupts.catching():
        with interrupts.publish_step():
            os.kill(os.getpid(), signal.SIGTERM)
            moved.append("pack.html")  # reached: the signal did not cut the step
        interrupts.checkpoint()
        moved.append("after")  # not reached: the held signal is raised at the checkpoint
    assert moved == ["pack.html"] and caught.value.signum == signal.SIGTERM
    with pytest.raises(RunInterruptedError) as stopped, interrupts.interruptible("x"):
        os.kill(os.getpid(), signal.SIGINT)
        moved.append("unreached")
    assert stopped.value.exit_code == 130 and "interrupted by SIGINT" in str(stopped.value)
    assert moved == ["pack.html"]
    assert BY_ID["signals-signal-during-publish-held"].outcome == "works"


CHILD = (
    "import os, signal, sys; from reviewkit.core.interrupts import die_with_parent; "
    "die_with_parent(signal.SIGKILL); print(os.getpid(), flush=True); sys.stdin.read()"
)


def test_a_child_armed_with_the_parent_death_signal_dies_with_its_parent() -> None:
    middle = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.Popen([sys.executable, "
         f"'-c', {CHILD!r}]); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert middle.stdout is not None
        child = psutil.Process(int(middle.stdout.readline()))
        assert child.is_running()
        middle.kill()  # kill -9: the child can learn it only from the kernel
        middle.wait(timeout=30)
        _, alive = psutil.wait_procs([child], timeout=GONE_SECONDS)
        assert not alive, "the child outlived its parent"
    finally:
        if middle.stdin is not None:
            middle.stdin.close()  # ends both if the assertion failed
    assert BY_ID["signals-child-dies-with-parent"].cls == "signals"


def test_the_sweep_removes_only_what_dead_runs_left(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    root = out / "_staging"
    folders = {n: root / n for n in ("dead", "live", "reused", "young", "old")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    dead = _dead_pid()
    (folders["dead"] / OWNER_FILE).write_text(f"{dead} 1\n", encoding="ascii")
    claim(folders["live"])
    (folders["reused"] / OWNER_FILE).write_text(f"{os.getpid()} 1\n", encoding="ascii")
    os.utime(folders["old"], (time.time() - 3600, time.time() - 3600))  # no owner, an hour old
    temps = [out / f".index.html.{dead}-abc123xy.tmp", out / f".index.html.{os.getpid()}-x1.tmp"]
    for temp in temps:
        temp.write_text("half", encoding="utf-8")
    removed = sweep(out)
    assert sorted(p.name for p in removed) == sorted(["dead", "reused", "old", temps[0].name]), (
        removed
    )
    assert folders["live"].is_dir() and folders["young"].is_dir() and temps[1].exists()
    assert BY_ID["signals-live-staging-kept"].cls == "concurrency"


# --- runs at once --------------------------------------------------------------------------


def test_a_second_batch_and_an_import_are_refused_while_a_batch_builds(ws: Path) -> None:
    proc = _start(ws, "batch", "--jobs", "2", *MONTHLY)
    try:
        _wait_until(proc, _building(ws), "pack being built")
        second = run_cli("batch", *ONE_PACK, cwd=ws, env={TAG: str(ws)})
        line = assert_refused(second, 1)
        assert "another batch is running" in line, line
        before = store_digest(ws)
        imported = run_cli(
            "import", "exports/salesforce_leads.csv", "--profile", "sf-leads", cwd=ws,
            env={TAG: str(ws)},
        )  # fmt: skip
        line = assert_refused(imported, 1)
        assert "in use by another process" in line, line
        assert store_digest(ws) == before
    finally:
        proc.send_signal(signal.SIGTERM)
    assert_refused(_finish(proc, ws), 143)
    _assert_no_orphans(ws)
    _assert_store_free(ws)
    assert {BY_ID["signals-two-batches"].outcome,
            BY_ID["signals-import-during-batch"].outcome} == {"failed"}  # fmt: skip


def test_a_run_and_a_batch_while_an_import_holds_the_store_are_refused(ws: Path) -> None:
    before = store_digest(ws)
    writer = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"))  # as an import holds it
    try:
        result = run_cli("run", "monthly", cwd=ws, env={TAG: str(ws)})
        batch = run_cli("batch", *MONTHLY, cwd=ws, env={TAG: str(ws)})
    finally:
        writer.close()
    for refused in (result, batch):
        line = assert_refused(refused, 1)
        assert "in use by another process" in line, line
    assert not (ws / "outputs" / "_logs" / "last-batch.json").exists()  # never "running"
    _assert_no_orphans(ws)
    assert store_digest(ws) == before
    assert not _packs(ws) and not (ws / "outputs" / "_staging").exists()
    assert {BY_ID["signals-run-while-import-holds-lock"].outcome,
            BY_ID["signals-batch-while-import-holds-lock"].outcome} == {"failed"}  # fmt: skip


def test_a_stop_ends_with_its_run() -> None:
    with pytest.raises(interrupts.Interrupt), interrupts.catching():
        os.kill(os.getpid(), signal.SIGINT)
    assert not interrupts.stopping()
    interrupts.checkpoint()  # nothing held: the next run in this process goes on
