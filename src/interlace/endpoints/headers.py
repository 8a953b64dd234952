"""Which headers travel between a message and an HTTP call, and URLs made safe to show.

Hop-by-hop headers describe one connection, not the message, so they are never forwarded; headers
that describe the body are set again from the payload, because a flow may have replaced it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def _connection_tokens(headers: CIMultiDict[str] | CIMultiDictProxy[str]) -> set[str]:
    # Headers named in Connection are hop-by-hop too (RFC 9110, 7.6.1).
    return {token.strip().lower() for value in headers.getall("Connection", ()) for token in value.split(",")}


def _is_hop_by_hop(name: str) -> bool:
    lower = name.lower()
    return lower in HOP_BY_HOP_HEADERS or lower.startswith("proxy-")


def _without(headers: CIMultiDict[str] | CIMultiDictProxy[str], extra: Iterable[str]) -> CIMultiDict[str]:
    dropped = _connection_tokens(headers) | set(extra)
    return CIMultiDict(
        (name, value)
        for name, value in headers.items()
        if not _is_hop_by_hop(name) and name.lower() not in dropped
    )


def request_headers(message_headers: CIMultiDict[str]) -> CIMultiDict[str]:
    """The message's headers that go out with a call: hop-by-hop and body headers removed."""
    return _without(message_headers, _BODY_HEADERS)


def response_headers(answer_headers: CIMultiDictProxy[str]) -> CIMultiDict[str]:
    """The answer's headers kept on the response: hop-by-hop removed, and Content-Encoding, because
    the body arrives decoded."""
    return _without(answer_headers, ("content-encoding",))


def redact_url(text: str) -> str:
    """``text`` with the user and password removed from every URL in it, for messages and views."""
    return _USERINFO.sub(r"\1", text)
