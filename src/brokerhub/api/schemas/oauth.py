"""Bodies of the OAuth connect endpoints: initiate, complete, callback and auth status."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from brokerhub.api.schemas.brokerages import AccountPublic, Environment
from brokerhub.api.schemas.common import Body, Envelope


class InitiateRequest(Body):
    """``POST {brokerage}/oauth/initiate``: where to connect, and optionally the app's keys."""

    use_sandbox: bool = Field(default=True, description="Sandbox (default) or production")
    consumer_key: str | None = Field(default=None, description="OAuth 1.0a application key")
    consumer_secret: str | None = Field(default=None, description="OAuth 1.0a application secret")
    client_id: str | None = Field(default=None, description="OAuth 2.0 client id")
    client_secret: str | None = Field(default=None, description="OAuth 2.0 client secret")
    redirect_uri: str | None = Field(
        default=None, description="OAuth 2.0 registered redirect URI (default: this server's)"
    )


class InitiateResponse(Envelope):
    """Where the user authorizes the hub; ``state`` names the handshake."""

    brokerage_name: str
    auth_method: str
    authorization_url: str
    state: str
    environment: Environment
    expires_at: datetime
    message: str


class CompleteRequest(Body):
    """``POST {brokerage}/oauth/complete``: the verification code, or the code and state."""

    verification_code: str | None = Field(default=None, description="OAuth 1.0a code")
    code: str | None = Field(default=None, description="OAuth 2.0 authorization code")
    state: str | None = Field(default=None, description="The state of the handshake")
    account_name: str | None = None


class AuthStatusResponse(Envelope):
    """``GET {brokerage}/auth/status``: connected, must re-authorize, or a flow pending."""

    brokerage_name: str
    authenticated: bool
    reauthorization_required: bool
    pending: bool
    accounts: list[AccountPublic]
