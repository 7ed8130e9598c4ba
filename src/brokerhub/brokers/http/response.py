"""What a broker answered: status, headers and the body, read in full."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

# msgspec, not the json module: it decodes a broker's answer in about half the time of
# json.loads with parse_float=Decimal (bench/g2_transport_fanout.py reads 10 positions).
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def decode_json(data: bytes | str) -> Any:
    """Return JSON ``data`` parsed, numbers with a fraction as Decimal (never float).

    Raises:
        ValueError: when ``data`` is not one JSON document (msgspec's DecodeError is one).
    """
    return _DECODER.decode(data)


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
        return decode_json(self.body)
