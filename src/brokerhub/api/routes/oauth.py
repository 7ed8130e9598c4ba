"""OAuth connect endpoints per brokerage: initiate, complete, callback and auth status.

``callback`` is the OAuth 2.0 redirect target: the browser arrives without an API key, so the
single-use ``state`` (bound at initiate to the user and the brokerage) names the user.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Request

from brokerhub.api.deps import CurrentUser, HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routes.brokerages import account_public
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.brokerages import ConnectResponse
from brokerhub.api.schemas.oauth import (
    AuthStatusResponse,
    CompleteRequest,
    InitiateRequest,
    InitiateResponse,
)
from brokerhub.connections.oauth import AuthStatus, OAuthStart
from brokerhub.errors import AuthenticationFailed, ValidationFailed
from brokerhub.hub import Hub
from brokerhub.store.models.connections import ConnectionRow

router = SlashOptionalRouter(prefix="/brokerage_integrations/brokerages", tags=["oauth"])


async def initiate_flow(
    hub: Hub, user_id: int, brokerage: str, body: InitiateRequest | None, redirect_uri: str
) -> InitiateResponse:
    """Start a handshake and return the route's answer (shared with the E*TRADE routes)."""
    body = body or InitiateRequest()
    start: OAuthStart = await hub.oauth.initiate(
        user_id=user_id,
        brokerage_name=brokerage,
        use_sandbox=body.use_sandbox,
        app_key=body.consumer_key or body.client_id,
        app_secret=body.consumer_secret or body.client_secret,
        redirect_uri=body.redirect_uri or redirect_uri,
    )
    step = (
        "then complete with the verification code it shows"
        if start.auth_method == "oauth1"
        else "you will be sent back here"
    )
    return InitiateResponse(
        brokerage_name=start.brokerage_name,
        auth_method=start.auth_method,
        authorization_url=start.authorization_url,
        state=start.state,
        environment=start.environment.value,
        expires_at=start.expires_at,
        message=f"Open the authorization URL and approve access; {step}",
    )


def connected(brokerage: str, rows: list[ConnectionRow]) -> ConnectResponse:
    """Return the answer of a completed flow."""
    return ConnectResponse(
        account_id=str(rows[0].id),
        account_ids=[str(row.id) for row in rows],
        message=f"Successfully connected {brokerage} account",
    )


def status_public(status: AuthStatus) -> AuthStatusResponse:
    """Return the answer of the auth status route."""
    return AuthStatusResponse(
        brokerage_name=status.brokerage_name,
        authenticated=status.authenticated,
        reauthorization_required=status.reauthorization_required,
        pending=status.pending,
        accounts=[account_public(row) for row in status.connections],
    )


@router.post("/{brokerage}/oauth/initiate/", response_model=InitiateResponse)
async def initiate(
    brokerage: str,
    request: Request,
    user: CurrentUser,
    hub: HubDep,
    body: Annotated[InitiateRequest | None, Body()] = None,
) -> EnvelopeResponse:
    """Start connecting an OAuth brokerage: returns the URL where the user authorizes."""
    redirect = str(request.url_for("oauth_callback", brokerage=brokerage))
    return EnvelopeResponse(await initiate_flow(hub, user.id, brokerage, body, redirect))


@router.post("/{brokerage}/oauth/complete/", response_model=ConnectResponse)
async def complete(
    brokerage: str, body: CompleteRequest, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Finish the flow with the verification code (OAuth 1.0a) or code and state (OAuth 2.0)."""
    rows = await hub.oauth.complete(
        user_id=user.id,
        brokerage_name=brokerage,
        verification_code=body.verification_code,
        code=body.code,
        state=body.state,
        account_name=body.account_name,
    )
    return EnvelopeResponse(connected(brokerage, rows))


@router.get("/{brokerage}/oauth/callback/", response_model=ConnectResponse, name="oauth_callback")
async def callback(
    brokerage: str,
    hub: HubDep,
    code: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = None,
    error: Annotated[str | None, Query()] = None,
) -> EnvelopeResponse:
    """The OAuth 2.0 redirect target: exchanges the code of the handshake named by ``state``."""
    if error:
        raise AuthenticationFailed(f"The broker did not authorize access: {error[:100]}")
    if not code or not state:
        raise ValidationFailed("code and state are required")
    rows = await hub.oauth.complete(user_id=None, brokerage_name=brokerage, code=code, state=state)
    return EnvelopeResponse(connected(brokerage, rows))


@router.get("/{brokerage}/auth/status/", response_model=AuthStatusResponse)
async def auth_status(brokerage: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return whether the user is connected, must re-authorize, or has a flow pending."""
    status = await hub.oauth.status(user_id=user.id, brokerage_name=brokerage)
    return EnvelopeResponse(status_public(status))
