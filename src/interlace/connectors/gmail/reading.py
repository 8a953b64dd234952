"""A Gmail ``Message`` resource read into what a flow wants: headers, text and HTML bodies, attachments.

Gmail sends ``payload``, a tree of ``MessagePart``s, whose ``body.data`` is base64url; ``raw`` is
padded and part data is not, so both are decoded with or without padding. A body too large to be
inlined comes with an ``attachmentId`` only and is fetched with ``fetch``. The ``raw`` format is read
by parsing the RFC 5322 message itself, so every format gives the same shape.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any, Final

__all__ = ["decode_base64url", "read_message"]

Fetch = Callable[[str], Awaitable[bytes]]
"""Fetches an attachment's data by its ``attachmentId`` (users.messages.attachments.get)."""

_RESOURCE_FIELDS: Final = (
    "id",
    "threadId",
    "labelIds",
    "snippet",
    "historyId",
    "internalDate",
    "sizeEstimate",
)
_SHORTCUTS: Final = {
    "from": "From",
    "to": "To",
    "cc": "Cc",
    "bcc": "Bcc",
    "subject": "Subject",
    "date": "Date",
    "messageId": "Message-ID",
    "inReplyTo": "In-Reply-To",
    "references": "References",
}


def decode_base64url(text: str) -> bytes:
    """Decode base64url with or without ``=`` padding; ``ValueError`` if it is not base64url."""
    compact = "".join(text.split())
    try:
        return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url text ({exc})") from exc


async def read_message(resource: dict[str, Any], fetch: Fetch) -> dict[str, Any]:
    """The readMail result of a Message resource in any format.

    Keys: the resource's ``id``, ``threadId``, ``labelIds``, ``snippet``, ``historyId``,
    ``internalDate``, ``sizeEstimate`` (those present); ``headers`` (``[{name, value}]``, decoded);
    ``from``, ``to``, ``cc``, ``bcc``, ``subject``, ``date``, ``messageId``, ``inReplyTo``,
    ``references`` (``None`` when absent); ``textBody`` and ``htmlBody`` (``None`` when absent, lines
    ending with a bare line feed); ``attachments`` (``[{partId, filename, mimeType, size,
    attachmentId}]``); and ``raw`` for the raw format.
    """
    result: dict[str, Any] = {key: resource[key] for key in _RESOURCE_FIELDS if key in resource}
    content = _Content()
    raw = resource.get("raw")
    if isinstance(raw, str):
        result["raw"] = raw
        parsed = BytesParser(policy=policy.default).parsebytes(decode_base64url(raw))
        headers = [{"name": name, "value": _decoded(str(value))} for name, value in parsed.items()]
        _read_parsed(parsed, "", content)
    else:
        payload = resource.get("payload")
        part = payload if isinstance(payload, dict) else {}
        headers = _headers(part)
        await _read_part(part, fetch, content)
    result["headers"] = headers
    for key, name in _SHORTCUTS.items():
        result[key] = next((h["value"] for h in headers if h["name"].lower() == name.lower()), None)
    result["textBody"] = content.text
    result["htmlBody"] = content.html
    result["attachments"] = content.attachments
    return result


class _Content:
    """The first text and HTML bodies met, and every attachment, while walking the parts in order."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.html: str | None = None
        self.attachments: list[dict[str, Any]] = []

    def add_body(self, mime_type: str, text: str) -> None:
        # Bodies arrive with the wire's CRLF line ends; flows see text as Python and JSON write it.
        text = text.replace("\r\n", "\n")
        if mime_type == "text/plain" and self.text is None:
            self.text = text
        elif mime_type == "text/html" and self.html is None:
            self.html = text


def _headers(part: dict[str, Any]) -> list[dict[str, str]]:
    found = part.get("headers")
    if not isinstance(found, list):
        return []
    return [
        {"name": str(h.get("name", "")), "value": _decoded(str(h.get("value", "")))}
        for h in found
        if isinstance(h, dict)
    ]


async def _read_part(part: dict[str, Any], fetch: Fetch, content: _Content) -> None:
    mime_type = str(part.get("mimeType", "")).lower()
    children = part.get("parts")
    if isinstance(children, list) and children:
        for child in children:
            if isinstance(child, dict):
                await _read_part(child, fetch, content)
        return
    body = part.get("body") if isinstance(part.get("body"), dict) else {}
    assert isinstance(body, dict)
    filename = str(part.get("filename") or "")
    attachment_id = body.get("attachmentId")
    if filename or (attachment_id and not mime_type.startswith("text/")):
        content.attachments.append(
            {
                "partId": part.get("partId", ""),
                "filename": filename,
                "mimeType": mime_type,
                "size": body.get("size", 0),
                "attachmentId": attachment_id,
            }
        )
        return
    if mime_type not in ("text/plain", "text/html"):
        return
    data = body.get("data")
    if isinstance(data, str):
        raw = decode_base64url(data)
    elif isinstance(attachment_id, str):
        raw = await fetch(attachment_id)  # a large body that Gmail did not inline
    else:
        raw = b""
    content.add_body(mime_type, _text(raw, _charset(part)))


def _read_parsed(part: Message, part_id: str, content: _Content) -> None:
    if part.is_multipart():
        children = part.get_payload()
        for index, child in enumerate(children if isinstance(children, list) else []):
            if isinstance(child, Message):
                _read_parsed(child, f"{part_id}.{index}" if part_id else str(index), content)
        return
    mime_type = part.get_content_type()
    data = part.get_payload(decode=True)
    raw = data if isinstance(data, bytes) else b""
    if part.get_filename() or part.get_content_disposition() == "attachment":
        content.attachments.append(
            {
                "partId": part_id,
                "filename": part.get_filename() or "",
                "mimeType": mime_type,
                "size": len(raw),
                "attachmentId": None,
            }
        )
    elif mime_type in ("text/plain", "text/html"):
        charset = part.get_content_charset() or "utf-8"
        content.add_body(mime_type, _text(raw, charset))


def _charset(part: dict[str, Any]) -> str:
    for header in _headers(part):
        if header["name"].lower() == "content-type":
            probe = EmailMessage()
            probe["Content-Type"] = header["value"]
            return probe.get_content_charset() or "utf-8"
    return "utf-8"


def _text(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: show what can be read
        return raw.decode("utf-8", errors="replace")


def _decoded(value: str) -> str:
    """A header value with RFC 2047 encoded words decoded (Gmail usually decodes them already)."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return value
