"""Connect, sync and order calls (paper and the E*TRADE emulator) log no secret at all."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType
from brokerhub.emulators.etrade import ETradeEmulator
from brokerhub.hub import Hub
from brokerhub.logging import configure_logging
from tests.auth.etrade_flow import connect_etrade, etrade_emulator
from tests.brokers.etrade.emulated import CONSUMER_SECRET

PAPER_SECRET = "paper-api-secret-0123456789"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(logging.DEBUG, json=True, stream=stream)
    yield stream
    configure_logging(logging.WARNING)


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ETradeEmulator]:
    with etrade_emulator(monkeypatch) as running:
        yield running


def buy_one() -> OrderRequest:
    leg = OrderLeg(instrument=Instrument.equity("AAPL"), action=OrderAction.BUY, quantity=1)
    return OrderRequest(legs=[leg], order_type=OrderType.MARKET)


async def test_connect_sync_and_orders_log_no_secret(
    captured: io.StringIO, emulator: ETradeEmulator
) -> None:
    async with Hub() as hub:
        user = await hub.users.create_user(name="alice")
        key = await hub.users.create_key(user_id=user.id)
        await hub.users.authenticate(key.plaintext)
        [paper] = await hub.connections.connect(
            user_id=user.id, brokerage_name="paper", credentials={"api_secret": PAPER_SECRET}
        )
        etrade = await connect_etrade(hub, user.id)
        for row in [paper, *etrade]:
            await hub.sync.sync_account(user_id=user.id, connection_id=str(row.id), force=True)
            await hub.orders.place(user_id=user.id, connection_id=str(row.id), request=buy_one())
            await hub.orders.list(user_id=user.id, connection_id=str(row.id))
        logging.getLogger("aiohttp.client").debug('Authorization: OAuth oauth_token="abc"')
    text = captured.getvalue()
    assert "http_request" in text  # the calls were logged
    tokens = list(emulator.oauth.state.access_tokens.items())
    assert tokens
    secrets = [CONSUMER_SECRET, PAPER_SECRET, key.plaintext]
    for token, held in tokens:
        secrets += [token, held.secret]
    for secret in secrets:
        assert secret not in text
    assert 'oauth_token="abc"' not in text
    assert "oauth_signature=" not in text.replace("oauth_signature=[REDACTED]", "")
    # Account numbers are masked in the hub's own lines (DEBUG SQL traces of the driver
    # carry query parameters, never secrets: those are encrypted before they reach SQL).
    ours = [line for line in text.splitlines() if '"logger": "brokerhub' in line]
    assert ours
    for row in etrade:
        assert not [line for line in ours if str(row.account_id) in line]
