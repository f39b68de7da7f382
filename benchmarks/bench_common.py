"""What every benchmark shares: figures with goals, timed commands, memory, the demo workspace.

The benchmarks run reviewkit the way users do (its command line, in a copy of the demo
workspace in a temporary folder), so the repository's ``outputs/`` and store are untouched.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
AS_OF = "2026-11-23"  # the demo date (make demo)
CADENCES = ("weekly", "monthly", "quarterly")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
GB = 1024**3
MB = 1024**2
KEY_PACKAGES = (
    "reviewkit",
    "duckdb",
    "pandas",
    "numpy",
    "altair",
    "papermill",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "ipykernel",
    "playwright",
    "psutil",
)


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its goal when it has one.

    ``passed`` is ``None`` for a figure reported for information only.
    """

    section: str
    name: str
    shown: str
    goal: str = ""
    passed: bool | None = None

    @property
    def result(self) -> str:
        """``PASS``, ``MISS`` or ``info``."""
        return "info" if self.passed is None else ("PASS" if self.passed else "MISS")


def seconds(value: float) -> str:
    """``4.71 s``."""
    return f"{value:.2f} s"


def size(value: float) -> str:
    """Bytes as ``12.3 MB`` (MiB) or ``1.23 GB`` (GiB)."""
    return f"{value / GB:.2f} GB" if value >= GB else f"{value / MB:.2f} MB"


def ratio(value: float) -> str:
    """``3.4x``."""
    return f"{value:.2f}x"


@dataclass(frozen=True)
class Run:
    """A finished command: wall time and the peak memory of its process tree."""

    seconds: float
    stdout: str
    peak_tree: int = 0  # bytes: the largest sum of RSS over the command and its children
    peak_process: int = 0  # bytes: the largest RSS of any one of them


class _Sampler(threading.Thread):
    """Samples the RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.stop = threading.Event()
        self.peak_tree = 0
        self.peak_process = 0

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = []
            for proc in procs:
                try:
                    rss.append(proc.memory_info().rss)
                except psutil.NoSuchProcess:  # ended between listing and reading
                    continue
            if rss:
                self.peak_tree = max(self.peak_tree, sum(rss))
                self.peak_process = max(self.peak_process, max(rss))
            self.stop.wait(self.interval)


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    memory: bool = False,
) -> Run:
    """Run ``command`` and time it; with ``memory``, sample its tree's RSS every 0.1 s.

    Raises
    ------
    RuntimeError
        The command failed: its exit code and the end of its output.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(c) for c in command],
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = _Sampler(proc.pid, 0.1) if memory else None
    if sampler is not None:
        sampler.start()
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - started
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
    if proc.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-15:])
        shown = " ".join(str(c) for c in command)
        raise RuntimeError(f"{shown} exited with {proc.returncode} in {cwd}:\n{tail}")
    peaks = (sampler.peak_tree, sampler.peak_process) if sampler is not None else (0, 0)
    return Run(elapsed, out, *peaks)


def reviewkit(*args: str | Path, cwd: Path, memory: bool = False) -> Run:
    """Run the ``reviewkit`` command of this environment."""
    return run([BIN / "reviewkit", *args], cwd=cwd, memory=memory)


def user_env() -> dict[str, str]:
    """The environment of a user whose shell has this virtualenv activated."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(BIN.parent)
    return env


def new_workspace(root: Path, *, leads: int | None = None) -> Path:
    """A workspace at ``root`` (``reviewkit init --sample``) filled with the sample company.

    ``leads=None`` gives the demo workspace: the repository's ``params/`` and, when ``make demo``
    built it, a copy of its store (else the sample is generated at its default size).
    """
    reviewkit("init", root, cwd=root.parent)
    if leads is None:
        shutil.rmtree(root / "params")
        shutil.copytree(REPO / "params", root / "params")
        store = REPO / "data" / "reviewkit.duckdb"
        if store.is_file():
            shutil.copy2(store, root / "data" / "reviewkit.duckdb")
            return root
    reviewkit(
        "sample", "--workspace", root, *([] if leads is None else ["--leads", str(leads)]), cwd=root
    )
    return root


def published(output_dir: Path, cadence: str, name: str = "pack.html") -> Path:
    """The one company pack (workspace language) of ``cadence`` published in ``output_dir``.

    Raises
    ------
    RuntimeError
        When there is not exactly one.
    """
    found = sorted(output_dir.glob(f"{cadence}/*/{name}"))
    if len(found) != 1:
        raise RuntimeError(f"expected one {cadence}/*/{name} in {output_dir}, found {found}")
    return found[0]


def machine() -> dict[str, str]:
    """The machine and software the figures were measured on."""
    import psutil

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for name in KEY_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return {
        "Commit": _commit(),
        "CPU": f"{cpu} × {os.cpu_count()}",
        "RAM": size(psutil.virtual_memory().total),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Packages": ", ".join(versions),
        "Chromium": _output([os.environ.get("REVIEWKIT_CHROMIUM") or "chromium", "--version"]),
    }


def _output(command: Sequence[str]) -> str:
    """What ``command`` prints (stripped), or ``""`` when it cannot run."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _commit() -> str:
    """The checkout's commit, and whether it had local changes."""
    commit = _output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    changed = _output(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    return f"{commit} (with local changes)" if commit and changed else commit or "unknown"
