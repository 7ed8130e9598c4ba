"""Who the caller is, so a client holding only an API key can find its user id."""

from __future__ import annotations

from brokerhub.api.deps import CurrentUser
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.users import MeResponse

router = SlashOptionalRouter(prefix="/brokerage_integrations/brokerages", tags=["users"])


@router.get("/me/", response_model=MeResponse)
async def me(user: CurrentUser) -> EnvelopeResponse:
    """Return the user the bearer key belongs to: id, name and whether they are an admin."""
    return EnvelopeResponse(MeResponse(user_id=user.id, name=user.name, is_admin=user.is_admin))
