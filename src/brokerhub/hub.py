"""The hub in-process: every use case over one database, one vault and one adapter pool.

Use it from async code::

    async with Hub() as hub:
        user = await hub.users.create_user(name="alice")
        [conn] = await hub.connections.connect(user_id=user.id, brokerage_name="paper",
                                               credentials={})

From synchronous code, wrap the async function in ``anyio.run(main)`` (or ``asyncio.run``);
build the Hub inside that run, never share one across runs.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from brokerhub.auth.users import UserService
from brokerhub.auth.vault import Vault
from brokerhub.brokers.base import get_registry
from brokerhub.config import Settings, get_settings
from brokerhub.connections.health import AuthorizationMonitor
from brokerhub.connections.oauth import OAuthService
from brokerhub.connections.pool import BrokerPool
from brokerhub.connections.service import ConnectionService
from brokerhub.events.bus import EventBus, create_bus
from brokerhub.events.delivery import WebhookDeliverer
from brokerhub.events.publisher import EventPublisher
from brokerhub.events.streams import QuoteStreams
from brokerhub.events.webhooks import WebhookService
from brokerhub.marketdata.service import MarketDataService
from brokerhub.store import create_engine, create_session_factory, migrate
from brokerhub.sync.service import SyncService
from brokerhub.sync.stored import StoredPortfolio
from brokerhub.trading.orders import OrderService
from brokerhub.trading.tracking import OrderTracker


class Hub:
    """Every brokerhub use case, in-process. Start it with ``async with`` (or ``start``)."""

    users: UserService
    connections: ConnectionService
    oauth: OAuthService
    sync: SyncService
    portfolio: StoredPortfolio
    orders: OrderService
    order_tracker: OrderTracker
    authorizations: AuthorizationMonitor
    marketdata: MarketDataService
    sessions: async_sessionmaker[AsyncSession]
    pool: BrokerPool
    events: EventPublisher
    webhooks: WebhookService
    deliverer: WebhookDeliverer
    streams: QuoteStreams

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._engine: AsyncEngine | None = None
        self._pool: BrokerPool | None = None
        self._bus: EventBus | None = None

    async def start(self) -> None:
        """Migrate the database and build the services."""
        url = self.settings.effective_database_url
        await migrate(url)
        self._engine = create_engine(url)
        sessions: async_sessionmaker[AsyncSession] = create_session_factory(self._engine)
        vault = Vault.from_settings(self.settings)
        registry = get_registry()
        self._bus = create_bus(self.settings)
        self.events = EventPublisher(self._bus)
        self._pool = self.pool = BrokerPool(registry, vault, sessions, self.events)
        self.sessions = sessions
        self.users = UserService(sessions=sessions)
        self.connections = ConnectionService(
            sessions=sessions,
            registry=registry,
            vault=vault,
            pool=self._pool,
            settings=self.settings,
            publisher=self.events,
        )
        self.oauth = OAuthService(
            sessions=sessions, vault=vault, connections=self.connections, settings=self.settings
        )
        self.sync = SyncService(
            sessions=sessions,
            connections=self.connections,
            pool=self._pool,
            settings=self.settings,
            publisher=self.events,
        )
        self.portfolio = StoredPortfolio(sessions=sessions, connections=self.connections)
        self.orders = OrderService(
            sessions=sessions, connections=self.connections, pool=self._pool, publisher=self.events
        )
        self.order_tracker = OrderTracker(sessions=sessions, pool=self._pool, orders=self.orders)
        self.authorizations = AuthorizationMonitor(
            sessions=sessions, publisher=self.events, settings=self.settings
        )
        self.webhooks = WebhookService(
            sessions=sessions, connections=self.connections, vault=vault, settings=self.settings
        )
        self.deliverer = WebhookDeliverer(sessions=sessions, vault=vault, settings=self.settings)
        self.streams = QuoteStreams()
        self.marketdata = MarketDataService(connections=self.connections, pool=self._pool)

    async def close(self) -> None:
        """Close broker adapters and the database engine."""
        if self._pool is not None:
            await self.streams.close()
            await self._pool.close()
        if self._bus is not None:
            await self._bus.close()
        if self._engine is not None:
            await self._engine.dispose()

    async def ping_database(self) -> None:
        """Run a trivial query; raises if the database is unreachable."""
        if self._engine is None:
            raise RuntimeError("the hub is not started")
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def __aenter__(self) -> Hub:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
