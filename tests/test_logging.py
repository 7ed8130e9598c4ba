"""Every secret-looking fragment is redacted, from structlog and standard-library loggers alike."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog

from brokerhub.logging import configure_logging, register_secret

LINES = {
    'GET /ws?api_key=bh_abc_s3cr3tvalue HTTP/1.1" 101': "s3cr3tvalue",
    "Authorization: Bearer eyJhbGciOi.payload.sig": "eyJhbGciOi",
    "authorization: BASIC dXNlcjpwYXNzd29yZA==": "dXNlcjpwYXNzd29yZA",
    'Authorization: OAuth oauth_token="tok123", oauth_signature="sig456"': "tok123",
    "redirect?code%3Dauthcode789%26state%3Dxyz": "authcode789",
    '{"refresh_token" : "refresh-r1-value", "token_type": "Bearer"}': "refresh-r1-value",
    "registered value opaque-registered-42 in free text": "opaque-registered-42",
}


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    register_secret("opaque-registered-42")
    stream = io.StringIO()
    configure_logging(logging.INFO, stream=stream)
    yield stream
    configure_logging(logging.WARNING)


@pytest.mark.parametrize(("line", "secret"), LINES.items())
def test_stdlib_and_structlog_lines_are_redacted(
    captured: io.StringIO, line: str, secret: str
) -> None:
    logging.getLogger("uvicorn.access").info("%s", line)
    structlog.get_logger("brokerhub.test").info(line, detail=line)
    text = captured.getvalue()
    assert text.count("[REDACTED]") >= 3, text  # the stdlib line, the event and the field
    assert secret not in text
