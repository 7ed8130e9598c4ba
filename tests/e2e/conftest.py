"""A real `brokerhub serve` process on a loopback port with its own data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

BROKERHUB = Path(sys.executable).parent / "brokerhub"
STARTUP_DEADLINE_SECONDS = 60


@dataclass
class Server:
    base: str
    key: str
    home: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "served"
    port = free_port()
    env = {**os.environ, "BROKERHUB_HOME": str(home)}
    env.pop("BROKERHUB_DATABASE_URL", None)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own console script
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
                raise AssertionError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        key = (home / "demo-api-key").read_text().strip()
        yield Server(base=base, key=key, home=home)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
