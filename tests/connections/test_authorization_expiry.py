"""Users hear about an authorization before it dies, and its death breaks the connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import anyio
import pytest

from brokerhub.config import load_settings
from brokerhub.core.clock import next_market_midnight, utcnow
from brokerhub.events.models import Event, EventType
from brokerhub.hub import Hub
from brokerhub.store.enums import ConnectionStatus
from brokerhub.store.models import ConnectionRow
from tests.api.test_oauth2_flow import CALLBACK, authorize
from tests.auth.etrade_flow import connect_etrade, etrade_emulator
from tests.auth.oauth2_loopback import (
    BROKER,
    CLIENT_ID,
    CLIENT_SECRET,
    AuthServer,
    registered_oauth_broker,
)

WEEK = timedelta(days=7)


async def started_hub() -> AsyncIterator[Hub]:
    async with Hub(load_settings(authorization_warning_days=3)) as started:
        yield started


hub = pytest.fixture(started_hub)


def drain(queue: asyncio.Queue[Event]) -> list[Event]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def stored(hub: Hub, row: ConnectionRow) -> ConnectionRow:
    return await hub.connections.get(user_id=row.user_id, connection_id=str(row.id))


async def test_an_etrade_session_is_warned_about_once_then_broken_at_midnight(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await hub.users.create_user(name="alice")
    with etrade_emulator(monkeypatch):
        granted = utcnow()
        [row, *_] = await connect_etrade(hub, user.id)
        await warned_then_broken_then_repaired(hub, row, granted)


async def warned_then_broken_then_repaired(hub: Hub, row: ConnectionRow, granted: datetime) -> None:
    midnight = next_market_midnight(granted)
    assert row.authorization_expires_at == midnight
    lifetime = midnight - granted
    async with hub.events.bus.subscribe() as queue:
        early = await hub.authorizations.check(now=granted + lifetime / 4)
        assert (early.warned, early.expired, drain(queue)) == (0, 0, [])

        # A day-long session is warned about half its life before it ends, not at once.
        evening = midnight - lifetime / 2 + timedelta(seconds=1)
        assert (await hub.authorizations.check(now=evening)).warned == 1
        [warning] = drain(queue)
        assert warning.event_type is EventType.CONNECTION_EXPIRING
        assert warning.account_id == str(row.id)
        assert warning.data == {"expires_at": midnight, "reauthorization_required": True}
        assert (await hub.authorizations.check(now=evening + timedelta(minutes=5))).warned == 0
        assert drain(queue) == []

        after = await hub.authorizations.check(now=midnight + timedelta(seconds=1))
        assert (after.warned, after.expired) == (0, 1)
        [broken] = drain(queue)
        assert broken.event_type is EventType.CONNECTION_BROKEN
        assert broken.data["reauthorization_required"] is True
        row = await stored(hub, row)
        assert row.status is ConnectionStatus.ERROR
        assert (row.last_error or "").startswith("Re-authorization required")
        assert (await hub.authorizations.check(now=midnight + timedelta(hours=1))).expired == 0

        await connect_etrade(hub, row.user_id)
        assert [event.event_type for event in drain(queue)] == [EventType.CONNECTION_REPAIRED]
        assert (await stored(hub, row)).status is ConnectionStatus.CONNECTED


@pytest.fixture
def oauth_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AuthServer]:
    with registered_oauth_broker(monkeypatch, CALLBACK) as (server, _):
        server.refresh_expires_in = int(WEEK.total_seconds())
        yield server


@pytest.fixture
async def oauth_hub(oauth_server: AuthServer) -> AsyncIterator[Hub]:
    """A hub started after the OAuth test broker was registered."""
    async for started in started_hub():
        yield started


async def connect_oauth2(hub: Hub, user_id: int) -> ConnectionRow:
    started = await hub.oauth.initiate(
        user_id=user_id,
        brokerage_name=BROKER,
        app_key=CLIENT_ID,
        app_secret=CLIENT_SECRET,
        redirect_uri=CALLBACK,
    )
    code, state = await anyio.to_thread.run_sync(authorize, started.authorization_url)
    [row] = await hub.oauth.complete(user_id=user_id, brokerage_name=BROKER, code=code, state=state)
    return row


async def test_a_refresh_token_lifetime_survives_rotation_and_is_warned_days_ahead(
    oauth_hub: Hub, oauth_server: AuthServer
) -> None:
    hub = oauth_hub
    user = await hub.users.create_user(name="bob")
    granted = utcnow()
    row = await connect_oauth2(hub, user.id)
    expires = row.authorization_expires_at
    assert expires is not None
    assert abs(expires - (granted + WEEK)) < timedelta(seconds=30)

    session = hub.pool.adapter_for(row).session  # type: ignore[attr-defined]
    await session.refresh(force=True)  # rotates the refresh token; the grant's end stays
    assert oauth_server.refreshes == 1
    assert (await stored(hub, row)).authorization_expires_at == expires

    async with hub.events.bus.subscribe() as queue:
        assert (await hub.authorizations.check(now=expires - timedelta(days=4))).warned == 0
        assert (await hub.authorizations.check(now=expires - timedelta(days=3))).warned == 1
        [warning] = drain(queue)
    assert warning.event_type is EventType.CONNECTION_EXPIRING
    assert warning.data["expires_at"] == expires


async def test_a_grant_refused_outside_a_sync_publishes_connection_broken_once(
    oauth_hub: Hub, oauth_server: AuthServer
) -> None:
    hub = oauth_hub
    user = await hub.users.create_user(name="carol")
    row = await connect_oauth2(hub, user.id)
    oauth_server.revoke_all()
    session = hub.pool.adapter_for(row).session  # type: ignore[attr-defined]
    async with hub.events.bus.subscribe() as queue:
        for _ in range(2):
            with pytest.raises(Exception, match="rejected the refresh token"):
                await session.refresh(force=True)
        [broken] = drain(queue)
    assert broken.event_type is EventType.CONNECTION_BROKEN
    assert broken.data["reauthorization_required"] is True
    assert (await stored(hub, row)).status is ConnectionStatus.ERROR
