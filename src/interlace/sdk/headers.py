"""Header values from message data: one rule for endpoints and connectors.

A header's value is often an expression over a request (``X-Patient: ${payload.name}``). A line break in
it would end the header and start another, or the request's body (CR/LF injection), so a value with a
CR, an LF or a NUL is refused before anything is sent, naming the header and never repeating the value
(it may hold a secret).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from interlace.sdk.errors import InvalidInput

__all__ = ["check_header_values", "header_break"]

_BREAK: Final = re.compile(r"[\r\n\x00]")


def header_break(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent (``"header X-Note must not contain line breaks"``), or None."""
    if _BREAK.search(name) is not None:
        return f"header name {name!r} must not contain line breaks"
    if _BREAK.search(value) is not None:
        return f"header {name} must not contain line breaks"
    return None


def check_header_values(headers: Iterable[tuple[str, str]], where: str) -> None:
    """Raise :class:`InvalidInput` (``"WHERE: header X-Note must not contain line breaks"``) for the first
    header of ``headers`` (name, value pairs) that cannot be sent."""
    for name, value in headers:
        problem = header_break(name, value)
        if problem is not None:
            raise InvalidInput(f"{where}: {problem}", detail={"header": name})
