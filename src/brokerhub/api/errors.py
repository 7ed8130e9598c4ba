"""Map every error to the seed's envelope: one table, the ``http_status`` of the error tree."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from brokerhub.api.responses import error_response
from brokerhub.errors import BrokerHubError, RateLimited

log = structlog.get_logger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal server error"


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """Return one line naming each bad field and why, e.g. ``quantity: must be > 0``."""
    parts = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(location) or "request"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "Invalid request: " + "; ".join(parts)


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """Return a Retry-After header in whole seconds (rounded up), or none."""
    return {} if seconds is None else {"Retry-After": str(max(1, math.ceil(seconds)))}


async def _hub_error(request: Request, raised: Exception) -> Response:
    exc = cast(BrokerHubError, raised)
    headers = retry_after_header(exc.retry_after) if isinstance(exc, RateLimited) else {}
    if exc.http_status >= 500:
        log.warning("request_failed", path=request.url.path, error=type(exc).__name__)
    return error_response(exc.http_status, exc.message, headers)


async def _validation_error(request: Request, raised: Exception) -> Response:
    exc = cast(RequestValidationError | ValidationError, raised)
    return error_response(400, describe_validation_errors(exc.errors()))


async def _http_error(request: Request, raised: Exception) -> Response:
    exc = cast(StarletteHTTPException, raised)
    return error_response(exc.status_code, str(exc.detail), exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path, error=type(exc).__name__)
    return error_response(500, INTERNAL_ERROR_MESSAGE)


def install_error_handlers(app: FastAPI) -> None:
    """Register the envelope handlers on ``app``."""
    app.add_exception_handler(BrokerHubError, _hub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
