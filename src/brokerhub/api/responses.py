"""JSON responses in the seed's envelope, with Decimals written as exact number literals.

FastAPI's encoder turns Decimal into float; the contract forbids that, so routes return an
:class:`EnvelopeResponse` built from a pydantic model and :func:`to_jsonable` keeps Decimals
for simplejson's ``use_decimal`` writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import simplejson
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.responses import Response

from brokerhub.core.clock import ensure_utc


def to_jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-ready Python, leaving Decimals for an exact writer."""
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump(mode="python", by_alias=True))
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal | str | int | float | bool) or value is None:
        return value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class EnvelopeResponse(Response):
    """A JSON response whose Decimals are written exactly (``150.00``, not ``150.0``)."""

    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, self.media_type, background)

    def render(self, content: Any) -> bytes:
        return render_json(content)


def render_json(content: Any) -> bytes:
    """Return ``content`` as the UTF-8 JSON body an :class:`EnvelopeResponse` sends."""
    return simplejson.dumps(
        to_jsonable(content), use_decimal=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def rendered_response(body: bytes) -> Response:
    """Return a JSON response of a body :func:`render_json` already wrote (e.g. cached)."""
    return Response(body, media_type=EnvelopeResponse.media_type)


def error_response(
    status_code: int, message: str, headers: Mapping[str, str] | None = None
) -> EnvelopeResponse:
    """Return the seed's error envelope ``{"success": false, "error": message}``."""
    return EnvelopeResponse({"success": False, "error": message}, status_code, headers)
