"""The worker side of ``reviewkit batch --cluster``: a Dask worker plugin and the build task.

:class:`PackWorker` does on a Dask worker what a local batch worker does
(:mod:`reviewkit.pack.batch_workers`): it starts a kernel before the first pack arrives, resets
it between packs and replaces it every ``per_kernel`` packs. :func:`build_task` builds one
planned pack: it writes the workspace copy the head sent once
(:mod:`reviewkit.pack.cluster_bundle`), rebases the plan onto it, builds into a scratch
folder and returns what was published as bytes, for the head to publish. Nothing is written
outside the worker's own folder.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from reviewkit.errors import RunFailedError
from reviewkit.pack.batch_workers import PACKS_PER_KERNEL, Event, _build_one, _Kernels
from reviewkit.pack.cluster_bundle import Bundle, collect_files, materialize, rebase_plan

PLUGIN = "reviewkit"  # the plugin's name on every worker
TOPIC = "reviewkit"  # the event topic the head subscribes to (a pack started, a retry)
OUT_MARK = "<output-dir>"  # the head's output folder, in paths a worker reports


class PackWorker(WorkerPlugin):
    """A Dask worker plugin: the worker's warm kernels and its copy of the workspace.

    Parameters
    ----------
    kernel
        The Jupyter kernel packs run on (the workspace's).
    per_kernel
        Packs a kernel builds before it is replaced.
    """

    name = PLUGIN
    idempotent = False  # registered again by each batch: its kernel setting may differ

    def __init__(
        self,
        kernel: str,
        *,
        per_kernel: int = PACKS_PER_KERNEL,
        bundle: Bundle | None = None,
        pieces: list[tuple[int, int, bytes]] | None = None,
    ) -> None:
        self.kernel, self.per_kernel = kernel, per_kernel
        self.bundle, self.pieces = bundle, pieces or []
        self.free: queue.SimpleQueue[_Kernels] = queue.SimpleQueue()
        self.all: list[_Kernels] = []
        self.copy: Path | None = None
        self.problem = ""  # why this worker has no copy (reported by each of its packs)
        self.copies = Path()
        self.cwd = Path()
        self.lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"kernel": self.kernel, "per_kernel": self.per_kernel, "bundle": self.bundle,
                "pieces": self.pieces}  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["kernel"], per_kernel=state["per_kernel"], bundle=state["bundle"],
            pieces=state["pieces"],
        )  # fmt: skip

    def setup(self, worker: Any) -> None:
        """Write the workspace copy, then start a kernel in a task thread (it outlives setup).

        The plugin carries the copy: the scheduler gives it to every worker that joins later,
        a worker restarted after a crash included.
        """
        from reviewkit.core.lazy_imports import defer_iri_grammar

        defer_iri_grammar()
        root = Path(worker.local_directory) / "reviewkit"
        self.copies, self.cwd = root / "workspace", root / "kernels"
        self.copies.mkdir(parents=True, exist_ok=True)
        self.cwd.mkdir(parents=True, exist_ok=True)
        if self.bundle is not None:
            try:
                self.copy = materialize(self.bundle, self.pieces, self.copies)
            except RunFailedError as exc:
                self.problem = str(exc)
        self.pieces = []  # on disk now: not kept in the worker's memory
        # A kernel dies with the thread that started it (Linux's parent-death signal): it is
        # started in one of the worker's task threads, which live as long as the worker.
        executor = getattr(worker, "executors", {}).get("default")
        if executor is not None:
            executor.submit(self._warm)

    def _warm(self) -> None:
        with contextlib.suppress(Exception):  # a kernel that fails here fails the pack later
            self.free.put(self._new())

    def _new(self) -> _Kernels:
        kernels = _Kernels(self.kernel, cwd=self.cwd, per_kernel=self.per_kernel)
        with self.lock:
            self.all.append(kernels)
        return kernels

    def take(self) -> _Kernels:
        """A worker thread's kernels: a free set, else new ones."""
        try:
            return self.free.get_nowait()
        except queue.Empty:
            return self._new()

    def give_back(self, kernels: _Kernels) -> None:
        """Return kernels for the next pack."""
        self.free.put(kernels)

    def teardown(self, worker: Any) -> None:
        """Stop every kernel."""
        with self.lock:
            for kernels in self.all:
                with contextlib.suppress(Exception):
                    kernels.close()
            self.all.clear()


class _Events:
    """Where :func:`reviewkit.pack.batch_workers._build_one` reports a kernel retry."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker

    def put(self, event: Event) -> None:
        with contextlib.suppress(Exception):
            self.worker.log_event(TOPIC, {**event, "worker": self.worker.address})


def version_mismatch(recorded: dict[str, str]) -> str:
    """How this worker's packages differ from the head's (``""``: they agree)."""
    import platform

    from reviewkit.pack.plan import RECORDED_PACKAGES

    differ = []
    for name, version in sorted(recorded.items()):
        if name == "python":
            mine = platform.python_version()
        elif name in RECORDED_PACKAGES:
            try:
                mine = metadata.version(name)
            except metadata.PackageNotFoundError:
                mine = "not installed"
        else:
            continue
        if mine != version:
            differ.append(f"{name} {mine} (the batch has {version})")
    return ", ".join(differ)


def build_task(name: str, plan: Any, template: str) -> Event:
    """Build one planned pack on this worker (a Dask task); the event with its files.

    The event is that of a local batch worker (``built`` or ``failed``, ``seconds``,
    ``attempts``, ``error``), its paths relative to the output folder, plus ``files``: every
    file the build published (the pack, or a failed run kept under ``_failed/``) as bytes.
    """
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins[PLUGIN]
    assert isinstance(plugin, PackWorker)
    events = _Events(worker)
    events.put({"event": "start", "name": name, "pid": os.getpid()})
    differ = version_mismatch(plan.manifest.get("packages", {}))
    if differ:
        return {"event": "failed", "name": name, "attempts": 0, "seconds": 0.0, "files": {},
                "error": f"{name} was not built: worker {worker.address} runs {differ}; "
                "install the same requirements.lock on every machine"}  # fmt: skip
    if plugin.copy is None:
        why = plugin.problem or "it has no workspace copy; run the batch again"
        raise RunFailedError(f"worker {worker.address}: {why}")
    copy = plugin.copy
    scratch = plugin.copies.parent / "out" / uuid.uuid4().hex[:12]
    scratch.mkdir(parents=True)
    kernels = plugin.take()
    try:
        rebased = rebase_plan(plan, copy=copy, out=scratch, template=template)
        event = _build_one(kernels, name, rebased, events)
        files = collect_files(scratch)
    finally:
        plugin.give_back(kernels)
        shutil.rmtree(scratch, ignore_errors=True)
    for key in ("pack", "error", "traceback"):
        if key in event:
            event[key] = str(event[key]).replace(str(scratch), OUT_MARK)
    return {**event, "files": files, "worker": worker.address}
