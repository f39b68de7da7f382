"""The kernel manager packs execute on.

Kernels talk to the runner over Unix sockets (IPC) instead of TCP ports on localhost: no port
races when several packs start kernels at once, and nothing listens on the network.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class IpcKernelManager(AsyncKernelManager):
    """An :class:`AsyncKernelManager` whose transport defaults to ``ipc``."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"
