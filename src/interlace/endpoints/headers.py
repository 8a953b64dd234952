"""Which headers travel between a message and an HTTP call, and URLs made safe to show.

Hop-by-hop headers describe one connection, not the message, so they are never forwarded; headers
that describe the body are set again from the payload, because a flow may have replaced it.
"""

from __future__ import annotations

import re
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["HOP_BY_HOP_HEADERS", "redact_url", "request_headers", "response_headers"]

HOP_BY_HOP_HEADERS: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# The body may have been replaced (type) and is sent as decoded bytes (encoding); the client's
# accepted encodings are the HTTP client's to choose, since it must be able to decode the answer.
_BODY_HEADERS: Final = frozenset({"content-type", "content-encoding", "accept-encoding"})
_USERINFO: Final = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")


def _connection_tokens(headers: CIMultiDict[str] | CIMultiDictProxy[str]) -> frozenset[str]:
    # Headers named in Connection are hop-by-hop too (RFC 9110, 7.6.1).
    values = headers.getall("Connection", ())
    if not values:
        return frozenset()
    return frozenset(token.strip().lower() for value in values for token in value.split(","))


def _without(headers: CIMultiDict[str] | CIMultiDictProxy[str], dropped: frozenset[str]) -> CIMultiDict[str]:
    # One pass, one lower() per header: this runs twice per call on the hot path.
    extra = _connection_tokens(headers)
    if extra:
        dropped = dropped | extra
    kept: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        lower = name.lower()
        if lower not in dropped and not lower.startswith("proxy-"):
            kept.add(name, value)
    return kept


_REQUEST_DROPPED: Final = HOP_BY_HOP_HEADERS | _BODY_HEADERS
_RESPONSE_DROPPED: Final = HOP_BY_HOP_HEADERS | {"content-encoding"}


def request_headers(message_headers: CIMultiDict[str] | CIMultiDictProxy[str]) -> CIMultiDict[str]:
    """The message's headers that go out with a call: hop-by-hop and body headers removed."""
    return _without(message_headers, _REQUEST_DROPPED)


def response_headers(answer_headers: CIMultiDictProxy[str]) -> CIMultiDict[str]:
    """The answer's headers kept on the response: hop-by-hop removed, and Content-Encoding, because
    the body arrives decoded."""
    return _without(answer_headers, _RESPONSE_DROPPED)


def redact_url(text: str) -> str:
    """``text`` with the user and password removed from every URL in it, for messages and views."""
    return _USERINFO.sub(r"\1", text)
