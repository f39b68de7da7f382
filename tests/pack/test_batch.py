"""``reviewkit batch`` on a few weekly packs: skip-if-unchanged, the lock, failures, retries.

One copy of the sample workspace (its own ``schedule.yml``: the company and Teams A and B,
weekly, in Japanese) is shared by the module. Every test that changes an input first settles
the outputs (a batch that builds whatever is not built yet), changes one input, runs the batch
again and checks which packs were rebuilt; the change is kept, so the next test settles
cheaply. The review date is Monday 2026-11-23: week 2026-W47, cut-off 2026-11-23 00:00 Tokyo.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import nbformat
import pytest
from builders import DEMO_DATE, REPO, Block, one_line

from reviewkit.cli.main import main
from reviewkit.errors import RunFailedError
from reviewkit.i18n.texts import t
from reviewkit.pack import batch as batch_module
from reviewkit.pack.batch_log import batch_lock, open_log, record_event
from reviewkit.pack.batch_workers import KERNEL_ATTEMPTS, _build_one
from reviewkit.pack.fingerprint import inputs_digest

pytestmark = pytest.mark.integration

SCHEDULE = """\
packs:
  - name: company
    cadences: [weekly]
    langs: [ja]
  - name: teams
    cadences: [weekly]
    langs: [ja]
    segments:
      sales_team: [Team A, Team B]
"""
COMPANY = "weekly/company/ja"
TEAM_A = "weekly/sales_team-team-a/ja"
TEAM_B = "weekly/sales_team-team-b/ja"
FOLDERS = {
    COMPANY: "weekly/2026-W47",
    TEAM_A: "weekly/2026-W47/sales_team-team-a",
    TEAM_B: "weekly/2026-W47/sales_team-team-b",
}
# the entry name and a pattern: both are --only forms
ONLY = ("--only", "company", "--only", "weekly/sales_team-team-?/ja")


def make_workspace(sample_workspace, root: Path) -> Path:
    """A workspace of its own: the sample's params and store, this module's schedule."""
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    (root / "outputs").mkdir()
    (root / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """``reviewkit batch`` in this process: exit code, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["batch", "--jobs", "2", "--as-of", DEMO_DATE, "--workspace", str(root), *args]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def summary(root: Path) -> dict:
    return json.loads((root / "outputs" / "_logs" / "last-batch.json").read_text(encoding="utf-8"))


def manifest(root: Path, name: str) -> dict:
    path = root / "outputs" / FOLDERS[name] / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def mtimes(root: Path) -> dict[str, int]:
    return {n: (root / "outputs" / f / "pack.html").stat().st_mtime_ns for n, f in FOLDERS.items()}


def statuses(root: Path, before: dict[str, int]) -> dict[str, str]:
    """Which packs the last run rebuilt (pack.html replaced) and which it left alone."""
    after = mtimes(root)
    return {n: "built" if after[n] != before[n] else "skipped" for n in FOLDERS}


@pytest.fixture(scope="module")
def ws(sample_workspace, tmp_path_factory) -> Path:
    """The module's workspace (its root)."""
    return make_workspace(sample_workspace, tmp_path_factory.mktemp("batch") / "ws")


@pytest.fixture(scope="module")
def first(ws) -> tuple[int, str, str]:
    """The module's first batch: its exit code, stdout and stderr."""
    return run(ws, *ONLY)


def settle(root: Path) -> dict[str, int]:
    """Build whatever is not built from the current inputs; the packs' mtimes after it."""
    code, _, err = run(root, *ONLY)
    assert code == 0, err
    assert summary(root)["counts"]["failed"] == 0
    return mtimes(root)


def changed_inputs(old: dict, new: dict) -> list[str]:
    return sorted(k for k in old["inputs"] if old["inputs"][k] != new["inputs"][k])


# --- building and skipping -----------------------------------------------------------------


def test_the_first_run_builds_the_packs_and_prints_the_summary(ws, first):
    code, out, err = first
    assert code == 0, err
    for name, folder in FOLDERS.items():
        assert (ws / "outputs" / folder / "pack.html").is_file(), name
        m = manifest(ws, name)
        assert set(m["inputs"]) == {
            "data", "parameters", "definitions", "targets", "settings", "template", "reviewkit",
        }  # fmt: skip
        assert m["inputs_digest"] == inputs_digest(m["inputs"])
        assert m["period"] == "2026-W47" and m["as_of"] == DEMO_DATE
    assert manifest(ws, TEAM_B)["segment"]["text"] == "sales_team=Team B"
    # the packs see different people, so their data hashes differ
    assert len({manifest(ws, n)["inputs"]["data"] for n in FOLDERS}) == 3
    assert "3 built, 0 skipped, 0 failed" in out
    assert "reviewkit batch (as of 2026-11-23)" in out
    for name in FOLDERS:  # the summary table names each pack (rich may fold long names)
        assert name.split("/")[1][:10] in out
    record = summary(ws)
    assert record["counts"] == {"built": 3, "skipped": 0, "failed": 0}
    assert record["failed"] == [] and record["as_of"] == DEMO_DATE and record["jobs"] == 2
    log = ws / "outputs" / record["log"]
    assert re.fullmatch(r"batch-\d{8}T\d{6}Z-\d+\.log", log.name)
    text = log.read_text(encoding="utf-8")
    assert all(f"{name}: built in" in text for name in FOLDERS)
    assert "done in" in text and "3 built, 0 skipped, 0 failed" in text
    assert not (ws / "outputs" / "_staging").exists()


def test_a_second_run_skips_every_pack_and_touches_nothing(ws, first):
    before = settle(ws)
    code, out, _ = run(ws, *ONLY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 0, "skipped": 3, "failed": 0}
    assert "0 built, 3 skipped, 0 failed" in out
    assert mtimes(ws) == before
    log = (ws / "outputs" / summary(ws)["log"]).read_text(encoding="utf-8")
    assert f"{TEAM_B}: skipped (inputs unchanged" in log


def test_force_rebuilds_an_unchanged_pack(ws, first):
    before = settle(ws)
    old = manifest(ws, COMPANY)
    code, _, _ = run(ws, "--force", "--only", COMPANY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 1, "skipped": 0, "failed": 0}
    assert statuses(ws, before) == {COMPANY: "built", TEAM_A: "skipped", TEAM_B: "skipped"}
    assert manifest(ws, COMPANY)["inputs_digest"] == old["inputs_digest"]


# --- what rebuilds what --------------------------------------------------------------------


def test_a_settings_file_changed_rebuilds_every_pack(ws, first):
    before = settle(ws)
    old = manifest(ws, TEAM_A)
    actions = ws / "params" / "actions.yml"
    actions.write_bytes(actions.read_bytes() + b"\n# reviewed 2026-11-23\n")
    code, _, _ = run(ws, *ONLY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 3, "skipped": 0, "failed": 0}
    assert set(statuses(ws, before).values()) == {"built"}
    assert changed_inputs(old, manifest(ws, TEAM_A)) == ["settings"]


def _bump_target(path: Path, block: str, month: str, metric: str) -> None:
    """Add 1 to ``metric`` on the ``month`` line of the first ``block`` (e.g. ``Team A:``)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == block)
    i = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(f"{month}:"))
    pattern = re.compile(rf"\b{metric}:(\s*)([\d_]+)")
    assert pattern.search(lines[i]), lines[i]
    lines[i] = pattern.sub(lambda m: f"{metric}:{m[1]}{int(m[2]) + 1}", lines[i], count=1)
    path.write_text("".join(lines), encoding="utf-8")


def test_a_company_target_changed_rebuilds_only_the_company_pack(ws, first):
    # A segment pack's targets are its segment's own (Targets.scoped drops the company rows).
    before = settle(ws)
    old = manifest(ws, COMPANY)
    _bump_target(ws / "params" / "targets.yml", "company:", "2026-11", "lead")
    code, _, _ = run(ws, *ONLY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 1, "skipped": 2, "failed": 0}
    assert statuses(ws, before) == {COMPANY: "built", TEAM_A: "skipped", TEAM_B: "skipped"}
    assert changed_inputs(old, manifest(ws, COMPANY)) == ["targets"]


def test_a_team_target_changed_rebuilds_that_team_and_the_company_pack(ws, first):
    # A Team A pack holds Team A's targets only (Targets.scoped drops the other teams'); the
    # company pack holds every team's (its breakdowns by team read them).
    before = settle(ws)
    old = {n: manifest(ws, n) for n in FOLDERS}
    _bump_target(ws / "params" / "targets.yml", "Team A:", "2026-11", "sql")
    code, _, _ = run(ws, *ONLY)
    assert code == 0
    assert statuses(ws, before) == {COMPANY: "built", TEAM_A: "built", TEAM_B: "skipped"}
    assert summary(ws)["counts"] == {"built": 2, "skipped": 1, "failed": 0}
    for name in (COMPANY, TEAM_A):
        assert changed_inputs(old[name], manifest(ws, name)) == ["targets"], name


def _add_team_b_lead(root: Path, lead_id: str, created_at: str) -> None:
    """A copy of a Team B lead record under a new id, created at ``created_at`` (Tokyo)."""
    con = duckdb.connect(str(root / "data" / "reviewkit.duckdb"))
    try:
        con.execute(
            "INSERT INTO leads SELECT * REPLACE (? AS lead_id, CAST(? AS TIMESTAMPTZ) AS "
            "created_at, NULL AS email, NULL AS email_hash) FROM leads "
            "WHERE lead_id = (SELECT min(lead_id) FROM leads WHERE sales_team = 'Team B')",
            [lead_id, f"{created_at}+09:00"],
        )
        assert con.execute("SELECT count(*) FROM leads WHERE lead_id = ?", [lead_id]).fetchone()
    finally:
        con.close()


def test_a_new_lead_after_the_cut_off_rebuilds_nothing(ws, first):
    before = settle(ws)
    _add_team_b_lead(ws, "TEST-B-AFTER", "2026-11-23 00:00:00")  # the cut-off itself: after
    code, _, _ = run(ws, *ONLY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 0, "skipped": 3, "failed": 0}
    assert mtimes(ws) == before


def test_a_new_lead_before_the_cut_off_rebuilds_its_team_and_the_company(ws, first):
    before = settle(ws)
    old = {n: manifest(ws, n) for n in FOLDERS}
    _add_team_b_lead(ws, "TEST-B-BEFORE", "2026-11-22 23:59:59")
    code, _, _ = run(ws, *ONLY)
    assert code == 0
    assert summary(ws)["counts"] == {"built": 2, "skipped": 1, "failed": 0}
    assert statuses(ws, before) == {COMPANY: "built", TEAM_A: "skipped", TEAM_B: "built"}
    assert changed_inputs(old[TEAM_B], manifest(ws, TEAM_B)) == ["data"]
    assert changed_inputs(old[COMPANY], manifest(ws, COMPANY)) == ["data"]


# --- the lock ------------------------------------------------------------------------------


def test_a_second_batch_stops_at_the_lock_and_names_the_holder(ws, first):
    before = settle(ws)
    logs = ws / "outputs" / "_logs"
    record = (logs / "last-batch.json").read_bytes()
    kept = sorted(logs.glob("batch-*.log"))
    with batch_lock(logs):
        code, out, err = run(ws, "--force", *ONLY)
    assert code == 1
    line = one_line(err)
    assert "another batch is running" in line
    assert f"pid {os.getpid()}, started 20" in line  # the holder: its process and start time
    assert str(logs / "batch.lock") in line
    assert out == ""
    assert mtimes(ws) == before  # nothing built, not even with --force
    assert sorted(logs.glob("batch-*.log")) == kept  # no log of its own
    assert (logs / "last-batch.json").read_bytes() == record
    # the lock is free again once its holder is done
    assert run(ws, "--only", COMPANY)[0] == 0


# --- a failing pack ------------------------------------------------------------------------


def test_a_failing_pack_is_kept_and_the_others_are_published(sample_workspace, tmp_path):
    root = make_workspace(sample_workspace, tmp_path / "ws")
    nb = nbformat.read(REPO / "notebooks" / "weekly_review.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'if segment == "sales_team=Team B":\n    raise KeyError("no pipeline for Team B")'
    ))  # fmt: skip
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "weekly_review.ipynb")

    code, out, err = run(root, "--only", COMPANY, "--only", TEAM_B)
    assert code == 1
    out_dir = root / "outputs"
    assert (out_dir / FOLDERS[COMPANY] / "pack.html").is_file()
    assert not (out_dir / FOLDERS[TEAM_B]).exists()
    assert f"failed {TEAM_B}:" in err and "no pipeline for Team B" in err
    assert "1 built, 0 skipped, 1 failed" in out

    kept = list((out_dir / "_failed" / FOLDERS[TEAM_B]).glob("*-ja/failure.json"))
    assert len(kept) == 1
    failure = json.loads(kept[0].read_text(encoding="utf-8"))
    assert failure["status"] == "failed" and failure["period"] == "2026-W47"
    assert failure["segment"]["text"] == "sales_team=Team B"
    assert "KeyError" in failure["error"] and "no pipeline for Team B" in failure["error"]
    assert (kept[0].parent / "notebook.ipynb").is_file()

    record = summary(root)
    assert record["counts"] == {"built": 1, "skipped": 0, "failed": 1}
    [item] = record["failed"]
    assert item["name"] == TEAM_B and item["period"] == "2026-W47" and item["lang"] == "ja"
    assert "no pipeline for Team B" in item["error"]
    assert item["notebook"] == (kept[0].parent / "notebook.ipynb").relative_to(out_dir).as_posix()
    log = (out_dir / record["log"]).read_text(encoding="utf-8")
    assert f"{TEAM_B}: failed after" in log and f"{COMPANY}: built in" in log

    block = Block((out_dir / "index.html").read_text(encoding="utf-8"))
    assert block.found and block.state == "finished"
    assert block.alert.startswith(t("index.batch.alert_one", "ja"))
    assert "no pipeline for Team B" in block.alert
    assert block.alert_links == [("rk-notebook", item["notebook"])]
    assert not (out_dir / "_staging").exists()


# --- kernel start retries (in this process, with fakes) ------------------------------------


class FakeKernels:
    """A worker's kernels whose first ``failures`` starts fail."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.discarded = failures, 0, 0
        self.kernel = SimpleNamespace(packs=0, manager=SimpleNamespace(close_clients=lambda: None))

    def ready_for(self, staging: Path, *, more: object = None) -> SimpleNamespace:
        self.calls += 1
        assert staging.is_dir()
        if self.calls <= self.failures:
            raise RunFailedError(f"kernel reviewkit did not start (attempt {self.calls})")
        return self.kernel

    def discard(self) -> None:
        self.discarded += 1


def _plan(tmp_path: Path) -> SimpleNamespace:
    return SimpleNamespace(out=tmp_path, cadence="weekly", lang="ja",
                           period=SimpleNamespace(label="2026-W47"))  # fmt: skip


def _events(q: queue.Queue) -> list[dict]:
    return [q.get_nowait() for _ in range(q.qsize())]


def test_a_kernel_that_fails_to_start_is_retried_on_a_fresh_one(tmp_path, monkeypatch):
    built = []

    def fake_build(plan, *, kernel_manager, staging):
        built.append((kernel_manager, staging))
        return SimpleNamespace(pack=tmp_path / "weekly" / "2026-W47" / "pack.html")

    monkeypatch.setattr("reviewkit.pack.runner.build_pack", fake_build)
    kernels, events = FakeKernels(failures=2), queue.Queue()
    report = _build_one(kernels, COMPANY, _plan(tmp_path), events)  # type: ignore[arg-type]
    assert report["event"] == "built" and report["attempts"] == 3
    assert report["pack"].endswith("pack.html")
    assert kernels.calls == 3 and kernels.discarded == 2
    assert [(e["event"], e["attempt"]) for e in _events(events)] == [("retry", 1), ("retry", 2)]
    assert len(built) == 1 and built[0][0] is kernels.kernel.manager
    assert kernels.kernel.packs == 1


def test_a_kernel_that_never_starts_fails_the_pack_after_every_attempt(tmp_path, monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("build_pack must not run without a kernel")

    monkeypatch.setattr("reviewkit.pack.runner.build_pack", never)
    kernels, events = FakeKernels(failures=99), queue.Queue()
    report = _build_one(kernels, TEAM_B, _plan(tmp_path), events)  # type: ignore[arg-type]
    assert report["event"] == "failed" and report["attempts"] == KERNEL_ATTEMPTS == 3
    assert report["error"] == (
        f"kernel reviewkit did not start (attempt {KERNEL_ATTEMPTS}) (tried 3 kernels)"
    )
    assert kernels.calls == kernels.discarded == KERNEL_ATTEMPTS
    assert len(_events(events)) == KERNEL_ATTEMPTS
    assert not any((tmp_path / "_staging").iterdir())  # the empty staging folder is removed


def test_the_batch_records_a_pack_that_failed_to_get_a_kernel(tmp_path):
    # what a worker's report becomes in the runner: the outcome and the log line
    outcome = batch_module.Outcome(TEAM_B, "")
    log = open_log(tmp_path / "batch-x.log")
    try:
        record_event(
            {"event": "failed", "name": TEAM_B, "seconds": 1.5, "attempts": 3,
             "error": "kernel did not start (tried 3 kernels)"},
            {TEAM_B: outcome}, out=tmp_path, log=log,
        )  # fmt: skip
    finally:
        for handler in list(log.handlers):
            handler.close()
            log.removeHandler(handler)
    assert (outcome.status, outcome.attempts, outcome.notebook) == ("failed", 3, "")
    text = (tmp_path / "batch-x.log").read_text(encoding="utf-8")
    assert f"ERROR {TEAM_B}: failed after 1.5 s: kernel did not start (tried 3 kernels)" in text


# --- schedule.yml validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "line", "message"),
    [
        ("packs:\n  - name: a\n    cadences: [weekly, yearly]\n", 3,
         "packs.0.cadences: 'yearly' is not a cadence; use weekly, monthly, quarterly"),
        ("packs:\n  - name: a\n    cadences: [weekly]\n    langs: [ja, fr]\n", 4,
         "packs.0.langs: 'fr' is not a pack language; use ja, en"),
        ("packs:\n  - name: a\n    cadences: [weekly]\n    segments:\n      team: [A]\n", 5,
         "packs.0.segments.team: segment: 'team' is not a segment column; use one of"),
        ("packs:\n  - name: a\n    cadences: [weekly]\n    segments:\n"
         "      sales_team: ['Team A,Team B']\n", 5,
         "packs.0.segments.sales_team: 'Team A,Team B' holds a comma; name a group"),
        ("packs:\n  - name: a\n    cadences: [weekly]\n  - name: b\n"
         "    cadences: [monthly, weekly]\n", 4,
         "packs.1: weekly/company/ja is already built by entry 1; remove one of them"),
        ("packs:\n  - name: a\n    cadence: [weekly]\n", 2,
         "packs.0.cadences: cadences is missing (found: name, cadence)"),
    ],
)  # fmt: skip
def test_a_broken_schedule_exits_2_naming_file_and_line(tmp_path, schedule, line, message):
    shutil.copytree(REPO / "params", tmp_path / "params")  # no store needed: nothing runs
    path = tmp_path / "params" / "schedule.yml"
    path.write_text(schedule, encoding="utf-8")
    code, out, err = run(tmp_path)
    assert code == 2
    assert one_line(err).startswith(f"reviewkit: error: {path}:{line}: {message}")
    assert out == ""
    assert not list((tmp_path / "outputs").glob("*/*/pack.html"))


def test_a_run_stopped_by_bad_input_leaves_no_batch_running(tmp_path):
    # last-batch.json without finished_at makes index.html say "running since ..." until the
    # next good batch: a run that stops before building must not leave one behind.
    shutil.copytree(REPO / "params", tmp_path / "params")
    logs = tmp_path / "outputs" / "_logs"
    logs.mkdir(parents=True)
    done = {"started_at": "2026-11-23T21:30:00+00:00", "finished_at": "2026-11-23T21:32:00+00:00",
            "as_of": DEMO_DATE, "jobs": 2, "counts": {"built": 24, "skipped": 0, "failed": 0},
            "failed": [], "log": "_logs/batch-20261123T213000Z.log"}  # fmt: skip
    (logs / "last-batch.json").write_text(json.dumps(done), encoding="utf-8")
    (tmp_path / "params" / "schedule.yml").write_text("packs: []\n", encoding="utf-8")
    code, _, err = run(tmp_path)
    assert code == 2
    assert "schedule.yml" in one_line(err)
    assert "finished_at" in json.loads((logs / "last-batch.json").read_text(encoding="utf-8"))


def test_a_bad_review_date_exits_2_before_anything_runs(ws, first):
    before = settle(ws)
    code, _, err = run(ws, "--as-of", "2026-13-01", *ONLY)  # the last --as-of wins
    assert code == 2
    assert one_line(err).startswith("reviewkit: error: as_of: '2026-13-01' is not a date")
    assert mtimes(ws) == before
    assert summary(ws)["failed"] == []


def test_an_only_pattern_matching_nothing_exits_2(ws, first):
    before = settle(ws)
    code, _, err = run(ws, "--only", COMPANY, "--only", "monthly/*")
    assert code == 2
    assert one_line(err) == (
        "reviewkit: error: --only 'monthly/*' matches no pack of the schedule; names look like "
        f"{COMPANY}, {TEAM_A}, {TEAM_B} (use * as a wildcard)"
    )
    assert mtimes(ws) == before


# --- staging folders shared by workers -------------------------------------------------------


def test_removing_the_staging_root_never_fails_another_worker(tmp_path):
    from reviewkit.pack.publish import cleanup_staging_root

    cleanup_staging_root(tmp_path)  # no _staging/ at all: nothing to do, no error
    busy = tmp_path / "_staging" / "monthly-2026-10-ja-1234"
    busy.mkdir(parents=True)
    cleanup_staging_root(tmp_path)  # another pack is building in it: it stays
    assert busy.is_dir()
    busy.rmdir()
    cleanup_staging_root(tmp_path)
    assert not (tmp_path / "_staging").exists()


def test_a_staging_folder_is_made_even_if_its_parent_goes_meanwhile(tmp_path, monkeypatch):
    from reviewkit.pack.execute import make_staging

    real = Path.mkdir
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:  # as if another worker removed _staging/ just now
            raise FileNotFoundError(2, "No such file or directory", str(self.parent))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", flaky)
    folder = make_staging(tmp_path / "_staging" / "weekly-2026-W47-ja-abcd")
    assert folder.is_dir() and len(calls) >= 2
