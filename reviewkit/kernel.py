"""The kernel manager packs execute on.

Kernels talk to the runner over Unix sockets (IPC) instead of TCP ports on localhost: no port
races when several packs start kernels at once, and nothing listens on the network. Each
kernel gets a private socket folder (jupyter_client would otherwise put ``kernel-ipc-N`` files
in the current directory, where parallel runs could collide).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class IpcKernelManager(AsyncKernelManager):
    """An :class:`AsyncKernelManager` that uses ``ipc`` sockets in a private temporary folder."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        return str(Path(tempfile.mkdtemp(prefix="rk-kernel-")) / "k")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Remove the connection file, the sockets and their folder."""
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.transport == "ipc":
            shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # the async manager's public name
