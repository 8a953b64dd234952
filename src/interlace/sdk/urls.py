"""Putting values into URLs, as RFC 6570 URI templates do: one rule for endpoints and connectors.

- A value put into a path segment or a query value is percent-encoded except for the unreserved
  characters (``A-Z a-z 0-9 - . _ ~``): ``/``, ``?``, ``#``, ``%``, ``&``, ``=`` and ``+`` cannot
  change the URL's structure (:func:`quote_value`, the template's ``{var}``).
- Raw URL text is inserted only on purpose (:func:`quote_reserved`, the template's ``{+var}``): only
  characters that may not appear in a URL at all are encoded.
- A path with a ``.`` or ``..`` segment is refused (:func:`has_dot_segment`), so no value can walk
  up the path, even where the server would decode ``%2E``.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote

from interlace.sdk.errors import InvalidInput

__all__ = ["has_dot_segment", "path_segment", "quote_reserved", "quote_value"]

_RESERVED: Final = ":/?#[]@!$&'()*+,;=%"
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9._~-]*")


def quote_value(value: str) -> str:
    """``value`` with everything but the unreserved characters percent-encoded (UTF-8)."""
    return value if _UNRESERVED.fullmatch(value) else quote(value, safe="")


def quote_reserved(value: str) -> str:
    """``value`` as raw URL text: the reserved characters and ``%`` stay as they are, characters that
    may not appear in a URL (spaces, non-ASCII, controls) are percent-encoded."""
    return quote(value, safe=_RESERVED)


def has_dot_segment(path: str) -> bool:
    """Whether the (encoded) ``path`` has a ``.`` or ``..`` segment, also written ``%2E``."""
    if "." not in path and "%2" not in path:
        return False
    return any(unquote(segment) in (".", "..") for segment in path.split("/"))


def path_segment(value: str, what: str = "a path segment") -> str:
    """``value`` encoded as one whole path segment; :class:`InvalidInput` when it is ``.`` or ``..``
    (``what`` names it in the message: ``"message id"``)."""
    if value in (".", ".."):
        raise InvalidInput(f"{what} must not be {value!r}: it would walk the URL's path")
    return quote_value(value)
