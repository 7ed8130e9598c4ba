"""PKCE (RFC 7636) and state through the hub's OAuth 2.0 client."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from brokerhub.auth.oauth2 import (
    OAuth2Client,
    OAuth2Config,
    new_code_verifier,
    new_state,
    s256_challenge,
)

UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def test_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_verifiers_and_states_are_well_formed_and_fresh() -> None:
    verifiers = {new_code_verifier() for _ in range(2000)}
    assert len(verifiers) == 2000
    assert all(UNRESERVED.match(v) for v in verifiers)
    assert new_state() != new_state()


def test_authorization_url_carries_state_challenge_and_exact_redirect() -> None:
    config = OAuth2Config(
        authorize_url="https://broker.example/oauth/authorize",
        token_url="https://broker.example/oauth/token",
        scopes=("read", "trade"),
    )
    client = OAuth2Client(config, "app", None, "https://hub.example/cb", broker="x")
    url = client.authorization_url("s-1", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == ["s-1"]
    assert query["code_challenge"] == ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["https://hub.example/cb"]
    assert query["scope"] == ["read trade"]
    assert query["response_type"] == ["code"]
