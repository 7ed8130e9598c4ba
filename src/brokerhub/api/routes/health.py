"""Liveness and readiness."""

from __future__ import annotations

from brokerhub import __version__
from brokerhub.api.deps import HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter

router = SlashOptionalRouter(tags=["health"])


@router.get("/health/", summary="Health: the server answers and the database is reachable")
async def health(hub: HubDep) -> EnvelopeResponse:
    """Return ok with the version when the database answers."""
    await hub.ping_database()
    return EnvelopeResponse({"success": True, "status": "ok", "version": __version__})
