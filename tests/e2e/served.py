"""A real ``brokerhub serve`` process on a loopback port with its own BROKERHUB_HOME."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

BROKERHUB = Path(sys.executable).parent / "brokerhub"
STARTUP_DEADLINE_SECONDS = 60


@dataclass
class Served:
    """Where the server listens and the demo user's key."""

    base: str
    key: str
    home: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """Call the REST API as the demo user."""
        return requests.request(  # type: ignore[arg-type]
            method,
            f"{self.base}/brokerage_integrations/brokerages{path}",
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=10,
            **kwargs,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(folder: Path, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """Start ``brokerhub serve`` with its home in ``folder`` (and ``env``); stop it on exit."""
    home = folder / "served"
    port = free_port()
    env = {**os.environ, **(env or {}), "BROKERHUB_HOME": str(home)}
    env.pop("BROKERHUB_DATABASE_URL", None)
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process: subprocess.Popen[bytes] = subprocess.Popen(  # noqa: S603 - our console script
            [str(BROKERHUB), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        try:
            while True:
                try:
                    if requests.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text())
                time.sleep(0.2)
            key = (home / "demo-api-key").read_text().strip()
            yield Served(base=base, key=key, home=home, process=process)
        finally:
            process.terminate()
            process.wait(timeout=20)
