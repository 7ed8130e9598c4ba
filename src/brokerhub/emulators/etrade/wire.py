"""E*TRADE's two encodings: XML by default, JSON when the path ends in ``.json``.

Payloads are built once as nested dicts in E*TRADE's JSON shape (lists for repeated nodes)
and written either way: in XML a list becomes the same element repeated, as in the
XML samples of E*TRADE's docs. Request bodies arrive as JSON or XML (pyetrade posts XML);
both are read into the same dict shape, where an XML node seen once is a dict, not a list,
so readers normalise with :func:`as_list`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeXml
import simplejson
from starlette.responses import HTMLResponse, Response

XML_TYPE = "application/xml"
JSON_TYPE = "application/json"


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list: None is empty, a single node is a one-item list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, tag: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(parent, tag, item)
        return
    child = SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if inner is not None:
                _fill(child, key, inner)
    else:
        child.text = _text(value)


def to_xml(payload: Mapping[str, Any]) -> bytes:
    """Return a one-root payload as an XML document."""
    [(tag, body)] = payload.items()
    root = Element(tag)
    if isinstance(body, Mapping):
        for key, inner in body.items():
            if inner is not None:
                _fill(root, key, inner)
    else:
        root.text = _text(body)
    document: bytes = tostring(root, encoding="UTF-8", xml_declaration=True)
    return document


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def render(payload: Mapping[str, Any], fmt: str, status: int = 200) -> Response:
    """Return ``payload`` in the requested format (``json`` or ``xml``)."""
    if fmt == "json":
        body = simplejson.dumps(_drop_none(payload), use_decimal=True, separators=(",", ":"))
        return Response(body, status_code=status, media_type=JSON_TYPE)
    return Response(to_xml(payload), status_code=status, media_type=XML_TYPE)


def no_content() -> Response:
    """Return E*TRADE's answer to a query with no results: 204 and no body."""
    return Response(status_code=204)


def error(code: int, message: str, fmt: str, status: int = 400) -> Response:
    """Return E*TRADE's error payload ``{"Error": {"code", "message"}}``."""
    return render({"Error": {"code": code, "message": message}}, fmt, status)


def rate_limit_page() -> Response:
    """Return the HTTP 400 HTML page E*TRADE sends when the rate limit is exceeded."""
    return HTMLResponse(
        "<html><head><title>Error</title></head><body><h1>HTTP Status 400</h1>"
        "<p>Number of requests exceeded the rate limit set</p></body></html>",
        status_code=400,
    )


def _from_element(element: Any) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    result: dict[str, Any] = {}
    for child in children:
        value = _from_element(child)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = [*as_list(existing), value]
        else:
            result[child.tag] = value
    return result


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Return a JSON or XML request body as a dict with its root element as the only key.

    Raises:
        ValueError: the body is neither well-formed JSON nor XML.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        raise ValueError("empty body")
    if "json" in content_type or text.startswith("{"):
        parsed = json.loads(text, parse_float=Decimal)
        if not isinstance(parsed, dict):
            raise ValueError("the body is not a JSON object")
        return parsed
    try:
        root = SafeXml.fromstring(text)
    except SafeXml.ParseError as exc:
        raise ValueError(f"malformed XML: {exc}") from None
    return {root.tag: _from_element(root)}
