"""The IMAP wire format (RFC 3501) where the client library leaves it to its caller: quoting arguments,
mailbox names in modified UTF-7, search dates, and reading FETCH, SEARCH and COPYUID responses."""

from __future__ import annotations

import re
from base64 import b64encode
from collections.abc import Sequence
from datetime import date

__all__ = ["FetchItems", "copied_uid", "fetched", "mailbox_name", "quote", "search_date", "searched"]

FetchItems = dict[str, object]
"""One message's FETCH data: item name in upper case (``UID``, ``FLAGS``, ``BODY[]``) to its value."""

_LITERAL = re.compile(rb"\{(\d+)\}$")
_COPYUID = re.compile(rb"COPYUID \d+ [\d:,]+ ([\d:,]+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_Token = str | bytes | None | list["_Token"]


def quote(text: str) -> str:
    """``text`` as an IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_name(name: str) -> str:
    """A mailbox name as sent on the wire: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            encoded.append("&" + b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return quote("".join(encoded))


def search_date(day: date) -> str:
    """A date as SEARCH SINCE wants it: ``1-Feb-2024``."""
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def searched(lines: Sequence[bytes]) -> list[int]:
    """The numbers of the untagged SEARCH data lines (the library strips the ``SEARCH`` word)."""
    return [int(word) for line in lines for word in bytes(line).split() if word.isdigit()]


def copied_uid(lines: Sequence[bytes], text: str) -> int | None:
    """The new UID from a ``COPYUID`` response code of one copied or moved message, if the server gave one."""
    for line in [*lines, text.encode()]:
        found = _COPYUID.search(bytes(line))
        if found and found.group(1).isdigit():
            return int(found.group(1))
    return None


def fetched(lines: Sequence[bytes]) -> list[FetchItems]:
    """The FETCH data of the untagged response lines (``N FETCH (...)``, literals as separate lines)."""
    tokens = _tokens(lines)
    messages: list[FetchItems] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if (
            isinstance(token, str)
            and token.isdigit()
            and position + 2 < len(tokens)
            and tokens[position + 1] == "FETCH"
            and isinstance(tokens[position + 2], list)
        ):
            messages.append(_items(tokens[position + 2]))
            position += 3
        else:
            position += 1
    return messages


def _items(values: _Token) -> FetchItems:
    assert isinstance(values, list)
    items: FetchItems = {}
    for index in range(0, len(values) - 1, 2):
        key = values[index]
        if isinstance(key, str):
            items[key.upper()] = values[index + 1]
    return items


def _tokens(lines: Sequence[bytes]) -> list[_Token]:
    """All lines as one token list, parenthesized lists nested, literals as bytes."""
    root: list[_Token] = []
    stack = [root]
    literal_next = False
    for line in lines:
        if literal_next:
            stack[-1].append(bytes(line))
            literal_next = False
            continue
        data = bytes(line)
        marker = _LITERAL.search(data)
        if marker:
            data = data[: marker.start()]
            literal_next = True
        _scan(data.decode("utf-8", errors="replace"), stack)
    return root


def _scan(text: str, stack: list[list[_Token]]) -> None:
    position = 0
    while position < len(text):
        char = text[position]
        if char == " ":
            position += 1
        elif char == "(":
            nested: list[_Token] = []
            stack[-1].append(nested)
            stack.append(nested)
            position += 1
        elif char == ")":
            if len(stack) > 1:
                stack.pop()
            position += 1
        elif char == '"':
            value, position = _quoted(text, position + 1)
            stack[-1].append(value)
        else:
            value, position = _atom(text, position)
            stack[-1].append(None if value.upper() == "NIL" else value)


def _quoted(text: str, position: int) -> tuple[str, int]:
    chars: list[str] = []
    while position < len(text) and text[position] != '"':
        if text[position] == "\\" and position + 1 < len(text):
            position += 1
        chars.append(text[position])
        position += 1
    return "".join(chars), position + 1


def _atom(text: str, position: int) -> tuple[str, int]:
    start = position
    while position < len(text) and text[position] not in ' ()"':
        if text[position] == "[":
            # A section such as BODY[HEADER.FIELDS (FROM TO)] holds spaces and parentheses.
            end = text.find("]", position)
            position = len(text) if end < 0 else end
        position += 1
    return text[start:position], position
