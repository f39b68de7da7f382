"""``make lab`` as an analyst uses it: JupyterLab offline, a template, Run All, in Chromium.

JupyterLab is started with the command of the Makefile's ``lab`` recipe (same executable,
the config ``make`` installs into ``.venv/etc/jupyter`` from ``jupyter/``, same flags), plus
``--no-browser``, a free port, a token and ``--notebook-dir`` = the ``notebooks/`` folder of
a copy of the sample workspace holding the three templates. The page runs in headless Chromium
(the launcher of tests/e2e/test_browser.py) with every request recorded; any request to another
host than the server is aborted and reported. Nothing is saved back: the copy is thrown away.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from builders import ARTIFACTS, MIN_CHARTS, REPO
from playwright.sync_api import Browser, Page, Route, WebSocket, expect

pytestmark = pytest.mark.browser

TOKEN = "reviewkit-lab-test"
JUPYTER_ETC = REPO / ".venv" / "etc" / "jupyter"
# What `make` installs from jupyter/ (the Makefile's LAB_CONFIG).
LAB_CONFIG = ("jupyter_lab_config.py", "labconfig/page_config.json")
ANNOUNCEMENTS = "@jupyterlab/apputils-extension:announcements"
# The announcements plugin's server side: the news feed and the update check.
CALLING_OUT = ("/lab/api/news", "/lab/api/update")
LOCAL_SCHEMES = ("data:", "blob:", "about:")
UNSET = ("REVIEWKIT_WORKSPACE", "REVIEWKIT_PACK_CONTEXT")
STARTUP_S = 90
RUN_ALL_MS = 180_000
ERROR_TEXT = re.compile(r"Traceback|\b\w*(Error|Exception)\b")
PROMPT_DONE = re.compile(r"^\[\d+\]:$")


def lab_command() -> list[str]:
    """The command ``make lab`` runs, as make expands it (a dry run: nothing is executed)."""
    make = shutil.which("make")
    assert make, "make is missing (apt-get install make)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    dry = subprocess.run(
        [make, "--dry-run", "--always-make", "lab"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    (line,) = [ln for ln in dry.stdout.splitlines() if re.search(r"/jupyter lab\b", ln)]
    return shlex.split(line)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: where it answers, its process and its log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def status(self, path: str) -> int:
        """The HTTP status of ``GET path`` (0: no answer), straight to the server (no proxy)."""
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {TOKEN}"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0


def wait_until_answering(lab: Lab) -> None:
    """Poll the server's status endpoint; between tries, wait on the process (it may die)."""
    for _ in range(STARTUP_S * 10):
        if lab.status("/api/status") == 200:
            return
        try:
            code = lab.process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"JupyterLab exited with {code}:\n{lab.log.read_text()[-3000:]}")
    pytest.fail(f"JupyterLab did not answer in {STARTUP_S} s:\n{lab.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(sample_workspace, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab as ``make lab`` starts it, on a copy of the sample workspace's notebooks."""
    for name in LAB_CONFIG:
        installed = JUPYTER_ETC / name
        assert installed.is_file(), f"{installed} is missing: run `make setup` (or make lab)"
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "ws"
    shutil.copytree(sample_workspace.root, root, ignore=shutil.ignore_patterns("outputs"))
    (root / "notebooks").mkdir()
    for template in sorted((REPO / "notebooks").glob("*_review.ipynb")):
        shutil.copy(template, root / "notebooks")

    command = [
        f"--notebook-dir={root / 'notebooks'}" if arg.startswith("--notebook-dir") else arg
        for arg in lab_command()
    ]
    port = free_port()
    command += ["--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={TOKEN}"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    # The analyst's own JupyterLab state stays out, and nothing is written to it.
    env |= {
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
    }
    log = tmp / "lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    server = Lab(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        wait_until_answering(server)
        yield server
    finally:
        process.terminate()  # JupyterLab shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Watched:
    """The page, and every request it made: to the server, and to anywhere else (aborted)."""

    page: Page
    local: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Browser, lab: Lab) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    result = Watched(page)
    origin = lab.url + "/"

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(origin):
            result.local.append(url.removeprefix(lab.url))
            route.continue_()
        elif url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            result.elsewhere.append(url)
            route.abort()

    def on_websocket(socket_: WebSocket) -> None:
        if not socket_.url.startswith(origin.replace("http://", "ws://")):
            result.elsewhere.append(socket_.url)

    context.route("**/*", guard)
    page.on("websocket", on_websocket)
    page.on("console", lambda m: result.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: result.console.append(f"page error: {e}"))
    yield result
    context.close()


def test_the_network_guard_records_and_blocks_other_hosts(watched: Watched):
    # The guard itself: without it, the "no requests" assertion below would prove nothing.
    watched.page.set_content('<img src="https://example.com/logo.png" alt="">')
    watched.page.wait_for_load_state()
    assert watched.elsewhere == ["https://example.com/logo.png"]


def test_make_lab_runs_jupyter_lab_from_the_venv_on_notebooks():
    command = lab_command()
    assert command[:3] == [".venv/bin/jupyter", "lab", "--notebook-dir=notebooks"]
    assert set(command[3:]) <= {"--allow-root"}  # as root (containers, CI) only


def test_the_installed_lab_config_is_the_committed_one_and_turns_off_what_calls_out():
    for name in LAB_CONFIG:
        committed = (REPO / "jupyter" / name).read_text(encoding="utf-8")
        assert (JUPYTER_ETC / name).read_text(encoding="utf-8") == committed, name
    shown = subprocess.run(
        [str(REPO / ".venv" / "bin" / "jupyter"), "lab", "--show-config"],
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    assert re.search(r"\.news_url = None\b", shown), shown
    assert ".check_for_updates_class = 'jupyterlab.NeverCheckForUpdate'" in shown
    assert ".extension_manager = 'readonly'" in shown


def test_run_all_in_jupyterlab_offline(lab: Lab, watched: Watched):
    page = watched.page
    page.goto(f"{lab.url}/lab/tree/monthly_review.ipynb?token={TOKEN}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook.locator(".jp-KernelName")).to_have_text("reviewkit (project)", timeout=60_000)
    expect(notebook.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).to_have_count(
        1, timeout=60_000
    )
    template = nbformat.read(REPO / "notebooks" / "monthly_review.ipynb", as_version=4)
    code_cells = sum(c.cell_type == "code" for c in template.cells)
    prompts = notebook.locator(".jp-CodeCell .jp-InputArea .jp-InputPrompt")
    expect(prompts).to_have_count(code_cells)

    # Run > Run All Cells, as an analyst does (the menu runs notebook:run-all-cells).
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    # Done: every code cell has its execution count and the kernel is idle again.
    page.wait_for_function(
        """([selector, n]) => {
            const prompts = [...document.querySelectorAll(selector)];
            const idle = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return prompts.length === n && idle && idle.dataset.status === 'idle'
                && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        arg=[".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt", code_cells],
        timeout=RUN_ALL_MS,
    )
    shown = [p.strip() for p in prompts.all_text_contents()]
    assert all(PROMPT_DONE.match(p) for p in shown), shown

    outputs = notebook.locator(".jp-OutputArea-output")
    stderr = outputs.locator('xpath=self::*[@data-mime-type="application/vnd.jupyter.stderr"]')
    failures = [text for text in stderr.all_inner_texts() if ERROR_TEXT.search(text)]
    assert failures == [], f"errors in cells: {failures}"
    expect(notebook.locator("header.rk-header h1")).to_contain_text("月次レビュー")
    charts = notebook.locator("figure.rk-figure svg")
    assert charts.count() >= MIN_CHARTS["monthly"]
    # The drill-down widget rendered (ipywidgets through jupyterlab_widgets).
    explorer = notebook.locator(".rk-explore").first
    explorer.scroll_into_view_if_needed()
    expect(explorer).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "lab-monthly-run-all.png")

    config = json.loads(page.locator("#jupyter-config-data").text_content() or "{}")
    assert config["extensionManager"]["name"] == "read-only"
    assert config["news"] == {"disabled": True}
    assert ANNOUNCEMENTS in config["disabledExtensions"]
    federated = {e["name"] for e in config["federated_extensions"]}
    assert "@jupyter-widgets/jupyterlab-manager" in federated

    assert watched.elsewhere == [], f"requests beyond 127.0.0.1 (aborted): {watched.elsewhere}"
    called = [u for u in watched.local if u.startswith(CALLING_OUT)]
    assert called == [], called
    assert any(u.startswith("/api/kernels") for u in watched.local)  # the guard saw requests
