"""Every secret-looking fragment is redacted, from structlog and standard-library loggers alike."""

from __future__ import annotations

import io
import json as jsonlib
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
    # A logger of our own: uvicorn servers started by other tests (with uvicorn's default
    # log config) stop "uvicorn.access" from propagating; `brokerhub serve` does not.
    logging.getLogger("tests.stdlib").info("%s", line)
    structlog.get_logger("brokerhub.test").info(line, detail=line)
    text = captured.getvalue()
    assert text.count("[REDACTED]") >= 3, text  # the stdlib line, the event and the field
    assert secret not in text


@pytest.mark.parametrize("json", [False, True])
def test_stdlib_lines_have_the_structlog_layout(json: bool) -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, json=json, stream=stream)
    try:
        logging.getLogger("brokerhub.layout").warning("%s", "same words")
        structlog.get_logger("brokerhub.layout").warning("same words")
    finally:
        configure_logging(logging.WARNING)
    stdlib_line, structlog_line = stream.getvalue().splitlines()
    if json:
        stdlib, event = jsonlib.loads(stdlib_line), jsonlib.loads(structlog_line)
        assert stdlib.pop("timestamp").endswith("Z")
        assert event.pop("timestamp").endswith("Z")
        assert (
            stdlib
            == event
            == {"event": "same words", "level": "warning", "logger": "brokerhub.layout"}
        )
    else:
        assert stdlib_line.split(" ", 1)[1] == structlog_line.split(" ", 1)[1]
        assert stdlib_line.endswith("] same words                     [brokerhub.layout]")


def test_stdlib_exceptions_keep_their_traceback() -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, stream=stream)
    try:
        try:
            raise ValueError("broken")
        except ValueError:
            logging.getLogger("brokerhub.layout").exception("failed")
    finally:
        configure_logging(logging.WARNING)
    assert "ValueError: broken" in stream.getvalue()
