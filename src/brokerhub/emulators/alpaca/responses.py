"""JSON responses whose Decimals are written as exact number literals."""

from __future__ import annotations

from typing import Any

import simplejson
from starlette.responses import Response


class WireJSON(Response):
    """A JSON response; Decimals become number literals, never floats."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Return ``content`` encoded as compact JSON."""
        encoded: str = simplejson.dumps(content, use_decimal=True, separators=(",", ":"))
        return encoded.encode()
