"""Bodies about the caller: who the API key belongs to."""

from __future__ import annotations

from brokerhub.api.schemas.common import Envelope


class MeResponse(Envelope):
    """``GET brokerages/me/``: the user the bearer key authenticates."""

    user_id: int
    name: str
    is_admin: bool
