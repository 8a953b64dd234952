"""One message the development mailbox received, parsed once into what a reader wants to see.

The raw bytes are kept exactly as they arrived; everything else (addresses, subject, bodies, attachments)
is read from them with Python's ``email`` package (``policy.default``). Parsing never fails: a header
that cannot be read as addresses is kept as text, a body in an unknown charset is decoded with
replacement characters, so a malformed message still shows up for the developer to look at.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any, Literal

__all__ = ["Attachment", "MailSource", "ReceivedMail", "parse_mail"]

MailSource = Literal["smtp", "gmail"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A part of a message that carries a file: its name, MIME type and decoded size in bytes."""

    filename: str
    content_type: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "contentType": self.content_type, "size": self.size}


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """A received message: identity, how it arrived, what it says, and its exact bytes.

    ``sender``, ``to``, ``cc`` and ``bcc`` are bare addresses (``john.doe@example.com``); the display
    names stay in the raw headers. ``labels`` are Gmail label ids (``INBOX``, ``SENT``, ``TRASH``...).
    ``history_id`` is the mailbox's history counter at the message's last change.
    """

    id: str
    thread_id: str
    received_at: datetime
    source: MailSource
    envelope_from: str | None
    envelope_to: tuple[str, ...]
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    text: str | None
    html: str | None
    attachments: tuple[Attachment, ...]
    labels: tuple[str, ...]
    history_id: int
    raw: bytes

    def parsed(self) -> EmailMessage:
        """The raw bytes parsed again (``policy.default``); a fresh object on every call."""
        return _parse(self.raw)

    def to_json(self, *, include_raw: bool = False) -> dict[str, Any]:
        """The JSON shape of ``/api/messages``; with *include_raw*, also ``raw`` (text) and ``rawBase64``."""
        shape: dict[str, Any] = {
            "id": self.id,
            "threadId": self.thread_id,
            "receivedAt": self.received_at.isoformat(),
            "source": self.source,
            "envelopeFrom": self.envelope_from,
            "envelopeTo": list(self.envelope_to),
            "from": self.sender,
            "to": list(self.to),
            "cc": list(self.cc),
            "bcc": list(self.bcc),
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "attachments": [attachment.to_json() for attachment in self.attachments],
            "labelIds": list(self.labels),
            "size": len(self.raw),
        }
        if include_raw:
            shape["raw"] = self.raw.decode("utf-8", errors="replace")
            shape["rawBase64"] = base64.b64encode(self.raw).decode("ascii")
        return shape


def parse_mail(
    raw: bytes,
    *,
    message_id: str,
    thread_id: str,
    received_at: datetime,
    source: MailSource,
    labels: Iterable[str],
    history_id: int,
    envelope_from: str | None = None,
    envelope_to: Iterable[str] = (),
) -> ReceivedMail:
    """Read *raw* (an RFC 5322 message) into a ``ReceivedMail``; never raises on malformed input.

    Blind copies: an envelope recipient that is neither in To nor in Cc is counted as Bcc, because SMTP
    clients strip the Bcc header before sending.
    """
    message = _parse(raw)
    to = _addresses(message, "To")
    cc = _addresses(message, "Cc")
    bcc = list(_addresses(message, "Bcc"))
    envelope = tuple(envelope_to)
    shown = {address.lower() for address in (*to, *cc, *bcc)}
    bcc.extend(address for address in envelope if address.lower() not in shown)
    senders = _addresses(message, "From")
    return ReceivedMail(
        id=message_id,
        thread_id=thread_id,
        received_at=received_at,
        source=source,
        envelope_from=envelope_from,
        envelope_to=envelope,
        sender=senders[0] if senders else (envelope_from or ""),
        to=to,
        cc=cc,
        bcc=tuple(bcc),
        subject=_header_text(message, "Subject"),
        text=_body(message, "plain"),
        html=_body(message, "html"),
        attachments=tuple(_attachments(message)),
        labels=tuple(labels),
        history_id=history_id,
        raw=raw,
    )


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message


def _header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        # The header parser can fail on badly broken values: fall back to the undecoded text.
        return "".join(str(value) for key, value in message.raw_items() if key.lower() == name.lower())
    return "" if value is None else str(value)


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    values = [_header_text(message, name)] if message.get_all(name) else []
    return tuple(address for _, address in getaddresses(values) if address)


def _body(message: EmailMessage, subtype: Literal["plain", "html"]) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    return _text_of(part)


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else bytes(content).decode("utf-8", errors="replace")


def _attachments(message: EmailMessage) -> Iterable[Attachment]:
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename is None and part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        yield Attachment(
            filename=filename or "",
            content_type=part.get_content_type(),
            size=len(payload) if isinstance(payload, bytes) else 0,
        )
