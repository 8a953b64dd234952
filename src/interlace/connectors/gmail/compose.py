"""RFC 5322 messages built from an operation's input, encoded as the Gmail API's ``raw`` (base64url).

Messages are built with Python's ``email`` package (``EmailMessage``, ``policy.SMTP``: CRLF lines,
RFC 2047 encoded non-ASCII headers). Bcc stays in the message: Gmail reads the recipients from To, Cc
and Bcc and removes Bcc before delivery. Every problem with the input is an
:class:`~interlace.sdk.InvalidInput` naming the field.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError, MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from interlace.sdk import InvalidInput

__all__ = ["Attachment", "ContentType", "Draft", "compose", "encode_raw"]

ContentType = Literal["text/plain", "text/html", "plain", "html"]
_SUBTYPES: Final = {"text/plain": "plain", "plain": "plain", "text/html": "html", "html": "html"}


class Attachment(BaseModel):
    """A file attached to a mail."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = Field(min_length=1)
    """The file name the recipient sees."""

    contentType: str = "application/octet-stream"  # noqa: N815 -- the key flows write
    """The file's MIME type, such as ``application/pdf``."""

    content: str
    """The file's bytes, base64-encoded (standard or URL-safe alphabet, padding optional)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """What a mail says, as the operation received it (addresses as written: a string or a list)."""

    to: str | Sequence[str]
    subject: str = ""
    body: str = ""
    content_type: ContentType = "text/plain"
    cc: str | Sequence[str] | None = None
    bcc: str | Sequence[str] | None = None
    sender: str | None = None
    in_reply_to: str | None = None
    references: str | Sequence[str] | None = None
    attachments: Sequence[Attachment] = field(default=())


def compose(draft: Draft, *, operation: str) -> EmailMessage:
    """The RFC 5322 message of ``draft``; ``InvalidInput`` names what is wrong with it."""
    where = f"gmail.{operation}"
    message = EmailMessage(policy=policy.SMTP)
    to = _addresses(draft.to, "to", where)
    if not to:
        raise InvalidInput(f"{where}: 'to' must name at least one recipient (got {draft.to!r})")
    sender = _addresses(draft.sender, "from", where) if draft.sender else ()
    if len(sender) > 1:
        raise InvalidInput(f"{where}: 'from' must be one address (got {len(sender)})")
    if sender:
        message["From"] = sender
    message["To"] = to
    for header, value, key in (("Cc", draft.cc, "cc"), ("Bcc", draft.bcc, "bcc")):
        listed = _addresses(value, key, where) if value else ()
        if listed:
            message[header] = listed
    message["Subject"] = _single_line(draft.subject, "subject", where)
    if draft.in_reply_to:
        message["In-Reply-To"] = _single_line(draft.in_reply_to, "inReplyTo", where)
    references = _references(draft, where)
    if references:
        message["References"] = references
    message.set_content(draft.body, subtype=_SUBTYPES[draft.content_type])
    for index, attachment in enumerate(draft.attachments):
        _attach(message, attachment, f"{where}: attachment {index + 1} ({attachment.name!r})")
    return message


def encode_raw(message: EmailMessage) -> str:
    """The whole message as base64url, the form of the Gmail API's ``raw`` field."""
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def _addresses(value: str | Sequence[str], key: str, where: str) -> tuple[Address, ...]:
    items = [value] if isinstance(value, str) else list(value)
    found: list[Address] = []
    for item in items:
        text = _single_line(item, key, where)
        for display_name, address in getaddresses([text]):
            if not address and not display_name:
                continue
            if "@" not in address:
                raise InvalidInput(f"{where}: '{key}' holds {text!r}, which is not an e-mail address")
            try:
                found.append(Address(display_name=display_name, addr_spec=address))
            except (HeaderParseError, ValueError, IndexError) as exc:
                raise InvalidInput(
                    f"{where}: '{key}' holds {address!r}, which is not an e-mail address"
                ) from exc
    return tuple(found)


def _references(draft: Draft, where: str) -> str:
    if draft.references:
        items = [draft.references] if isinstance(draft.references, str) else list(draft.references)
        return " ".join(_single_line(item, "references", where).strip() for item in items if item.strip())
    # RFC 5322 §3.6.4: a reply's References holds at least the parent's Message-ID.
    return draft.in_reply_to.strip() if draft.in_reply_to else ""


def _single_line(value: str, key: str, where: str) -> str:
    if "\r" in value or "\n" in value:
        raise InvalidInput(f"{where}: '{key}' must be one line (it holds a line break)")
    return value


def _attach(message: EmailMessage, attachment: Attachment, where: str) -> None:
    maintype, slash, subtype = attachment.contentType.strip().partition("/")
    if not slash or not maintype or not subtype or any(c.isspace() for c in maintype + subtype):
        raise InvalidInput(f"{where}: contentType must be a MIME type such as application/pdf")
    try:
        data = _decode_base64(attachment.content)
    except ValueError as exc:
        raise InvalidInput(f"{where}: content must be base64-encoded ({exc})") from exc
    try:
        message.add_attachment(
            data, maintype=maintype.lower(), subtype=subtype.lower(), filename=attachment.name
        )
    except (MessageError, ValueError) as exc:
        raise InvalidInput(f"{where}: cannot be attached ({exc})") from exc


def _decode_base64(text: str) -> bytes:
    compact = "".join(text.split())
    padded = compact + "=" * (-len(compact) % 4)
    alphabet = b"-_" if any(c in compact for c in "-_") else None
    try:
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc
