"""Attacks on configuration, paths, command-line options and the store file (issue 20: 4, 7).

Each attack breaks a copy of the zoo company ``usa``'s workspace and runs a command on it. The
answer must be exit 2 with one line that names the file, key or option and the bad value, no
"unexpected" error, the store unchanged and no pack written. Most attacks call the command
line's ``main`` in this process (the same code as the ``reviewkit`` command, without the ~2 s
start of a new interpreter), so a time bound measures the refusal, not Python's start; a few
run as a real process to show the same answer there.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from attack_harness import Attack, assert_refused, attack_workspace, params, run_cli, store_digest

import reviewkit.ingest.importer
import reviewkit.model.actions
import reviewkit.pack.batch_view
import reviewkit.pack.runner  # noqa: F401  (imported once here: the timings measure the refusal)
from reviewkit.cli.main import main

AS_OF = "2026-11-17"  # the zoo company usa's review date
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)  # "billion laughs": 9**9 values from 10 lines

Breaker = Callable[[Path], None]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``reviewkit ARGS`` in this process: exit code and captured output."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)


def _packs(ws: Path) -> list[Path]:
    return sorted((ws / "outputs").rglob("pack.html"))


def _file_digest(path: Path) -> str:
    if path.is_dir():
        return "folder"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _append(relative: str, text: str) -> Breaker:
    def breaker(ws: Path) -> None:
        with (ws / relative).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return breaker


def _replace(relative: str, old: str, new: str) -> Breaker:
    def breaker(ws: Path) -> None:
        path = ws / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return breaker


def _write_bytes(relative: str, data: bytes) -> Breaker:
    def breaker(ws: Path) -> None:
        (ws / relative).write_bytes(data)

    return breaker


def _folder(relative: str) -> Breaker:
    def breaker(ws: Path) -> None:
        (ws / relative).unlink()
        (ws / relative).mkdir()

    return breaker


def _cp932(relative: str) -> Breaker:
    def breaker(ws: Path) -> None:
        path = ws / relative
        text = "# 定義ファイル（Excel で保存）\n" + path.read_text(encoding="utf-8")
        path.write_bytes(text.encode("cp932", errors="replace"))

    return breaker


def _huge(relative: str) -> Breaker:
    def breaker(ws: Path) -> None:
        with (ws / relative).open("a", encoding="utf-8") as handle:
            handle.write(("# " + "x" * 1022 + "\n") * (11 * 1024))  # 11 MB of comments

    return breaker


def _set_key(ws: Path, key: str, value: str) -> None:
    path = ws / "params" / "workspace.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [f"{key}: {value}\n" if line.startswith(f"{key}:") else line for line in lines]
    assert changed != lines, key
    path.write_text("".join(changed), encoding="utf-8")


def _linked_lookup(ws: Path) -> None:
    (ws / "exports" / "accounts.csv").symlink_to("/etc/passwd")
    lookup = "lookups:\n  - file: accounts.csv\n    match: {Lead ID: x}\n    columns: {x: x}\n"
    _append(PROFILE, lookup)(ws)


def _linked_profile(ws: Path) -> None:
    outside = ws.parent / "elsewhere.yml"
    outside.write_text((ws / PROFILE).read_text("utf-8"), encoding="utf-8")
    (ws / "params/sources/linked.yml").symlink_to(outside)


RUN = ("run", "monthly", "--as-of", AS_OF)
IMPORT = ("import", "{ws}/exports/salesforce_leads.csv", "--profile", "sf-leads", "--dry-run")
DEFS = "params/definitions.yml"
PROFILE = "params/sources/sf-leads.yml"

# id -> (class, what, breaker, command, words the line must hold)
CONFIG_CASES: dict[str, tuple[str, str, Breaker, tuple[str, ...], tuple[str, ...]]] = {
    "cfg-yaml-bomb-definitions": (
        "yaml", "an alias bomb in definitions.yml", _append(DEFS, "bomb:\n  " + BOMB.replace(
            "\n", "\n  ")), RUN, ("definitions.yml", "alias bomb", "100,000")),
    "cfg-yaml-bomb-profile": (
        "yaml", "an alias bomb in an import profile", _append(PROFILE, BOMB.replace(
            "a:", "x_a:", 1)), IMPORT, ("sf-leads.yml", "alias bomb")),
    "cfg-yaml-bomb-workspace": (
        "yaml", "an alias bomb in workspace.yml", _append("params/workspace.yml", BOMB),
        ("validate",), ("workspace.yml", "alias bomb")),
    "cfg-yaml-bomb-targets": (
        "yaml", "an alias bomb in targets.yml", _append("params/targets.yml", BOMB),
        ("validate",), ("targets.yml", "alias bomb")),
    "cfg-yaml-bomb-schedule": (
        "yaml", "an alias bomb in schedule.yml", _append("params/schedule.yml", BOMB),
        ("batch", "--as-of", AS_OF), ("schedule.yml", "alias bomb")),
    "cfg-yaml-bomb-actions": (
        "yaml", "an alias bomb in actions.yml", _append("params/actions.yml", BOMB),
        ("action", "list"), ("actions.yml", "alias bomb")),
    "cfg-yaml-bomb-benchmarks": (
        "yaml", "an alias bomb in benchmarks.yml", _append("params/benchmarks.yml", BOMB),
        ("validate",), ("benchmarks.yml", "alias bomb")),
    "cfg-yaml-alias-loop": (
        "yaml", "an alias inside the collection it names", _append(DEFS, "loop: &l [1, *l]\n"),
        RUN, ("definitions.yml", "loop")),
    "cfg-yaml-deep-nesting": (
        "yaml", "100,000 nested lists (crashed libyaml)",
        _append(DEFS, "deep: " + "[" * 100_000 + "]" * 100_000 + "\n"), RUN,
        ("definitions.yml", "nested more than 64")),
    "cfg-yaml-duplicate-key": (
        "yaml", "a key given twice in definitions.yml", _append(DEFS, "version: 9\n"), RUN,
        ("definitions.yml:", "'version' is given twice (first on line")),
    "cfg-yaml-cp932": (
        "yaml", "definitions.yml saved as Shift_JIS", _cp932(DEFS), RUN,
        ("definitions.yml:1", "Shift_JIS (CP932)", "save it as UTF-8")),
    "cfg-yaml-utf16": (
        "yaml", "workspace.yml saved as UTF-16", lambda ws: (ws / "params/workspace.yml")
        .write_bytes((ws / "params/workspace.yml").read_text("utf-8").encode("utf-16")),
        ("validate",), ("workspace.yml", "UTF-16", "save it as UTF-8")),
    "cfg-yaml-binary-profile": (
        "yaml", "an import profile of random binary bytes",
        _write_bytes(PROFILE, bytes(range(256)) * 64), IMPORT, ("sf-leads.yml", "binary")),
    "cfg-yaml-definitions-folder": (
        "yaml", "definitions.yml is a folder", _folder(DEFS), RUN,
        ("definitions.yml", "is a folder")),
    "cfg-yaml-too-large": (
        "yaml", "an 11 MB targets.yml", _huge("params/targets.yml"), ("validate",),
        ("targets.yml", "too large", "10,485,760")),
    "cfg-yaml-window-huge": (
        "yaml", "a window of 99999999999d", _replace(DEFS, "window: 90d", "window: 99999999999d"),
        RUN, ("definitions.yml:", "window", "'99999999999d'", "3650 days")),
    "cfg-yaml-window-zero": (
        "yaml", "a window of 0d", _replace(DEFS, "window: 90d", "window: 0d"), RUN,
        ("definitions.yml:", "window", "'0d'", "not a duration")),
    "cfg-yaml-timeout-huge": (
        "yaml", "execution_timeout_seconds: 99999999999",
        _replace("params/workspace.yml", "execution_timeout_seconds: 600",
                 "execution_timeout_seconds: 99999999999"),
        ("validate",), ("workspace.yml", "execution_timeout_seconds", "86400")),
    "cfg-yaml-impossible-date": (
        "yaml", "a break from 2026-02-30 in workspace.yml (a ValueError while building)",
        _append("params/workspace.yml", "breaks:\n  - {name: x, from: 2026-02-30, to: "
                "2026-03-02}\n"), ("validate",),
        ("workspace.yml:", "'2026-02-30'", "day is out of range", "YYYY-MM-DD")),
    "cfg-yaml-target-month-zero": (
        "yaml", "a target for month 0000-01 (a ValueError)",
        _replace("params/targets.yml", "  2024-02: {lead:  600", "  0000-01: {lead:  600"),
        ("validate",), ("targets.yml:", "company.0000-01", "out of range", "1990-01")),
    "cfg-paths-lookup-absolute": (
        "paths", "a profile's lookup file /etc/passwd",
        _append(PROFILE, "lookups:\n  - file: /etc/passwd\n    match: {Lead ID: root}\n"
                "    columns: {x: root}\n"), IMPORT,
        ("sf-leads.yml:", "lookups.0.file", "'/etc/passwd'", "absolute path")),
    "cfg-paths-lookup-dotdot": (
        "paths", "a profile's lookup file ../../../etc/passwd",
        _append(PROFILE, "lookups:\n  - file: ../../../etc/passwd\n    match: {Lead ID: x}\n"
                "    columns: {x: x}\n"), IMPORT,
        ("sf-leads.yml:", "lookups.0.file", "'../../../etc/passwd'", "leaves")),
    "cfg-paths-lookup-symlink": (
        "paths", "a lookup file that is a link to /etc/passwd",
        _linked_lookup, IMPORT, ("'accounts.csv'", "leads out of", "/etc/passwd")),
    "cfg-paths-profile-outside": (
        "paths", "--profile naming a YAML file outside the workspace",
        lambda ws: (ws.parent / "elsewhere.yml").write_text(
            (ws / PROFILE).read_text("utf-8"), encoding="utf-8"),
        ("import", "{ws}/exports/salesforce_leads.csv", "--profile", "{ws}/../elsewhere.yml",
         "--dry-run"), ("--profile", "elsewhere.yml", "outside the workspace")),
    "cfg-paths-profile-symlink": (
        "paths", "a profile under params/sources/ that links out of the workspace",
        _linked_profile,
        ("import", "{ws}/exports/salesforce_leads.csv", "--profile", "linked", "--dry-run"),
        ("linked.yml", "outside the workspace", "elsewhere.yml")),
    "cfg-paths-outputs-proc": (
        "paths", "outputs: /proc/self in workspace.yml (a run wrote to /proc/self/_staging)",
        lambda ws: _set_key(ws, "outputs", "/proc/self"), RUN,
        ("outputs: in", "workspace.yml", "'/proc/self'", "writable")),
    "cfg-paths-outputs-file": (
        "paths", "outputs: naming a file, for a batch", lambda ws: _set_key(ws, "outputs",
        str(ws / "params" / "targets.yml")), ("batch", "--as-of", AS_OF),
        ("outputs: in", "targets.yml", "is a file")),
    "cfg-paths-draft-name-escape": (
        "paths", "profile draft --name ../../evil (wrote a profile outside params/sources)",
        lambda ws: None, ("profile", "draft", "{ws}/exports/salesforce_leads.csv", "--name",
                          "../../evil"), ("--name", "'../../evil'", "not a profile name")),
}  # fmt: skip

# id -> (what, command, words)
CLI_CASES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "cfg-cli-as-of-empty": (
        "--as-of '' (was taken as auto)", ("run", "monthly", "--as-of", ""),
        ("as_of", "''", "YYYY-MM-DD")),
    "cfg-cli-as-of-1900": (
        "--as-of 1900-01-01 (built a 1899-12 pack)", ("run", "monthly", "--as-of", "1900-01-01"),
        ("as_of", "'1900-01-01'", "out of range", "1990-01-01")),
    "cfg-cli-as-of-future": (
        "--as-of 2999-12-31", ("run", "monthly", "--as-of", "2999-12-31"),
        ("as_of", "'2999-12-31'", "out of range")),
    "cfg-cli-as-of-garbage": (
        "--as-of yesterday", ("run", "monthly", "--as-of", "yesterday"),
        ("as_of", "'yesterday'", "not a date")),
    "cfg-cli-batch-as-of-1900": (
        "batch --as-of 1900-01-01", ("batch", "--as-of", "1900-01-01"),
        ("as_of", "'1900-01-01'", "out of range")),
    "cfg-cli-lang": (
        "--lang fr", ("run", "monthly", "--as-of", AS_OF, "--lang", "fr"),
        ("lang", "'fr'", "ja or en")),
    "cfg-cli-jobs-zero": ("batch --jobs 0", ("batch", "--jobs", "0"), ("--jobs", "0", "1<=x")),
    "cfg-cli-jobs-negative": (
        "batch --jobs -5", ("batch", "--jobs", "-5"), ("--jobs", "-5", "1<=x")),
    "cfg-cli-jobs-huge": (
        "batch --jobs 100000", ("batch", "--jobs", "100000"), ("--jobs", "100000", "x<=64")),
    "cfg-cli-output-dir-proc": (
        "--output-dir /proc/self", ("run", "monthly", "--as-of", AS_OF, "--output-dir",
                                    "/proc/self"), ("--output-dir", "'/proc/self'", "writable")),
    "cfg-cli-output-dir-file": (
        "--output-dir naming a file", ("batch", "--output-dir", "{ws}/params/workspace.yml"),
        ("--output-dir", "workspace.yml", "is a file")),
    "cfg-cli-index-output-dir-proc": (
        "index --output-dir /proc/self", ("index", "--output-dir", "/proc/self"),
        ("--output-dir", "'/proc/self'")),
    "cfg-cli-action-start-year-1": (
        "action add --start 0001-01-01 (an OverflowError)",
        ("action", "add", "--title", "x", "--family", "target", "--kpi", "lead", "--owner", "me",
         "--start", "0001-01-01", "--due", "0001-02-01"),
        ("--start", "'0001-01-01'", "out of range", "1990-01-01")),
    "cfg-cli-parameter-deep": (
        "-p x=[[[...]]] nested 50,000 deep (a RecursionError)",
        ("run", "monthly", "--as-of", AS_OF, "-p", "x=" + "[" * 50_000 + "]" * 50_000),
        ("--parameter x", "nested more than 64")),
    "cfg-cli-sample-seed": (
        "sample --seed -1 (a ValueError)", ("sample", "--seed", "-1"), ("--seed", "-1", "x>=0")),
    "cfg-cli-sample-leads": (
        "sample --leads 99999999999 (would allocate without end)",
        ("sample", "--leads", "99999999999"), ("--leads", "99999999999", "x<=10000000")),
    "cfg-cli-identity-limit": (
        "identity --limit -5 (showed all rows but 5)", ("identity", "--limit", "-5"),
        ("--limit", "-5", "0<=x")),
    "cfg-cli-init-proc": (
        "init /proc/self/x", ("init", "/proc/self/x"), ("DIRECTORY", "'/proc/self/x'")),
}  # fmt: skip


def _store_file(ws: Path) -> Path:
    return ws / "data" / "reviewkit.duckdb"


def _newer_schema(ws: Path) -> None:
    con = duckdb.connect(str(_store_file(ws)))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()


def _drop_table(table: str) -> Breaker:
    def breaker(ws: Path) -> None:
        con = duckdb.connect(str(_store_file(ws)))
        con.execute(f"DROP TABLE {table}")
        con.close()

    return breaker


def _random_bytes(ws: Path) -> None:
    _store_file(ws).write_bytes(hashlib.sha512(b"seed").digest() * 4096)


def _truncated(ws: Path) -> None:
    with _store_file(ws).open("r+b") as handle:
        handle.truncate(20_000)


# id -> (what, breaker, words)
STORE_CASES: dict[str, tuple[str, Breaker, tuple[str, ...]]] = {
    "cfg-store-random-bytes": ("the store file is random bytes", _random_bytes,
                               ("not a valid DuckDB database",)),
    "cfg-store-truncated": ("the store file cut at 20 KB", _truncated, ("read",)),
    "cfg-store-zero-bytes": ("the store file is empty", lambda ws: _store_file(ws).write_bytes(
        b""), ("empty (0 bytes)",)),
    "cfg-store-folder": ("a folder in place of the store", _folder("data/reviewkit.duckdb"),
                         ("is a folder",)),
    "cfg-store-newer-schema": ("a store written by a newer reviewkit (schema 99)", _newer_schema,
                               ("schema version '99'", "upgrade reviewkit")),
    "cfg-store-missing-table": ("a store without its stage_events table (an import "
                                "re-created it empty)", _drop_table("stage_events"),
                                ("table 'stage_events' is missing",)),
}  # fmt: skip

#: Every command that opens the store.
STORE_COMMANDS: tuple[tuple[str, ...], ...] = (
    RUN,
    ("batch", "--as-of", AS_OF),
    IMPORT,
    ("validate",),
    ("identity",),
)

ATTACKS: list[Attack] = (
    [Attack(i, c[0], "refused", c[1]) for i, c in CONFIG_CASES.items()]
    + [Attack(i, "cli", "refused", c[0]) for i, c in CLI_CASES.items()]
    + [Attack(i, "corrupt-store", "refused", c[0]) for i, c in STORE_CASES.items()]
    + [Attack("cfg-yaml-bomb-process", "yaml", "refused",
              "an alias bomb in a profile, through a real `reviewkit` process"),
       Attack("cfg-store-random-process", "corrupt-store", "refused",
              "a store of random bytes, through a real `reviewkit` process")]
)  # fmt: skip


def _args(command: tuple[str, ...], ws: Path) -> list[str]:
    where = [] if command[0] == "init" else ["--workspace", str(ws)]
    return [part.replace("{ws}", str(ws)) for part in command] + where


@pytest.fixture
def ws(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return attack_workspace(tmp_path, tmp_path_factory)


@pytest.mark.parametrize("attack", params([a for a in ATTACKS if a.id in CONFIG_CASES]))
def test_bad_configuration_is_refused_in_one_line(
    attack: Attack, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, breaker, command, words = CONFIG_CASES[attack.id]
    before = store_digest(ws)
    breaker(ws)
    timed = any(word in attack.id for word in ("bomb", "deep", "loop"))
    if timed:  # the first call imports the command's modules: the second is the refusal alone
        assert_refused(_cli(capsys, *_args(command, ws)))
    start = time.perf_counter()
    result = _cli(capsys, *_args(command, ws))
    seconds = time.perf_counter() - start
    line = assert_refused(result)
    for word in words:
        assert word in line, (word, line)
    assert seconds < 1.0 or not timed, f"{attack.id}: refused after {seconds:.2f} s"
    assert store_digest(ws) == before
    assert _packs(ws) == []
    assert not list(ws.parent.rglob("evil*"))  # a draft named ../../evil was written nowhere


@pytest.mark.parametrize("attack", params([a for a in ATTACKS if a.id in CLI_CASES]))
def test_bad_options_are_refused_before_any_work(
    attack: Attack, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, command, words = CLI_CASES[attack.id]
    before = store_digest(ws)
    line = assert_refused(_cli(capsys, *_args(command, ws)))
    for word in words:
        assert word in line, (word, line)
    assert store_digest(ws) == before
    assert _packs(ws) == [] and not (ws / "outputs" / "_logs").exists()


@pytest.mark.parametrize("attack", params([a for a in ATTACKS if a.id in STORE_CASES]))
def test_a_broken_store_is_one_line_on_every_command(
    attack: Attack, ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, breaker, words = STORE_CASES[attack.id]
    breaker(ws)
    store = _store_file(ws)
    before = _file_digest(store)
    for command in STORE_COMMANDS:
        line = assert_refused(_cli(capsys, *_args(command, ws)))
        assert f"store '{store}'" in line, line
        for word in (*words, "restore it from a backup", "reviewkit import"):
            assert word in line, (command, word, line)
    assert _file_digest(store) == before
    assert _packs(ws) == []


def test_a_bomb_through_a_real_process(ws: Path) -> None:
    before = store_digest(ws)
    _append(PROFILE, BOMB)(ws)
    result = run_cli(*_args(IMPORT, ws), timeout=60)
    line = assert_refused(result)
    assert "sf-leads.yml" in line and "alias bomb" in line
    assert store_digest(ws) == before


def test_a_random_store_through_a_real_process(ws: Path) -> None:
    _random_bytes(ws)
    before = _file_digest(_store_file(ws))
    line = assert_refused(run_cli(*_args(RUN, ws), timeout=60))
    assert "cannot be opened" in line and "reviewkit sample" in line
    assert _file_digest(_store_file(ws)) == before and _packs(ws) == []


def test_every_attack_is_run() -> None:
    ran = set(CONFIG_CASES) | set(CLI_CASES) | set(STORE_CASES)
    ran |= {"cfg-yaml-bomb-process", "cfg-store-random-process"}
    assert {a.id for a in ATTACKS} == ran
    assert len(ATTACKS) >= 25
