"""docs/scaling.md keeps up with ``reviewkit batch --cluster``: its commands, error lines and links.

The page is in English and Japanese with the same sections and code blocks; every
``reviewkit`` and ``dask`` option it names must exist, the error and log lines it quotes must
be the ones reviewkit writes (produced here by the code that writes them), the figures it
states about the cluster (pieces, attempts, the connect timeout) must be the code's, and the
pages that point to it (README.md, scheduling.md, guide-operator.md, architecture.md) must
do so in both languages, with links that resolve.
"""

from __future__ import annotations

import logging
import queue
import re
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest
from builders import REPO
from click.testing import CliRunner

from reviewkit.cli.main import app, main
from reviewkit.core.workspace import init_workspace
from reviewkit.errors import ClusterError
from reviewkit.pack import cluster, cluster_worker
from reviewkit.pack.batch import Outcome
from reviewkit.pack.batch_log import record_event
from reviewkit.pack.batch_workers import PACKS_PER_KERNEL
from reviewkit.pack.cluster_bundle import CHUNK_BYTES

DOCS = REPO / "docs"
DOC = (DOCS / "scaling.md").read_text(encoding="utf-8")
ENGLISH, _, JAPANESE = DOC.partition("\n## 日本語\n")
LANGUAGES = {"en": ENGLISH, "ja": JAPANESE}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
# the measured figures docs/benchmarks.md fills in (a marker until then)
FIGURES = {
    "pack seconds weekly", "pack seconds monthly", "pack seconds quarterly",
    "24-pack batch --jobs 2", "24-pack --cluster local:2", "overhead ratio", "200-pack times",
    "1,000-pack plan+skip seconds",
}  # fmt: skip
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR) (.+)$", re.MULTILINE)


def headings(text: str) -> list[int]:
    """The levels of a language's section headings, in order (its own ``##`` left out)."""
    return [len(m) for m in re.findall(r"^(#{3,6}) ", text, re.MULTILINE)]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def fences(text: str, *kinds: str) -> list[str]:
    return [body for kind, body in FENCE.findall(text) if kind in kinds]


def code(text: str) -> str:
    """Every code block and inline code span of ``text``, one after the other."""
    return "\n".join([*(body for _, body in FENCE.findall(text)),
                      *re.findall(r"`([^`\n]+)`", FENCE.sub("", text))])  # fmt: skip


def quoted(prefix: str) -> list[str]:
    """The lines of the page's text blocks that start with ``prefix`` (both languages)."""
    return [line for block in fences(DOC, "text") for line in block.splitlines()
            if line.startswith(prefix)]  # fmt: skip


def _options(command: click.Command) -> set[str]:
    result = CliRunner().invoke(command, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b", result.output))


def _dask(name: str) -> click.Command:
    if name == "scheduler":
        from distributed.cli.dask_scheduler import main as scheduler

        return scheduler
    from distributed.cli.dask_worker import main as worker

    return worker


def test_both_languages_have_the_same_sections_blocks_and_tables():
    assert DOC.startswith("# ") and "[English](#english) · [日本語](#日本語)" in DOC
    assert DOC.count("\n## English\n") == 1 and JAPANESE
    assert headings(ENGLISH) == headings(JAPANESE)
    assert len(headings(ENGLISH)) >= 10
    assert "\n### Airflow\n" in ENGLISH and "\n### Airflow\n" in JAPANESE
    assert [k for k, _ in FENCE.findall(ENGLISH)] == [k for k, _ in FENCE.findall(JAPANESE)]
    tables = [len(re.findall(r"^\| --- \|", text, re.MULTILINE)) for text in LANGUAGES.values()]
    assert tables[0] == tables[1] >= 2  # the three set-ups, the measured figures
    # the units and the quoted lines are the same text in both languages
    for kind in ("ini", "text"):
        english, japanese = fences(ENGLISH, kind), fences(JAPANESE, kind)
        if kind == "text":  # the first is the formula, in each language's words
            english, japanese = english[1:], japanese[1:]
        assert english == japanese, kind


def test_the_measured_figures_are_the_benchmarks_own_in_both_languages():
    found = {lang: re.findall(r"\{\{FIGURE: ([^}]+)\}\}", text) for lang, text in LANGUAGES.items()}
    assert found["en"] == found["ja"]
    assert set(found["en"]) <= FIGURES, set(found["en"]) - FIGURES
    assert "{{" not in re.sub(r"\{\{FIGURE: [^}]+\}\}", "", DOC)


def test_every_reviewkit_command_and_option_on_the_page_exists():
    named: dict[str, set[str]] = {}
    for command, rest in re.findall(r"(?:^|[\s/])reviewkit ([a-z][\w-]*)((?: +[^\s`#|]+)*)",
                                    code(DOC), re.MULTILINE):  # fmt: skip
        named.setdefault(command, set()).update(re.findall(r"(?<!\S)(--?[a-zA-Z][\w-]*)", rest))
    assert "batch" in named
    assert sorted(set(named) - set(app.commands)) == [], "commands reviewkit lacks"
    for command, options in named.items():
        known = _options(app.commands[command])
        assert options <= known, (command, options - known)
    batch = _options(app.commands["batch"])
    assert {"--cluster", "--list", "--part", "--only", "--no-deliver"} <= named["batch"]
    help_text = CliRunner().invoke(app, ["batch", "--help"], terminal_width=200).output
    assert "docs/scaling.md" in help_text  # where --cluster's help sends the reader
    dask = _options(_dask("scheduler")) | _options(_dask("worker"))
    lone = set(re.findall(r"`(--[a-z][a-z-]*)", FENCE.sub("", DOC)))  # options named in prose
    assert lone <= batch | dask, lone - batch - dask


def test_every_dask_command_and_option_on_the_page_exists():
    lines = re.findall(r"(?:^|[\s/])dask (scheduler|worker)((?: +[^\s`#|]+)*)", code(DOC),
                       re.MULTILINE)  # fmt: skip
    assert {name for name, _ in lines} == {"scheduler", "worker"}
    for name, rest in lines:
        options = set(re.findall(r"(?<!\S)(--?[a-zA-Z][\w-]*)", rest))
        known = _options(_dask(name))
        assert options <= known, (name, options - known)
        if name == "worker":  # one kernel per thread: one thread per process
            assert "--nthreads 1" in rest and "--local-directory" in rest, rest


def test_the_cluster_facts_on_the_page_are_the_codes():
    for text in LANGUAGES.values():
        assert f"{CHUNK_BYTES // 2**20} MB" in text
        assert f"{PACKS_PER_KERNEL} " in text and f"{cluster.CONNECT_SECONDS:.0f} " in text
        assert "reviewkit/workspace/<digest>/" in text
        assert "1 to 64" in text or "1〜64" in text
    assert f"after {cluster.MAX_ATTEMPTS} starts" in ENGLISH.lower()
    assert f"{cluster.MAX_ATTEMPTS} 回始めても" in JAPANESE
    # HOST:PORT is accepted, says the page
    assert cluster.check_address("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert cluster.check_address("local:64") == "local:64"


def test_a_malformed_address_is_refused_as_the_page_says(tmp_path, capsys):
    lines = quoted("reviewkit: error: --cluster: ")
    assert len(lines) == 2  # once in each language
    address = re.match(r"reviewkit: error: --cluster: '([^']+)'", lines[0])
    assert address
    ws = init_workspace(tmp_path / "ws")
    exit_code = main(["batch", "--cluster", address[1], "--workspace", str(ws.root),
                      "--output-dir", str(tmp_path / "out")])  # fmt: skip
    assert exit_code == 2
    assert capsys.readouterr().err.strip() == lines[0] == lines[1]
    assert not (tmp_path / "out").exists()


def test_an_unanswered_scheduler_is_the_line_on_the_page(tmp_path, monkeypatch):
    import distributed

    lines = quoted("reviewkit: error: --cluster tcp://")
    assert len(lines) == 2 and lines[0] == lines[1]
    address = lines[0].split()[3].rstrip(":")

    def no_answer(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(f"Timed out trying to connect to {address} after 10 s")

    monkeypatch.setattr(distributed, "Client", no_answer)
    quiet = logging.getLogger("distributed")
    level = quiet.level
    try:
        with pytest.raises(ClusterError) as caught:
            cluster.ClusterPool(address, ws=None, out=tmp_path, per_kernel=PACKS_PER_KERNEL,
                                log=logging.getLogger("test"))  # fmt: skip
    finally:
        quiet.setLevel(level)  # the pool quiets distributed's logger for the batch
    assert caught.value.exit_code == 1
    assert f"reviewkit: error: {caught.value}" == lines[0]


class _Lines(logging.Handler):
    """The lines a logger was given: ``LEVEL message``."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def _logged(events: list[dict[str, Any]], name: str) -> list[str]:
    """What the batch log says of ``events`` (the batch's own ``record_event``)."""
    handler = _Lines()
    log = logging.getLogger(f"test-scaling-docs-{name}")
    log.propagate, log.level = False, logging.INFO
    log.addHandler(handler)
    try:
        outcomes = {name: Outcome(name, "")}
        for event in events:
            record_event(event, outcomes, out=Path("/srv/reviewkit/outputs"), log=log)
    finally:
        log.removeHandler(handler)
    return handler.lines


def _pool(name: str) -> cluster.ClusterPool:
    """A cluster pool that has sent ``name`` to the cluster (nothing connected)."""
    pool = cluster.ClusterPool.__new__(cluster.ClusterPool)
    pool.events, pool.futures, pool.waiting = queue.SimpleQueue(), {}, {name}
    pool.running, pool.starts, pool.where = {}, Counter(), {}
    return pool


def test_the_log_lines_of_a_lost_worker_are_the_batchs():
    lines = [f"{level} {message}" for level, message in LOG_LINE.findall(DOC)]
    retry = [line for line in lines if " attempt 1 failed: " in line]
    assert len(retry) == 2 and retry[0] == retry[1]
    name, first, second = re.findall(r"WARNING (\S+): .* worker (\S+) was lost .* worker (\S+)$",
                                     retry[0])[0]  # fmt: skip
    pool = _pool(name)
    workers = [first, second] + [f"tcp://10.0.0.{n}:4000" for n in (8, 9)]
    for worker in workers[: cluster.MAX_ATTEMPTS + 1]:
        pool._on_event((0.0, {"event": "start", "name": name, "worker": worker}))
    events = [e for e in pool._worker_events() if e["event"] != "start"]
    logged = _logged(events, name)
    assert logged[0] == retry[0]
    given_up = [line for line in lines if line.startswith(f"ERROR {name}: ")]
    assert len(given_up) == 2 and given_up[0] == given_up[1] == logged[-1]


def test_the_log_line_of_a_worker_with_other_versions_is_the_batchs(monkeypatch):
    import distributed

    lines = [f"{level} {message}" for level, message in LOG_LINE.findall(DOC)]
    mismatch = [line for line in lines if "install the same requirements.lock" in line]
    assert len(mismatch) == 2 and mismatch[0] == mismatch[1]
    name, worker, package, runs, has = re.findall(
        r"^ERROR (\S+): .* worker (\S+) runs (\w+) (\S+) \(the batch has (\S+)\)", mismatch[0]
    )[0]
    fake = SimpleNamespace(address=worker, plugins={cluster_worker.PLUGIN:
                           cluster_worker.PackWorker("reviewkit")},
                           log_event=lambda *_args: None)  # fmt: skip
    monkeypatch.setattr(distributed, "get_worker", lambda: fake)
    versions = SimpleNamespace(version=lambda _name: runs,
                               PackageNotFoundError=LookupError)  # fmt: skip
    monkeypatch.setattr(cluster_worker, "metadata", versions)
    plan = SimpleNamespace(manifest={"packages": {package: has}})
    event = cluster_worker.build_task(name, plan, "", "")
    assert event["event"] == "failed" and event["files"] == {}
    assert _logged([event], name) == [mismatch[0]]


def test_a_lost_scheduler_fails_the_packs_still_out_with_the_pages_line():
    lines = [f"{level} {message}" for level, message in LOG_LINE.findall(DOC)]
    lost = [line for line in lines if "run the batch again once it is back" in line]
    assert len(lost) == 2 and lost[0] == lost[1]
    name = lost[0].split()[1].rstrip(":")
    pool = _pool(name)
    pool.client = SimpleNamespace(status="closed")  # the connection to the scheduler is gone
    pool.address, pool.log = "tcp://10.0.0.5:8786", logging.getLogger("test-scaling-docs")
    pool.log.propagate = False
    pool.log.addHandler(logging.NullHandler())
    pool.watched, pool.trouble_since = 0.0, time.monotonic() - cluster.LOST_SECONDS - 1
    events = pool._watch()
    assert [e["event"] for e in events] == ["failed"] and not pool.waiting
    assert _logged(events, name) == [lost[0]]
    for text in LANGUAGES.values():
        assert f"{cluster.LOST_SECONDS:.0f} s" in text or f"{cluster.LOST_SECONDS:.0f} 秒" in text


def test_the_page_is_linked_and_its_links_lead_somewhere():
    assert "](docs/scaling.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    pages = {"scaling.md": DOC}
    for name in ("scheduling.md", "guide-operator.md", "architecture.md"):
        pages[name] = (DOCS / name).read_text(encoding="utf-8")
    for name in ("scheduling.md", "guide-operator.md"):
        english, _, japanese = pages[name].partition("\n## 日本語\n")
        assert "](scaling.md" in english and "](scaling.md" in japanese, name
    architecture = pages["architecture.md"]
    for module in ("cluster", "cluster_worker", "cluster_bundle"):
        assert len(re.findall(rf"\b{module}\b", architecture)) >= 2, module
    for name, text in pages.items():
        for target, anchor in re.findall(r"\]\(([\w./-]*?)(?:#([^)]+))?\)", text):
            if target.startswith("http") or (name != "scaling.md" and "scaling" not in target):
                continue
            page = DOCS / target if target else DOCS / name
            assert page.is_file(), f"{name}: {target}"
            if anchor:
                assert anchor in anchors(page.read_text(encoding="utf-8")), f"{target}#{anchor}"


def test_the_copy_log_line_on_the_page_is_the_pools():
    import inspect

    shown = re.findall(r"`(cluster local:\d+: .+?)`", DOC)
    assert len(shown) == 2 and shown[0] == shown[1]
    source = inspect.getsource(cluster.ClusterPool._ship)
    written = re.search(r'"(cluster %s: [^"]+)"', source)
    assert written, "the pool no longer logs the copy as the page shows"
    pattern = re.escape(written[1]).replace("%s", r".*?").replace("%d", r"\d+")
    pattern = pattern.replace(re.escape("%.1f"), r"\d+\.\d")
    assert re.fullmatch(pattern, shown[0]), (written[1], shown[0])


def test_the_log_line_of_a_worker_without_the_shared_store_is_the_batchs(tmp_path, monkeypatch):
    import distributed

    from reviewkit.errors import RunFailedError
    from reviewkit.pack.cluster_bundle import _copy_shared

    lines = [f"{level} {message}" for level, message in LOG_LINE.findall(DOC)]
    unread = [line for line in lines if "--shared-store: this worker cannot read" in line]
    assert len(unread) == 2 and unread[0] == unread[1]
    name, worker, store = re.findall(r"^ERROR (\S+): .* worker (\S+): .* the store at (\S+) ",
                                     unread[0])[0]  # fmt: skip
    assert not Path(store).exists()
    plugin = cluster_worker.PackWorker("reviewkit")
    plugin.bundle = SimpleNamespace(digest="d")  # this batch's copy, which setup failed to write
    with pytest.raises(RunFailedError) as caught:  # what the worker's setup meets
        _copy_shared(Path(store), tmp_path / "reviewkit.duckdb")
    plugin.problem = str(caught.value)
    fake = SimpleNamespace(address=worker, plugins={cluster_worker.PLUGIN: plugin},
                           log_event=lambda *_args: None)  # fmt: skip
    monkeypatch.setattr(distributed, "get_worker", lambda: fake)
    with pytest.raises(RunFailedError) as raised:
        cluster_worker.build_task(name, SimpleNamespace(manifest={"packages": {}}), "", "d")

    class Failed:  # the task's future, on the head
        def result(self) -> Any:
            raise raised.value

    event = _pool(name)._outcome(Failed(), name, None)
    assert _logged([event], name) == [unread[0]]
    assert "--shared-store" in _options(app.commands["batch"])
