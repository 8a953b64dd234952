"""How publish operations turn a flow's value into a message body: bytes as they are, text as UTF-8, any
other value as JSON; with the content type that follows, unless the flow names one."""

from __future__ import annotations

import orjson

from interlace.sdk.errors import InvalidInput

__all__ = ["encode_body"]

_BYTES = "application/octet-stream"
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"


def encode_body(
    body: object, content_type: str | None, doing: str, what: str = "message"
) -> tuple[bytes, str]:
    """``body`` as bytes with its content type (``content_type`` when given); :class:`InvalidInput`
    naming ``what`` (the parameter) for a value that is none of text, bytes or JSON."""
    if isinstance(body, bytes | bytearray):
        return bytes(body), content_type or _BYTES
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or _TEXT
    try:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), content_type or _JSON
    except TypeError as exc:
        raise InvalidInput(
            f"{doing}: {what} must be text, bytes or a JSON value (got {type(body).__name__})"
        ) from exc
