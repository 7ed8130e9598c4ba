"""Request dependencies: the hub, the authenticated user and the per-user request limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.base import SecurityBase
from fastapi.security.utils import get_authorization_scheme_param

from brokerhub.api.ratelimit import RateLimiter
from brokerhub.auth.users import INVALID_KEY_MESSAGE
from brokerhub.caching import ReadThroughCache
from brokerhub.errors import AuthenticationFailed, NotFound
from brokerhub.hub import Hub
from brokerhub.metrics import API_AUTH_FAILURES
from brokerhub.store.models.users import UserRow


async def get_hub(request: Request) -> Hub:
    """Return the app's hub.

    Async although it does not await: FastAPI runs a plain ``def`` dependency in its thread
    pool, a thread hop per request that held G6's portfolio read to a few hundred req/s.
    """
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]

# Rendered portfolio bodies by (user id, account id as requested). Only this process's routes
# change stored portfolios (sync, disconnect) and they clear it; a sync run by the scheduler or
# another process shows within the cache's TTL (PORTFOLIO_CACHE_SECONDS in api/app.py).
PortfolioCache = ReadThroughCache[tuple[int, str], bytes]


async def get_portfolio_cache(request: Request) -> PortfolioCache:
    """Return the app's cache of stored portfolios."""
    cache: PortfolioCache = request.app.state.portfolio_cache
    return cache


PortfolioCacheDep = Annotated[PortfolioCache, Depends(get_portfolio_cache)]


class _BearerKeyUser(SecurityBase):
    """The bearer-key dependency: the authenticated user, counted against their limit.

    One FastAPI dependency node, where a function depending on ``HTTPBearer`` was two: each
    node costs FastAPI about 30 us per request (G6). Being a :class:`SecurityBase` that
    carries ``HTTPBearer``'s model and name, it documents the same ``HTTPBearer`` scheme in
    OpenAPI as before.
    """

    def __init__(self) -> None:
        scheme = HTTPBearer(description="An API key: `Authorization: Bearer <key>`")
        self.model = scheme.model
        self.scheme_name = scheme.scheme_name

    async def __call__(self, request: Request) -> UserRow:
        """Return the user of the bearer key and count the request against their limit."""
        # As HTTPBearer reads the header, without building its credentials model.
        scheme, key = get_authorization_scheme_param(request.headers.get("authorization"))
        hub = await get_hub(request)  # called, not a sub-dependency (see above)
        try:
            if scheme.lower() != "bearer" or not key:
                raise AuthenticationFailed(INVALID_KEY_MESSAGE)
            user = await hub.users.authenticate(key)
        except AuthenticationFailed:
            API_AUTH_FAILURES.inc()
            raise
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.check(user.id)
        return user


current_user = _BearerKeyUser()
CurrentUser = Annotated[UserRow, Depends(current_user)]


def acting_user_id(user: UserRow, requested_user_id: int) -> int:
    """Return ``requested_user_id`` if the caller may act for it (self, or an admin).

    Another user's id is "not found", so ids of other users are never confirmed.
    """
    if requested_user_id != user.id and not user.is_admin:
        raise NotFound("User not found")
    return requested_user_id
