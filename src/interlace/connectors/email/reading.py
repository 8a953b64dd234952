"""Received messages as JSON: list summaries from FETCH data, and whole messages with their parts."""

from __future__ import annotations

from base64 import b64encode
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default
from email.utils import getaddresses, parsedate_to_datetime

from .imapwire import FetchItems

__all__ = ["MESSAGE_ITEMS", "SEEN", "SUMMARY_ITEMS", "flags_of", "message_json", "summary_json", "uid_of"]

Flags = frozenset[str]

SEEN = "\\Seen"
SUMMARY_ITEMS = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)])"
MESSAGE_ITEMS = "(UID FLAGS RFC822.SIZE BODY.PEEK[])"


def flags_of(items: FetchItems) -> Flags:
    """The message's flags (``\\Seen``, ``\\Deleted``, keywords)."""
    flags = items.get("FLAGS")
    return (
        frozenset(flag for flag in flags if isinstance(flag, str)) if isinstance(flags, list) else frozenset()
    )


def uid_of(items: FetchItems) -> int | None:
    value = items.get("UID")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def summary_json(items: FetchItems) -> dict[str, object]:
    """``{uid, from, to, subject, date, seen, size}`` of a message fetched with :data:`SUMMARY_ITEMS`."""
    header = _section(items, "BODY[HEADER")
    message = _parse(header)
    return {
        "uid": uid_of(items),
        "from": _text(message, "From"),
        "to": _addresses(message, "To"),
        "subject": _text(message, "Subject"),
        "date": _date(message),
        "seen": SEEN in flags_of(items),
        "size": _size(items),
    }


def message_json(
    items: FetchItems, *, folder: str, seen: bool, attachment_content: bool
) -> dict[str, object]:
    """The whole message fetched with :data:`MESSAGE_ITEMS`: the summary's fields and ``messageId``,
    ``cc``, ``headers``, ``text``, ``html`` and ``attachments``."""
    message = _parse(_section(items, "BODY["))
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    bodies = [part for part in (text_part, html_part) if part is not None]
    return {
        "uid": uid_of(items),
        "folder": folder,
        "messageId": _text(message, "Message-ID"),
        "from": _text(message, "From"),
        "to": _addresses(message, "To"),
        "cc": _addresses(message, "Cc"),
        "subject": _text(message, "Subject"),
        "date": _date(message),
        "seen": seen,
        "size": _size(items),
        "headers": _headers(message),
        "text": _content(text_part),
        "html": _content(html_part),
        "attachments": [
            _attachment(part, attachment_content)
            for part in message.walk()
            if not part.is_multipart() and not any(part is body for body in bodies) and _is_attachment(part)
        ],
    }


def _section(items: FetchItems, prefix: str) -> bytes:
    for key, value in items.items():
        if key.startswith(prefix) and isinstance(value, bytes):
            return value
    return b""


def _parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)  # the default policy makes EmailMessage objects
    return message


def _size(items: FetchItems) -> int | None:
    value = items.get("RFC822.SIZE")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _text(message: Message, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _addresses(message: Message, name: str) -> list[str]:
    values = [str(value) for value in message.get_all(name, [])]
    return [
        f"{display} <{address}>" if display else address
        for display, address in getaddresses(values)
        if address
    ]


def _date(message: Message) -> str | None:
    value = message.get("Date")
    if value is None:
        return None
    try:
        return parsedate_to_datetime(str(value)).isoformat()
    except (TypeError, ValueError):
        return None


def _headers(message: Message) -> dict[str, str | list[str]]:
    headers: dict[str, str | list[str]] = {}
    for name, value in message.items():
        text = str(value)
        before = headers.get(name)
        if before is None:
            headers[name] = text
        elif isinstance(before, list):
            before.append(text)
        else:
            headers[name] = [before, text]
    return headers


def _content(part: Message | None) -> str | None:
    if part is None:
        return None
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError):  # an unknown charset: keep what can be read
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else None
    return content if isinstance(content, str) else None


def _is_attachment(part: Message) -> bool:
    return (
        part.get_content_disposition() == "attachment"
        or part.get_filename() is not None
        or part.get_content_maintype() not in ("text", "multipart")
    )


def _attachment(part: Message, with_content: bool) -> dict[str, object]:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    described: dict[str, object] = {
        "name": part.get_filename(),
        "contentType": part.get_content_type(),
        "size": len(data),
    }
    if with_content:
        described["content"] = b64encode(data).decode("ascii")
    return described
