"""OAuth 1.0a signing against published known answers (reliability-security.md section 2.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from authlib.oauth1.rfc5849.util import unescape  # type: ignore[import-untyped]

from brokerhub.auth.oauth1 import OAuth1Signer, TokenPair

RFC5849_BASE = (
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
    "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
    "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26"
    "oauth_token%3Dkkk9d7dh3k39sjv7"
)
ETRADE_TOKEN = TokenPair(
    "VbiNYl63EejjlKdQM6FeENzcnrLACrZ2JYD6NQROfVI=", "XCF9RzyQr4UEPloA+WlC06BnTfYC1P0Fwr3GUw/B0Es="
)


def test_rfc5849_section_3_4_1_1_base_string_and_signature() -> None:
    signer = OAuth1Signer(
        "9djdj82h48djs9d2", "j49sk3j29djd", TokenPair("kkk9d7dh3k39sjv7", "dh893hdasih9")
    )
    url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    form = [("c2", ""), ("a3", "2 q")]
    stamp = {"nonce": "7d8f3e4a", "timestamp": "137131201"}
    assert signer.base_string("POST", url, form, **stamp) == RFC5849_BASE
    assert signer.signature("POST", url, form, **stamp) == "r6/TJjbCOr97/+UU0NsvSne7s5g="


def test_rfc5849_section_1_2_signature() -> None:
    signer = OAuth1Signer(
        "dpf43f3p2l4k3l03", "kd94hf93k423kf44", TokenPair("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")
    )
    url = "http://photos.example.net/photos?file=vacation.jpg&size=original"
    signature = signer.signature("GET", url, nonce="chapoH", timestamp="137131202")
    assert signature == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def test_etrade_developer_guide_vector_in_the_header() -> None:
    signer = OAuth1Signer(
        "c5bb4dcb7bd6826c7c4340df3f791188", "7d30246211192cda43ede3abd9b393b9", ETRADE_TOKEN
    )
    header = signer.authorization(
        "GET",
        "https://api.etrade.com/v1/accounts/list",
        nonce="0bba225a40d1bbac2430aa0c6163ce44",
        timestamp="1344885636",
    )
    assert 'oauth_signature="UOnPVdzExTAgHkcGWLLfeTaaMSM%3D"' in header
    assert "oauth_version" not in header
    assert unescape("UOnPVdzExTAgHkcGWLLfeTaaMSM%3D") == "UOnPVdzExTAgHkcGWLLfeTaaMSM="


def test_unencoded_token_secret_gives_another_signature() -> None:
    # The trap of the E*TRADE vector: the secret's + / = must be percent-encoded in the key.
    signer = OAuth1Signer(
        "c5bb4dcb7bd6826c7c4340df3f791188", "7d30246211192cda43ede3abd9b393b9", ETRADE_TOKEN
    )
    base = signer.base_string(
        "GET",
        "https://api.etrade.com/v1/accounts/list",
        nonce="0bba225a40d1bbac2430aa0c6163ce44",
        timestamp="1344885636",
    )
    raw_key = f"7d30246211192cda43ede3abd9b393b9&{ETRADE_TOKEN.secret}".encode()
    digest = hmac.new(raw_key, base.encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() != "UOnPVdzExTAgHkcGWLLfeTaaMSM="
