"""Run an ASGI app with uvicorn on a loopback port in a background thread.

Tests and the sandbox command use :class:`LoopbackServer` to put an emulator behind real
HTTP (and WebSocket) on ``127.0.0.1``: the port is taken from the operating system, the
server is ready when :meth:`LoopbackServer.start` returns, and :meth:`LoopbackServer.stop`
shuts it down and joins the thread.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 10.0


class LoopbackServer:
    """One ASGI app served by uvicorn on ``127.0.0.1`` from a daemon thread.

    Args:
        app: the ASGI application.
        port: the port to listen on; 0 lets the operating system choose a free one.
        graceful_seconds: how long shutdown waits for requests still running.
    """

    def __init__(self, app: Any, *, port: int = 0, graceful_seconds: float = 2.0) -> None:
        self._config = uvicorn.Config(
            app,
            host=LOOPBACK,
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            timeout_graceful_shutdown=int(graceful_seconds) or 1,
        )
        self._server = uvicorn.Server(self._config)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port the server listens on (after :meth:`start`)."""
        if self._socket is None:
            raise RuntimeError("the server is not started")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """Return ``http://127.0.0.1:<port>``."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> LoopbackServer:
        """Bind the port, start serving in a thread and return once requests are answered.

        Raises:
            RuntimeError: the server did not start within ``START_TIMEOUT_SECONDS``.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, self._config.port))
        self._socket = sock
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the loopback server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Ask the server to exit, wait for its thread and close the socket."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
