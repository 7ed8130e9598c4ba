"""``brokerhub sandbox etrade`` as a real process: sign in with the printed pair, refuse others."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1, OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied
from typer.testing import CliRunner

from brokerhub.cli.main import app
from tests.brokers.etrade.emulated import login
from tests.e2e.served import free_port

BROKERHUB = Path(sys.executable).parent / "brokerhub"
STARTUP_DEADLINE_SECONDS = 60


@dataclass
class Sandbox:
    """The running sandbox: its base URL, the consumer pair and everything it printed."""

    base: str
    consumer_key: str
    consumer_secret: str
    banner: str


@contextmanager
def sandbox(tmp_path: Path, *args: str) -> Iterator[Sandbox]:
    """Run ``brokerhub sandbox etrade`` on a free port until the block ends."""
    port = free_port()
    env = {**os.environ, "BROKERHUB_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "sandbox.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(BROKERHUB), "sandbox", "etrade", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        try:
            while True:
                try:
                    requests.get(f"{base}/e/t/etws/authorize", timeout=1)
                    break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text())
                time.sleep(0.2)
            banner = log_path.read_text()
            fields = dict(
                line.split(":", 1) for line in banner.splitlines() if line.startswith("Consumer")
            )
            yield Sandbox(
                base=base,
                consumer_key=fields["Consumer key"].strip(),
                consumer_secret=fields["Consumer secret"].strip(),
                banner=banner,
            )
        finally:
            process.terminate()
            process.wait(timeout=20)


def list_accounts(base: str, key: str, secret: str, tokens: dict[str, str]) -> requests.Response:
    """Call List Accounts signed with the access token."""
    auth = OAuth1(
        key,
        secret,
        tokens["oauth_token"],
        tokens["oauth_token_secret"],
        signature_type="AUTH_HEADER",
    )
    return requests.get(f"{base}/v1/accounts/list.json", auth=auth, timeout=10)


def test_printed_pair_signs_in_and_a_wrong_key_is_rejected(tmp_path: Path) -> None:
    with sandbox(tmp_path) as running:
        assert f"BROKERHUB_ETRADE_BASE_URL={running.base}" in running.banner
        assert f'"base_url": "{running.base}"' in running.banner
        assert "in memory" in running.banner
        assert len(running.consumer_key) == 32
        tokens = login(running.base, running.consumer_key, running.consumer_secret)
        answer = list_accounts(running.base, running.consumer_key, running.consumer_secret, tokens)
        assert answer.status_code == 200
        accounts = answer.json()["AccountListResponse"]["Accounts"]["Account"]
        assert [a["accountStatus"] for a in accounts] == ["ACTIVE"]

        stranger = OAuth1Session("0" * 32, "1" * 64, callback_uri="oob")
        with pytest.raises(TokenRequestDenied) as denied:
            stranger.fetch_request_token(f"{running.base}/oauth/request_token")
        assert denied.value.status_code == 401
        assert "oauth_problem=consumer_key_rejected" in denied.value.response.text

        wrong_secret = OAuth1Session(running.consumer_key, "1" * 64, callback_uri="oob")
        with pytest.raises(TokenRequestDenied) as forged:
            wrong_secret.fetch_request_token(f"{running.base}/oauth/request_token")
        assert "oauth_problem=signature_invalid" in forged.value.response.text


def test_given_pair_is_the_only_one_accepted(tmp_path: Path) -> None:
    key, secret = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "00ff" * 16
    with sandbox(tmp_path, "--consumer-key", key, "--consumer-secret", secret) as running:
        assert (running.consumer_key, running.consumer_secret) == (key, secret)
        tokens = login(running.base, key, secret)
        assert list_accounts(running.base, key, secret, tokens).status_code == 200
        with pytest.raises(TokenRequestDenied):
            login(running.base, "f" * 32, secret)


def test_key_without_secret_is_refused() -> None:
    result = CliRunner().invoke(app, ["sandbox", "etrade", "--consumer-key", "abcdefgh12345678"])
    assert result.exit_code != 0
    assert "--consumer-secret" in result.output
