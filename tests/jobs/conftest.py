"""Real services for the job tests: a fresh PostgreSQL database, Redis, and child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from brokerhub.config import Settings, load_settings
from tests.conftest import REDIS_URL, require_service
from tests.store.conftest import _drop_postgres_database, _fresh_postgres_database

PROCESS_STOP_SECONDS = 15


def wait_for(condition: Callable[[], bool], deadline: float, what: str) -> None:
    """Poll ``condition`` every 0.2 s; fail naming ``what`` after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@dataclass
class Services:
    """The environment shared by the test and the processes it starts."""

    home: Path
    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def settings(self) -> Settings:
        """Return the settings the child processes see."""
        values = {
            key.removeprefix("BROKERHUB_").lower(): value
            for key, value in self.env.items()
            if key.startswith("BROKERHUB_") and not key.startswith("BROKERHUB_TEST")
        }
        return load_settings(**values)

    def start(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        """Start ``brokerhub ARGS`` (with the slow paper broker) in its own process group."""
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own module
                [sys.executable, "-m", "tests.jobs.slow_broker", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process's whole group and wait for it."""
        if process.poll() is None:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=PROCESS_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=PROCESS_STOP_SECONDS)

    def log_text(self) -> str:
        """Return every child's log, for failure messages."""
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))


@pytest.fixture
def services(tmp_path: Path, isolated_home: Path) -> Iterator[Services]:
    """Yield a fresh PostgreSQL database and a Redis namespace; stop every child at the end."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        require_service("redis", f"cannot reach {REDIS_URL}: {exc}")
    database_url = _fresh_postgres_database()
    namespace = f"bhtest-{uuid.uuid4().hex[:8]}"
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BROKERHUB_")},
        "BROKERHUB_HOME": str(isolated_home),
        "BROKERHUB_DATABASE_URL": database_url,
        "BROKERHUB_REDIS_URL": REDIS_URL,
        "BROKERHUB_REDIS_NAMESPACE": namespace,
        "BROKERHUB_SYNC_INTERVAL_SECONDS": "3600",
        "BROKERHUB_AI_TRADES_INTERVAL_SECONDS": "3600",
        "BROKERHUB_WEBHOOK_DELIVERY_INTERVAL_SECONDS": "3600",
        "BROKERHUB_CLEANUP_INTERVAL_SECONDS": "3600",
        "BROKERHUB_ORDER_TRACKING_INTERVAL_SECONDS": "3600",
        "BROKERHUB_AUTHORIZATION_CHECK_INTERVAL_SECONDS": "3600",
        "BROKERHUB_CELERY_VISIBILITY_TIMEOUT_SECONDS": "3",
        "BROKERHUB_SYNC_LOCK_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
    }
    found = Services(home=isolated_home, env=env, logs=logs)
    try:
        yield found
    finally:
        for process in found.processes:
            found.kill(process)  # the test is over: no warm shutdown needed
        for key in client.scan_iter(f"{namespace}*"):
            client.delete(key)
        client.close()
        _drop_postgres_database(database_url)
