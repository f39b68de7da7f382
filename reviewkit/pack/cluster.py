"""``reviewkit batch --cluster``: the packs to build run as tasks on a Dask cluster.

The head (the batch process) plans, fingerprints and skips exactly as a local batch does
(:mod:`reviewkit.pack.batch`); :class:`ClusterPool` stands in for the local worker pool. It
connects to the scheduler (``tcp://host:8786``) or starts a local cluster (``local:N``: N worker
processes on 127.0.0.1), registers the worker plugin that keeps a warm kernel on each worker
(:mod:`reviewkit.pack.cluster_worker`), sends the workspace once (settings, templates and the
store, :mod:`reviewkit.pack.cluster_bundle`) and submits one task per pack. Each task returns the
files it built; the head publishes them atomically into the output folder, so workers need
no shared folder and a pack is never half there.

A worker that dies mid-pack (killed, out of memory) loses its task: the scheduler runs it
again on another worker; after :data:`MAX_ATTEMPTS` starts the pack fails with the reason. A
scheduler that does not answer stops the batch before anything is built (one line, exit 1);
one lost mid-run fails the packs not yet back (those published stay whole).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from reviewkit.core.atomic import write_bytes_atomic
from reviewkit.core.interrupts import publish_step
from reviewkit.core.redaction import redact_text
from reviewkit.errors import ClusterError, ParameterError, ReviewkitError
from reviewkit.pack.batch_workers import Event

MAX_ATTEMPTS = 3  # a pack whose worker died this many times fails
CONNECT_SECONDS = 10.0  # a scheduler that does not answer within this stops the batch
# Packs still out fail when the scheduler has been unreachable, or the cluster without a
# worker, for this long (a worker restarting after a crash is back within seconds).
LOST_SECONDS = 60.0
WATCH_SECONDS = 5.0  # how often the head asks the scheduler how many workers it has
_LOCAL = re.compile(r"^local:(\d{1,3})$")
_REMOTE = re.compile(r"^(tcp|tls|ws|wss|inproc)://[^\s/]+$")


def check_address(address: str) -> str:
    """``--cluster``'s value, checked: ``local:N`` or a scheduler address.

    Raises
    ------
    ParameterError
        Anything else (exit 2), naming the allowed forms.
    """
    value = address.strip()
    local = _LOCAL.match(value)
    if local and 1 <= int(local.group(1)) <= 64:
        return value
    if _REMOTE.match(value):
        return value
    if not value.startswith("local:") and re.match(r"^[\w.-]+:\d+$", value):  # host:port
        return f"tcp://{value}"
    raise ParameterError(
        f"--cluster: {address!r} is not a Dask scheduler address; use tcp://HOST:PORT (what "
        "`dask scheduler` prints, e.g. tcp://10.0.0.5:8786) or local:N for N worker "
        "processes on this machine (1 to 64)"
    )


class ClusterPool:
    """The cluster's workers, fed one task per pack (the local pool's interface).

    Parameters
    ----------
    address
        A checked ``--cluster`` value (:func:`check_address`).
    ws
        The workspace the head planned in.
    out
        The head's output folder (packs are published there).
    per_kernel
        Packs a worker's kernel builds before it is replaced.
    log
        The batch log (where the cluster and each retry are noted).
    shared_store
        Workers copy the store from its path here (a folder every machine mounts) instead
        of receiving it from the head.

    Raises
    ------
    ClusterError
        The scheduler does not answer within :data:`CONNECT_SECONDS`.
    """

    def __init__(
        self,
        address: str,
        *,
        ws: Any,
        out: Path,
        per_kernel: int,
        log: logging.Logger,
        shared_store: bool = False,
    ) -> None:
        logging.getLogger("distributed").setLevel(logging.ERROR)  # the batch says what matters
        self.address, self.ws, self.out, self.log = address, ws, out, log
        self.per_kernel, self.shared_store = per_kernel, shared_store
        self.cluster: Any = None
        self.client = self._connect(address)
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.futures: dict[Any, tuple[str, Any]] = {}  # future -> (name, plan)
        self.waiting: set[str] = set()
        self.running: dict[str, str] = {}  # worker -> the pack it started last
        self.starts: Counter[str] = Counter()
        self.where: dict[str, str] = {}  # pack -> the worker it started on last
        self.trouble_since: float | None = None  # since when no scheduler or no worker
        self.watched = 0.0
        self.shipped = False  # the worker plugin (and the workspace copy) registered

    def _connect(self, address: str) -> Any:
        from distributed import Client, LocalCluster

        local = _LOCAL.match(address)
        try:
            if local:
                import dask

                dask.config.set({"distributed.scheduler.allowed-failures": MAX_ATTEMPTS - 1})
                self.cluster = LocalCluster(
                    n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
                )  # fmt: skip
                return Client(self.cluster, set_as_default=False)
            return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise ClusterError(
                f"--cluster {address}: the Dask scheduler did not answer within "
                f"{CONNECT_SECONDS:.0f} s ({type(exc).__name__}); start it with `dask "
                "scheduler` (and `dask worker ADDRESS` on each machine) or fix the address; "
                "nothing was built"
            ) from None

    def describe(self) -> dict[str, Any]:
        """What ``last-batch.json`` records of the cluster (address and workers)."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return {"address": self.address, "workers": len(workers)}

    @property
    def pending(self) -> int:
        """Packs not yet reported built or failed."""
        return len(self.waiting)

    def _ship(self) -> None:
        """Register the worker plugin, which carries the workspace copy (once per batch)."""
        if self.shipped:
            return
        from reviewkit.pack.cluster_bundle import chunks, describe_bundle
        from reviewkit.pack.cluster_worker import PackWorker

        t0 = time.perf_counter()
        bundle = describe_bundle(self.ws, shared_store=self.shared_store)
        self.client.register_plugin(PackWorker(
            self.ws.config.kernel, per_kernel=self.per_kernel, bundle=bundle,
            pieces=list(chunks(bundle)),
        ))  # fmt: skip
        self.log.info(
            "cluster %s: %d worker(s); workspace copy %s (%.1f MB%s) written on each in %.1f s",
            self.address, self.describe()["workers"], bundle.digest[:12], bundle.size / 1e6,
            ", the store from the shared folder" if self.shared_store else "",
            time.perf_counter() - t0,
        )  # fmt: skip
        self.client.subscribe_topic("reviewkit", self._on_event)
        self.shipped = True

    def _on_event(self, event: tuple[float, Event]) -> None:
        """A worker's event (from the client's thread): handled in :meth:`poll`."""
        self.events.put(event[1])

    def submit(self, name: str, plan: Any) -> None:
        """Send a planned pack to the cluster."""
        from reviewkit.pack.cluster_bundle import template_key
        from reviewkit.pack.cluster_worker import build_task

        self._ship()
        future = self.client.submit(
            build_task, name, plan, template_key(self.ws, plan.template),
            key=f"reviewkit-pack-{uuid.uuid4().hex[:12]}", pure=False,
        )  # fmt: skip
        self.futures[future] = (name, plan)
        self.waiting.add(name)

    def poll(self, timeout: float, *, stopping: Callable[[], bool] = lambda: False) -> list[Event]:
        """The next events: packs started, retried, built (and published here) or failed."""
        from distributed import wait
        from distributed.client import FuturesCancelledError

        events = self._worker_events()
        if not self.futures:
            return events
        lost = self._watch()
        if lost:
            return events + lost
        try:
            with self.client.as_current():
                done = wait(list(self.futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            done = set()
        except FuturesCancelledError:  # the scheduler gave up on them: each says why below
            done = {f for f in self.futures if f.done() or f.cancelled()}
        for future in done:
            name, plan = self.futures.pop(future)
            if name in self.waiting and not stopping():
                events.append(self._outcome(future, name, plan))
                self.waiting.discard(name)
        return events + self._worker_events()

    def _watch(self) -> list[Event]:
        """Every pack still out fails once the cluster is gone for :data:`LOST_SECONDS`."""
        now = time.monotonic()
        if now - self.watched < WATCH_SECONDS:
            return []
        self.watched = now
        why = ""
        if self.client.status != "running":
            why = "the connection to the Dask scheduler was lost"
        else:
            try:
                if not self.client.scheduler_info(n_workers=-1).get("workers"):
                    why = "the cluster has no worker"
            except Exception:
                why = "the Dask scheduler stopped answering"
        if not why:
            self.trouble_since = None
            return []
        self.trouble_since = self.trouble_since or now
        if now - self.trouble_since < LOST_SECONDS:
            return []
        self.log.error("cluster %s: %s for %.0f s", self.address, why, now - self.trouble_since)
        failed = [_failed(name, f"{why} for {LOST_SECONDS:.0f} s; run the batch again once it "
                          "is back") for name in sorted(self.waiting)]  # fmt: skip
        self.abandon()
        self.waiting.clear()
        return failed

    def _worker_events(self) -> list[Event]:
        """Starts and kernel retries the workers reported; a pack started too often fails."""
        found: list[Event] = []
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return found
            name = event.get("name", "")
            if name not in self.waiting:
                continue
            if event.get("event") != "start":
                found.append(event)
                continue
            worker = str(event.get("worker", ""))
            self.starts[name] += 1
            if self.starts[name] > 1:
                found.append({"event": "retry", "name": name, "attempt": self.starts[name] - 1,
                              "error": f"worker {self.where.get(name)} was lost while it "
                              f"built the pack; started again on worker {worker}"})  # fmt: skip
            if self.starts[name] > MAX_ATTEMPTS:
                found.append(self._give_up(name))
                continue
            self.where[name] = worker
            self.running[worker] = name
            found.append({"event": "start", "name": name, "worker": worker,
                          "pid": event.get("pid")})  # fmt: skip

    def _give_up(self, name: str) -> Event:
        for future, (other, _plan) in list(self.futures.items()):
            if other == name:
                future.cancel()
                del self.futures[future]
        self.waiting.discard(name)
        return _failed(name, f"its worker was lost {MAX_ATTEMPTS} times while building it "
                       "(killed, or out of memory?); see the workers' logs")  # fmt: skip

    def _outcome(self, future: Any, name: str, plan: Any) -> Event:
        """The event of a finished task: its pack published here, or why it failed."""
        from distributed import KilledWorker

        attempts = max(self.starts[name], 1)
        try:
            result: Event = future.result()
        except KilledWorker:
            return _failed(name, f"its worker was lost {attempts} times while building it "
                           "(killed, or out of memory?); see the workers' logs")  # fmt: skip
        except ReviewkitError as exc:  # on the worker, before the pack's build began
            return _failed(name, redact_text(str(exc)))
        except (CancelledError, OSError) as exc:  # the scheduler or the connection to it
            return _failed(name, f"the cluster was lost before it came back "
                           f"({type(exc).__name__}); run the batch again")  # fmt: skip
        except Exception as exc:  # a bug on the worker: its one line, redacted
            return _failed(name, redact_text(f"{type(exc).__name__} on a worker: {exc}"))
        files: dict[str, bytes] = result.pop("files", {})
        for key in ("pack", "error", "traceback"):
            if key in result:
                result[key] = str(result[key]).replace("<output-dir>", str(self.out))
        result["attempts"] = attempts
        if result["event"] == "built":
            self._publish(plan, files)
        else:
            self._keep(files)
        return result

    def _publish(self, plan: Any, files: dict[str, bytes]) -> None:
        """Put a built pack in place as a local worker does: staged, then moved, pack last."""
        from reviewkit.pack.execute import make_staging, new_staging
        from reviewkit.pack.publish import cleanup_staging_root, publish

        base = plan.target.relative_to(plan.out).as_posix() + "/"
        staging = make_staging(new_staging(plan))
        try:
            names = []
            for path, data in files.items():
                if path.startswith(base):
                    name = path.removeprefix(base)
                    (staging / name).parent.mkdir(parents=True, exist_ok=True)
                    (staging / name).write_bytes(data)
                    names.append(name)
            extra = [n for n in names if n not in {"pack.html", "notebook.ipynb", "manifest.json"}]
            with publish_step():
                publish(staging, plan.target, files=extra)
        finally:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
            cleanup_staging_root(self.out)

    def _keep(self, files: dict[str, bytes]) -> None:
        """Keep a failed run's files (under ``_failed/``) as a local batch does."""
        for path, data in files.items():
            if path.startswith("_failed/"):
                write_bytes_atomic(self.out / path, data)

    def abandon(self) -> list[Event]:
        """Stop now: cancel every pack not back yet (a worker's running pack is discarded)."""
        for future in list(self.futures):
            future.cancel()
        self.futures.clear()
        return []

    def close(self) -> None:
        """Disconnect (a local cluster's workers stop)."""
        with contextlib.suppress(Exception):
            if self.shipped:
                self.client.unsubscribe_topic("reviewkit")
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def _failed(name: str, why: str) -> Event:
    return {"event": "failed", "name": name, "attempts": 0, "seconds": 0.0,
            "error": f"{name} was not built: {why}"}  # fmt: skip
