"""Building a request from an operation's values: the URL under the base URL, the query and the body.

Paths come from expressions over message data, so a path can never leave the connection's base URL:
an absolute URL, a ``//host`` reference or ``.`` and ``..`` segments are refused as bad input. Values
written into a path arrive percent-encoded (the operation's ``path`` is a URL template, see
:mod:`interlace.sdk.urls`); the path is sent as it is, never re-normalised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import orjson
from yarl import URL

from interlace.sdk import InvalidInput, has_dot_segment, quote_reserved

__all__ = ["QueryValue", "RequestBody", "encode_body", "resolve_url"]

QueryScalar = str | int | float | bool | None
QueryValue = QueryScalar | list[QueryScalar]
"""A query parameter's value: a scalar (``None`` leaves the parameter out) or a list (repeated)."""

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class RequestBody:
    """The bytes to send and their content type."""

    data: bytes
    content_type: str


def resolve_url(base_url: str, path: str, query: Mapping[str, QueryValue], where: str) -> URL:
    """``path`` (with its own ``?query``, if any) appended to ``base_url``, then ``query`` added.

    A leading ``/`` does not escape the base URL's path: ``/orders`` under ``https://h/v1`` is
    ``https://h/v1/orders``. ``where`` names the operation and connection in errors.
    """
    if urlsplit(path).scheme or path.startswith("//") or path.startswith("\\"):
        raise InvalidInput(
            f"{where}: path must be relative to the connection's base-url (got {_shown(path)});"
            " absolute URLs are not followed"
        )
    base = URL(base_url)
    prefix = base.raw_path.rstrip("/")
    try:
        url = URL(f"{str(base).rstrip('/')}/{quote_reserved(path.lstrip('/'))}", encoded=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: path is not a valid URL path (got {_shown(path)})") from exc
    inside = url.raw_path == prefix or url.raw_path.startswith(f"{prefix}/") or not prefix
    if has_dot_segment(url.raw_path) or not inside or url.host != base.host:
        raise InvalidInput(f"{where}: path must stay under the connection's base-url (got {_shown(path)})")
    pairs = _query_pairs(query)
    return url.with_fragment(None).extend_query(pairs) if pairs else url.with_fragment(None)


def _query_pairs(query: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        values: Sequence[QueryScalar] = value if isinstance(value, list) else [value]
        pairs += [(name, _text(item)) for item in values if item is not None]
    return pairs


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_body(body: object, content_type: str | None, where: str) -> RequestBody | None:
    """The body as bytes with its content type: bytes as they are (``application/octet-stream``), text
    as UTF-8 (``text/plain``), other values as JSON (``application/json``), or as a form when
    ``content_type`` is ``application/x-www-form-urlencoded`` and ``body`` a mapping. A given
    ``content_type`` is sent as it is; ``None`` means no body."""
    if body is None:
        return None
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if isinstance(body, bytes | bytearray):
        return RequestBody(bytes(body), content_type or "application/octet-stream")
    if isinstance(body, str):
        return RequestBody(body.encode("utf-8"), content_type or "text/plain; charset=utf-8")
    if media_type == _FORM and isinstance(body, Mapping):
        form = [(str(key), _text(value)) for key, value in body.items() if value is not None]
        return RequestBody(urlencode(form).encode("ascii"), content_type or _FORM)
    try:
        data = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        raise InvalidInput(
            f"{where}: body must be text, bytes or a JSON value (got {type(body).__name__})"
        ) from exc
    return RequestBody(data, content_type or _JSON)


def _shown(path: str, limit: int = 80) -> str:
    text = repr(path)
    return text if len(text) <= limit else text[: limit - 3] + "..."
