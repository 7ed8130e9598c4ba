"""Structured logging with secrets redacted before anything is written.

:func:`configure_logging` routes structlog and the standard library (aiohttp, uvicorn access
logs) through one formatter whose first step is :func:`redact_event`. Redaction works three
ways, so a secret is caught however it travels:

- by key name: values under keys such as ``authorization``, ``*token*``, ``*secret*``,
  ``password``, ``*signature*``, ``*verifier*``, ``code`` become ``[REDACTED]``; account
  numbers (``account_id``, ``account_number``...) are masked to their last 4 characters;
- by pattern inside text: ``Bearer <x>``, ``oauth_*=<x>``, ``access_token=<x>``,
  ``"refresh_token": "<x>"``, ``code=<x>``, ``state=<x>`` and friends;
- by value: every secret handed to :func:`register_secret` (the vault registers the secrets
  it decrypts, the OAuth clients the tokens they obtain) is replaced wherever it appears.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog

REDACTED = "[REDACTED]"
MIN_REGISTERED_LENGTH = 6

_SECRET_KEY_PARTS = (
    "authorization",
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "verifier",
    "cookie",
    "api_key",
    "apikey",
    "credential",
    "private_key",
)
_SECRET_KEYS = frozenset({"code", "verification_code", "state", "pin", "key", "consumer_key"})
_ACCOUNT_KEYS = frozenset(
    {"account_id", "account_number", "accountid", "accountidkey", "account_no", "acct"}
)
# Keys whose values are safe even though their names look secret.
_SAFE_KEYS = frozenset({"token_type", "oauth_signature_method", "oauth_version"})

# Each text pattern with the lower-case fragments one of which any match contains, so a line
# without them (most log lines: access logs, plain events) skips the regular expression.
_TEXT_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (
        ("bearer", "basic"),
        re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
        r"\1 " + REDACTED,
    ),
    (
        ("oauth_",),
        re.compile(r'(?i)\b(oauth_[a-z_]+)(=|%3D)("?)[^"&,\s]+'),
        r"\1\2\3" + REDACTED,
    ),
    (
        ("=", "%3d"),
        re.compile(
            r"(?i)\b(access_token|refresh_token|id_token|client_secret|consumer_secret|"
            r"api_secret|api_key|apikey|key|secret|password|code_verifier|code|state|token)"
            r"(=|%3D)[^&\s\"',]+"
        ),
        r"\1\2" + REDACTED,
    ),
    (
        ("token", "secret", "password"),
        re.compile(
            r'(?i)("(?:access_token|refresh_token|id_token|client_secret|password|secret|'
            r'token|oauth_token|oauth_token_secret)"\s*:\s*")[^"]*'
        ),
        r"\1" + REDACTED,
    ),
)

_registered: set[str] = set()
_registered_longest_first: list[str] = []


def register_secret(value: str | None) -> None:
    """Remember ``value`` so it is replaced in every later log line (short values are ignored)."""
    if value and len(value) >= MIN_REGISTERED_LENGTH and value not in _registered:
        _registered.add(value)
        _registered_longest_first[:] = sorted(_registered, key=len, reverse=True)


def mask_account(value: object) -> str:
    """Return an account number masked to its last 4 characters (``****6789``)."""
    text = str(value)
    return "****" + text[-4:] if len(text) > 4 else "****"


def _normalise(key: str) -> str:
    return key.lower().replace("-", "_")


def is_secret_key(key: str) -> bool:
    """Return whether values under ``key`` are secrets by their name."""
    name = _normalise(key)
    if name in _SAFE_KEYS:
        return False
    return name in _SECRET_KEYS or any(part in name for part in _SECRET_KEY_PARTS)


def redact_text(text: str) -> str:
    """Return ``text`` with registered secrets and secret-looking fragments replaced."""
    for secret in _registered_longest_first:
        if secret in text:
            text = text.replace(secret, REDACTED)
    lowered = text.lower()
    for fragments, pattern, replacement in _TEXT_PATTERNS:
        if any(fragment in lowered for fragment in fragments):
            text = pattern.sub(replacement, text)
    return text.replace("\r", "\\r").replace("\n", "\\n")


def redact(value: Any, key: str | None = None) -> Any:
    """Return ``value`` (any JSON-like structure) with secrets redacted, by key and by text."""
    if key is not None:
        name = _normalise(key)
        if name in _ACCOUNT_KEYS and value is not None:
            return mask_account(value)
        if is_secret_key(key) and value is not None:
            return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    if isinstance(value, BaseException):
        return redact_text(f"{type(value).__name__}: {value}")
    return value


def redact_event(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Redact every field of a structlog event (a structlog processor).

    A standard-library record is skipped: :class:`_StdlibRedactor` redacted its message, and
    the pre-chain adds only its level, logger name and time.
    """
    if event_dict.get("_from_structlog") is False:
        return event_dict
    for key, value in list(event_dict.items()):
        if key.startswith("_"):
            continue
        event_dict[key] = redact_text(value) if key == "event" else redact(value, key)
    return event_dict


class _StdlibRedactor(logging.Filter):
    """Redact the rendered message of standard-library records (uvicorn access logs...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, Mapping):
            record.msg = redact_text(record.getMessage())
            record.args = None
        return True


# ConsoleRenderer's layout: levels padded to its longest name, events to 30 characters.
_LEVEL_WIDTH = len("exception")
_EVENT_WIDTH = 30


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, with a direct path for plain standard-library records.

    A uvicorn access line is a plain record: a message (redacted by :class:`_StdlibRedactor`),
    a level, a logger name and a time. Rendering it through structlog's processors cost about
    40 us per request on G6's read path; this writes the same line with string formatting.
    Records with an exception or a stack, and any record while structlog context variables are
    bound, still go through the processors.
    """

    def __init__(self, *, json: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._json = json

    def format(self, record: logging.LogRecord) -> str:
        if (
            isinstance(record.msg, Mapping)  # a structlog event
            or record.exc_info
            or record.exc_text
            or record.stack_info
            or structlog.contextvars.get_contextvars()
        ):
            return super().format(record)
        level = record.levelname.lower()
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z")
        message = record.getMessage()
        if self._json:
            fields = {"event": message, "level": level, "logger": record.name, "timestamp": stamp}
            return jsonlib.dumps(fields)
        return f"{stamp} [{level:<{_LEVEL_WIDTH}}] {message:<{_EVENT_WIDTH}} [{record.name}]"


def configure_logging(
    level: int | str = logging.INFO, *, json: bool = False, stream: TextIO | None = None
) -> None:
    """Send structlog and standard-library logs, redacted, to ``stream`` (default stderr).

    Args:
        level: the root log level.
        json: write JSON lines instead of the console format.
        stream: where to write; a test passes a StringIO.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = _Formatter(
        json=json,
        foreign_pre_chain=shared,
        processors=[
            redact_event,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_StdlibRedactor())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_brokerhub", False)]:
        root.removeHandler(old)
    handler._brokerhub = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
