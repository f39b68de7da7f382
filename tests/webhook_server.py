"""A local HTTP server standing in for Slack and Teams incoming webhooks in tests.

Usage::

    with WebhookServer() as server:
        server.respond("/slack", [(429, "rate_limited", {"Retry-After": "2"}), (200, "ok", {})])
        server.hang("/slow")
        post_slack(server.url("/slack"), payload, name="SLACK_WEBHOOK_X")
        assert server.posts("/slack")[0].body["text"] == ...

Every POST is recorded (path, headers, parsed JSON body). Each path answers from its queue of
programmed ``(status, body, headers)`` responses, then with 200 ``ok``. A path marked with
:meth:`WebhookServer.hang` answers only when the server closes (a threading.Event, no sleep),
so a client's timeout fires first. Only 127.0.0.1, on a free port.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["Received", "WebhookServer", "closed_port"]

Response = tuple[int, str, dict[str, str]]


@dataclass
class Received:
    """One POST the server received."""

    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any = field(default=None)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a connection to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: WebhookServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hung up on a hanging path (that is the test)."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        path = self.path.split("?", 1)[0]
        status, text, headers = owner._record(Received(path, dict(self.headers.items()), raw, body))
        if path in owner._hanging:
            owner._release.wait()
        data = text.encode("utf-8")
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class WebhookServer:
    """An HTTP server on 127.0.0.1 that records POSTs and answers as programmed."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._queues: dict[str, deque[Response]] = {}
        self._hanging: set[str] = set()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.02)  # a quick shutdown at the end of a test

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        """``http://127.0.0.1:PORT`` + ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(self, path: str, responses: list[Response]) -> None:
        """Answer the next POSTs to ``path`` with ``responses`` in order, then 200 ``ok``."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(responses)

    def hang(self, path: str) -> None:
        """Answer POSTs to ``path`` only when the server closes (for timeout tests)."""
        self._hanging.add(path)

    def posts(self, path: str | None = None) -> list[Received]:
        """The POSTs received so far, to ``path`` or to any path."""
        with self._lock:
            return [r for r in self.received if path is None or r.path == path]

    def _record(self, received: Received) -> Response:
        with self._lock:
            self.received.append(received)
            queue = self._queues.get(received.path)
            return queue.popleft() if queue else (200, "ok", {})

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
