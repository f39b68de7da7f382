"""The kernels packs execute on.

Kernels talk to the runner over Unix sockets (IPC) instead of TCP ports on localhost: no port
races when several packs start kernels at once, and nothing listens on the network. Each
kernel gets a private socket folder (jupyter_client would otherwise put ``kernel-ipc-N`` files
in the current directory, where parallel runs could collide).

A batch worker keeps a :class:`WarmKernel`: started, and importing what the templates import,
while the worker is still busy with the pack before; reset between packs (a fresh namespace,
the pack folder set) and replaced after a number of packs, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

from reviewkit.core.context import CONTEXT_ENV, CONTEXT_FILE
from reviewkit.core.interrupts import stop_with_run
from reviewkit.core.resources import package_file
from reviewkit.errors import RunFailedError

# What templates import, paid while the previous pack still runs (see import_pack_modules).
WARM_UP = "__import__('reviewkit.pack.kernel').pack.kernel.import_pack_modules()"
# Packages and modules no pack uses (command line, runner, imports, the sample generator).
NOT_IN_PACKS = frozenset({
    "cli", "compat", "pack", "ingest.sample", "ingest.identity", "ingest.importer",
    "ingest.parsing", "ingest.profile", "ingest.readers",
})  # fmt: skip
# Imported inside functions of pack modules.
LAZY_IN_PACKS = ("scipy.stats", "holidays.countries")  # holidays: seasonal weights
# Between two packs on one kernel: a fresh namespace, the next pack's context.
RESET = (
    "get_ipython().run_line_magic('reset', '-f'); "
    "__import__('gc').collect(); "
    "__import__('os').environ[{name!r}] = {folder!r}"
)


def pack_module_names(folder: Path | None = None, prefix: str = "") -> list[str]:
    """Every reviewkit module a pack may use: the package walked, :data:`NOT_IN_PACKS` left out.

    The package is walked by its folders, importing nothing (not even ``import reviewkit``:
    the pack layer does not import the public API it serves).
    """
    names: list[str] = []
    for info in pkgutil.iter_modules([str(folder or package_file())]):
        name = f"{prefix}{info.name}"
        if name in NOT_IN_PACKS:
            continue
        names.append(f"reviewkit.{name}")
        if info.ispkg:
            below = (folder or package_file()) / info.name
            names.extend(pack_module_names(below, prefix=f"{name}."))
    return names


def import_pack_modules() -> None:
    """Import every reviewkit module a pack may use, and what they import lazily."""
    for name in [*pack_module_names(), *LAZY_IN_PACKS]:
        importlib.import_module(name)


class IpcKernelManager(AsyncKernelManager):
    """An :class:`AsyncKernelManager` that uses ``ipc`` sockets in a private temporary folder."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        return str(Path(tempfile.mkdtemp(prefix="rk-kernel-")) / "k")

    def client(self, **kwargs: Any) -> Any:
        """A client of this kernel, remembered so that :meth:`close_clients` can stop it."""
        made = super().client(**kwargs)
        self.__dict__.setdefault("_rk_clients", []).append(made)
        return made

    def close_clients(self) -> None:
        """Stop the channels of every client made for this kernel (papermill leaves them)."""
        for made in self.__dict__.pop("_rk_clients", []):
            made.stop_channels()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Remove the connection file, the sockets and their folder."""
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.transport == "ipc":
            shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # the async manager's public name

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """Start the kernel; a stop signal to this process kills it (see interrupts)."""
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            stop_with_run(process)

    _launch_kernel = _async_launch_kernel


class WarmKernel:
    """A kernel started ahead of use, already importing reviewkit.

    Parameters
    ----------
    kernel_name
        The kernelspec (the workspace's ``kernel``).
    cwd
        The kernel's working folder (the workspace).
    startup_timeout
        Seconds to wait for the kernel to answer.
    warm_up
        Code run silently at once (default: import every module a pack may use).
    """

    def __init__(
        self,
        kernel_name: str,
        *,
        cwd: Path,
        startup_timeout: float = 60,
        warm_up: str = WARM_UP,
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.packs = 0
        self.manager = IpcKernelManager(kernel_name=kernel_name)
        run_sync(self.manager.start_kernel)(cwd=str(cwd))
        self.process: Any = getattr(self.manager.provisioner, "process", None)
        self.client = BlockingKernelClient()
        self.client.load_connection_info(self.manager.get_connection_info())
        self.client.start_channels()
        self.client.execute(warm_up, silent=True, store_history=False)  # no wait: it runs ahead

    def prepare(self, folder: Path) -> None:
        """Wait until the kernel is ready, and reset it for the pack built in ``folder``.

        The kernel is told the pack's context file (written there before the template runs).

        Raises
        ------
        RunFailedError
            The kernel did not start or does not answer (the caller retries on another).
        """
        try:
            self._wait_until_ready()
            code = RESET.format(name=CONTEXT_ENV, folder=str(folder / CONTEXT_FILE))
            reply = self.client.execute_interactive(
                code, silent=True, store_history=False, timeout=self.startup_timeout
            )
        except (RuntimeError, TimeoutError) as exc:
            raise RunFailedError(f"kernel {self.kernel_name!r} did not start: {exc}") from exc
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RunFailedError(
                f"kernel {self.kernel_name!r} could not be prepared: "
                f"{content.get('ename')}: {content.get('evalue')}"
            )

    def _wait_until_ready(self) -> None:
        """Wait for the kernel's first answer, as long as its process lives.

        The client's own check reads the heartbeat, which stays silent for the first second of
        a kernel still importing on a busy machine: that is not a dead kernel. Only an ended
        process, or no answer within ``startup_timeout``, is.
        """
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.client.wait_for_ready(timeout=max(deadline - time.monotonic(), 0.1))
                return
            except RuntimeError:
                if self.process is None or time.monotonic() >= deadline:
                    raise
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.25)  # returns at once if it ended
                if self.process.poll() is not None:
                    raise

    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        return bool(run_sync(self.manager.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel and every client of it (killed if it does not stop at once)."""
        try:
            self.manager.close_clients()
            self.client.stop_channels()
            with contextlib.suppress(RuntimeError):  # already dead
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:  # also when an interrupt left the event loop unusable
            _kill(self.process)


def _kill(process: Any) -> None:
    """Kill a kernel process (and its process group: it leads its own session) if it runs."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=5)
