"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from brokerhub import __version__
from brokerhub.api.deps import PortfolioCache
from brokerhub.api.errors import install_error_handlers
from brokerhub.api.ratelimit import create_rate_limiter
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routes import (
    accounts,
    brokerages,
    etrade_compat,
    health,
    marketdata,
    me,
    metrics,
    oauth,
    orders,
    webhooks,
    ws,
)
from brokerhub.api.routes.metrics import install_request_metrics
from brokerhub.api.static import mount_dashboard
from brokerhub.api.ws_outgoing import KeepServerSend
from brokerhub.config import Settings, get_settings
from brokerhub.demo import DemoAccess, ensure_demo
from brokerhub.hub import Hub
from brokerhub.jobs.embedded import EmbeddedScheduler

# How stale a stored portfolio may be served when the scheduler or another process synced it.
PORTFOLIO_CACHE_SECONDS = 1.0


def create_app(
    settings: Settings | None = None,
    *,
    on_demo_ready: Callable[[DemoAccess], None] | None = None,
) -> FastAPI:
    """Return the app; the hub starts and stops with it.

    Args:
        settings: settings to use (default: from the environment).
        on_demo_ready: when given, the demo user and its paper account are made on start
            (``brokerhub serve``) and this is called with their access details.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = Hub(settings)
        await hub.start()
        app.state.hub = hub
        if on_demo_ready is not None:
            on_demo_ready(await ensure_demo(hub))
        # Without Redis there are no Celery workers: this process runs the schedule itself.
        scheduler = None if settings.redis_url else EmbeddedScheduler(hub)
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            await app.state.rate_limiter.close()
            await hub.close()

    app = FastAPI(
        title="brokerhub",
        version=__version__,
        description="Every brokerage account in one place: the Brokerage Integration API.",
        lifespan=lifespan,
        default_response_class=EnvelopeResponse,
    )
    app.state.rate_limiter = create_rate_limiter(settings)
    app.state.portfolio_cache = PortfolioCache(ttl=PORTFOLIO_CACHE_SECONDS)
    install_error_handlers(app)
    install_request_metrics(app)
    app.add_middleware(KeepServerSend)  # outermost of ours: it must see the server's send
    # FastAPI tries routes in this order, one by one: the account reads (portfolio, balance,
    # transactions) are the hottest, so they are tried first. No two routers' paths overlap.
    routers = (accounts, health, me, brokerages, oauth, orders, marketdata, webhooks, ws, metrics)
    for module in (*routers, etrade_compat):
        app.include_router(module.router)
    mount_dashboard(app)  # last: the dashboard at / and /assets, never over an API route
    return app
