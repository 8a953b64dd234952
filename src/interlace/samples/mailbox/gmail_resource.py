"""Gmail API resources as JSON, following Google's reference for the v1 REST API.

- ``Message`` (users.messages): ``id``, ``threadId``, ``labelIds``, ``snippet``, ``historyId`` (string),
  ``internalDate`` (epoch milliseconds, string), ``sizeEstimate``, then by format: ``minimal`` nothing
  more, ``metadata`` a ``payload`` with headers only, ``full`` the whole ``payload`` tree, ``raw`` the
  message as base64url in ``raw``.
- ``MessagePart``: ``partId`` ("" at the top, "0", "1", "0.1"... below), ``mimeType``, ``filename``,
  ``headers`` (``[{name, value}]`` in message order), ``body`` (``MessagePartBody``), ``parts``.
- ``MessagePartBody``: ``size`` (decoded bytes) and ``data`` (base64url) for a leaf part; an attachment
  has ``attachmentId`` instead of ``data`` and is fetched with users.messages.attachments.get; a
  multipart container has ``size`` 0 only.
- Base64url as Gmail sends it: ``raw`` with ``=`` padding, part and attachment ``data`` without.
- Errors: ``{"error": {"code", "message", "errors": [{"message", "domain", "reason", ...}], "status"}}``.
"""

from __future__ import annotations

import base64
import binascii
import html
from collections.abc import Iterable
from email.message import Message
from typing import Any, Final

from interlace.samples.mailbox.mail import ReceivedMail

__all__ = [
    "FORMATS",
    "SYSTEM_LABELS",
    "GoogleApiError",
    "attachment_body",
    "decode_base64url",
    "message_resource",
]

FORMATS: Final = ("minimal", "full", "raw", "metadata")
_SNIPPET_LENGTH: Final = 200

# Gmail's system labels; the visibility fields are optional in the Label resource and left out here.
SYSTEM_LABELS: Final = tuple(
    {"id": label, "name": label, "type": "system"}
    for label in ("CHAT", "SENT", "INBOX", "IMPORTANT", "TRASH", "DRAFT", "SPAM", "STARRED", "UNREAD")
)


class GoogleApiError(Exception):
    """An error answer of a Google API: HTTP *code*, canonical *status*, and one ``errors`` entry."""

    def __init__(
        self,
        code: int,
        status: str,
        message: str,
        *,
        reason: str,
        location: str | None = None,
        location_type: str | None = None,
        detail_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.reason = reason
        self.location = location
        self.location_type = location_type
        self.detail_message = detail_message or message

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"message": self.detail_message, "domain": "global", "reason": self.reason}
        if self.location is not None:
            entry["location"] = self.location
            entry["locationType"] = self.location_type
        return {
            "error": {"code": self.code, "message": self.message, "errors": [entry], "status": self.status}
        }


def message_resource(
    message: ReceivedMail, message_format: str, metadata_headers: Iterable[str] = ()
) -> dict[str, Any]:
    """The ``Message`` resource of *message* in *message_format* (one of ``FORMATS``)."""
    resource: dict[str, Any] = {
        "id": message.id,
        "threadId": message.thread_id,
        "labelIds": list(message.labels),
        "snippet": _snippet(message),
        "sizeEstimate": len(message.raw),
        "historyId": str(message.history_id),
        "internalDate": str(int(message.received_at.timestamp() * 1000)),
    }
    if message_format == "raw":
        resource["raw"] = base64.urlsafe_b64encode(message.raw).decode("ascii")
    elif message_format == "metadata":
        wanted = {name.lower() for name in metadata_headers}
        parsed = message.parsed()
        headers = [h for h in _headers(parsed) if not wanted or h["name"].lower() in wanted]
        resource["payload"] = {
            "partId": "",
            "mimeType": parsed.get_content_type(),
            "filename": "",
            "headers": headers,
        }
    elif message_format == "full":
        resource["payload"] = _part(message.parsed(), "", message.id)
    return resource


def attachment_body(message: ReceivedMail, attachment_id: str) -> dict[str, Any] | None:
    """The ``MessagePartBody`` of an attachment of *message*, or ``None`` if it has no such attachment."""
    part_id = _part_id_of(attachment_id, message.id)
    if part_id is None:
        return None
    part: Message = message.parsed()
    for index in part_id.split(".") if part_id else []:
        children = part.get_payload() if part.is_multipart() else []
        if not isinstance(children, list) or not index.isdigit() or int(index) >= len(children):
            return None
        child = children[int(index)]
        if not isinstance(child, Message):
            return None
        part = child
    if part.is_multipart():
        return None
    data = _decoded(part)
    return {"attachmentId": attachment_id, "size": len(data), "data": _unpadded(data)}


def decode_base64url(value: str) -> bytes:
    """Decode base64url text with or without padding; raise ``ValueError`` if it is not base64url."""
    text = value.strip().replace("\r", "").replace("\n", "")
    if not text or any(c in text for c in "+/"):
        raise ValueError("not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64url text ({exc})") from exc


def _part(part: Message, part_id: str, message_id: str) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": part.get_filename() or "",
        "headers": _headers(part),
    }
    if part.is_multipart():
        children = part.get_payload()
        assert isinstance(children, list)
        shape["body"] = {"size": 0}
        shape["parts"] = [
            _part(child, f"{part_id}.{index}" if part_id else str(index), message_id)
            for index, child in enumerate(children)
        ]
        return shape
    data = _decoded(part)
    if part.get_filename() or part.get_content_disposition() == "attachment":
        shape["body"] = {"attachmentId": _attachment_id(message_id, part_id), "size": len(data)}
    else:
        shape["body"] = {"size": len(data), "data": _unpadded(data)} if data else {"size": 0}
    return shape


def _headers(part: Message) -> list[dict[str, str]]:
    return [{"name": name, "value": str(value)} for name, value in part.items()]


def _decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _unpadded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _attachment_id(message_id: str, part_id: str) -> str:
    # Opaque to clients like Gmail's, but it encodes the part so no table of ids has to be kept.
    return "ANGjdJ" + _unpadded(f"{message_id}/{part_id}".encode())


def _part_id_of(attachment_id: str, message_id: str) -> str | None:
    if not attachment_id.startswith("ANGjdJ"):
        return None
    try:
        owner, _, part_id = decode_base64url(attachment_id.removeprefix("ANGjdJ")).decode().partition("/")
    except (ValueError, UnicodeDecodeError):
        return None
    return part_id if owner == message_id else None


def _snippet(message: ReceivedMail) -> str:
    # Gmail's snippet is a short, whitespace-collapsed start of the text, with HTML entities escaped.
    text = " ".join((message.text or _strip_tags(message.html or "")).split())
    return html.escape(text[:_SNIPPET_LENGTH]).replace("&#x27;", "&#39;")


def _strip_tags(markup: str) -> str:
    out: list[str] = []
    inside = False
    for char in markup:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return html.unescape("".join(out))
