"""No plaintext secret in any stored row (SQLite and PostgreSQL): connections and handshakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from brokerhub.config import Settings
from brokerhub.emulators.etrade import ETradeEmulator
from brokerhub.hub import Hub
from brokerhub.store import create_engine
from tests.auth.etrade_flow import connect_etrade, etrade_emulator
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET

TABLES = ("connections", "oauth_handshakes", "audit_log")


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ETradeEmulator]:
    with etrade_emulator(monkeypatch) as running:
        yield running


async def test_rows_hold_no_plaintext_secret(empty_db_url: str, emulator: ETradeEmulator) -> None:
    async with Hub(Settings(database_url=empty_db_url)) as hub:
        user = await hub.users.create_user(name="alice")
        await connect_etrade(hub, user.id)
        await hub.oauth.initiate(  # a handshake left pending holds a request token secret
            user_id=user.id,
            brokerage_name="etrade",
            app_key=CONSUMER_KEY,
            app_secret=CONSUMER_SECRET,
        )
    secrets = [CONSUMER_SECRET]
    for token, held in emulator.oauth.state.access_tokens.items():
        secrets += [token, held.secret]
    for token, pending in emulator.oauth.state.request_tokens.items():
        secrets += [token, pending.secret]
    engine = create_engine(empty_db_url)
    try:
        async with engine.connect() as connection:
            dumped = ""
            for table in TABLES:
                rows = (await connection.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
                assert rows or table == "audit_log"
                dumped += repr(rows)
    finally:
        await engine.dispose()
    for secret in secrets:
        assert secret not in dumped
