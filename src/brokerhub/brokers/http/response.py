"""What a broker answered: status, headers and the body, read in full."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class HttpResponse:
    """One HTTP answer.

    Attributes:
        status: the HTTP status code.
        headers: the response headers (case-insensitive lookups).
        body: the raw body bytes.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        """Return whether the status is 2xx."""
        return 200 <= self.status < 300

    def text(self) -> str:
        """Return the body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Return the body parsed as JSON, numbers with a fraction as Decimal (never float).

        Raises:
            ValueError: when the body is not JSON.
        """
        return json.loads(self.body, parse_float=Decimal)
