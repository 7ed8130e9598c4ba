"""Shared fixtures: isolated settings per test and real service URLs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerhub.config import get_settings

POSTGRES_URL = os.environ.get(
    "BROKERHUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BROKERHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_service(name: str, reason: str) -> None:
    """Skip with ``reason``, or fail when CI demands every service (BROKERHUB_REQUIRE_SERVICES)."""
    if os.environ.get("BROKERHUB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required here (BROKERHUB_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point BROKERHUB_HOME at a fresh folder and drop any cached settings."""
    for name in list(os.environ):
        if name.startswith("BROKERHUB_") and name not in {
            "BROKERHUB_REQUIRE_SERVICES",
            "BROKERHUB_TEST_POSTGRES_URL",
            "BROKERHUB_TEST_REDIS_URL",
        }:
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("BROKERHUB_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
