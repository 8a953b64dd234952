"""Composing an outgoing RFC 5322 message from what a flow gives ``email.send``."""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interlace.sdk import InvalidInput

__all__ = ["Attachment", "Composed", "Recipients", "compose", "parse_addresses"]

Recipients = str | list[str]
"""One or more addresses: a list, or one string with addresses separated by commas."""

_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*$")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class Attachment(BaseModel):
    """A file to attach: its name, media type and content in base64."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(min_length=1, description="The file name the recipient sees.")
    content_type: str = Field(
        "application/octet-stream", alias="contentType", description="The media type, e.g. application/pdf."
    )
    content: str = Field(description="The file's bytes, base64-encoded.")


@dataclass(frozen=True, slots=True)
class Composed:
    """A message ready to send: the message, the envelope sender and recipients, and its Message-ID."""

    message: EmailMessage
    sender: str
    recipients: list[str]
    message_id: str


def compose(
    *,
    sender: str,
    to: Recipients,
    cc: Recipients,
    bcc: Recipients,
    reply_to: Recipients,
    subject: str,
    content: str,
    content_type: Literal["text/plain", "text/html"],
    attachments: Sequence[Attachment],
    in_reply_to: str | None,
    references: Recipients,
) -> Composed:
    """The message; :class:`~interlace.sdk.InvalidInput` naming the field for what cannot be sent."""
    from_address = _one_address(sender, "sender")
    to_list, cc_list, bcc_list = (
        parse_addresses(to, "to"),
        parse_addresses(cc, "cc"),
        parse_addresses(bcc, "bcc"),
    )
    if not (to_list or cc_list or bcc_list):
        raise InvalidInput("a message needs at least one recipient in to, cc or bcc")
    message = EmailMessage(policy=SMTP)
    message_id = make_msgid(domain=from_address.domain or "localhost")
    try:
        message["From"] = from_address
        _set_addresses(message, "To", to_list)
        _set_addresses(message, "Cc", cc_list)
        _set_addresses(message, "Reply-To", parse_addresses(reply_to, "replyTo"))
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id
        _set_threading(message, in_reply_to, references)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"the message's headers cannot be written: {exc}") from exc
    message.set_content(content, subtype="html" if content_type == "text/html" else "plain")
    for attachment in attachments:
        _attach(message, attachment)
    recipients = list(dict.fromkeys(address.addr_spec for address in (*to_list, *cc_list, *bcc_list)))
    return Composed(message, from_address.addr_spec, recipients, message_id)


def parse_addresses(value: Recipients, field: str) -> list[Address]:
    """The addresses in ``value`` (``"Ann <ann@example.com>, bob@example.com"`` or a list of such)."""
    texts = [value] if isinstance(value, str) else value
    addresses: list[Address] = []
    for text in texts:
        if not text.strip():
            continue
        if "\r" in text or "\n" in text:
            raise InvalidInput(f"{field}: an address cannot contain a line break (got {text!r})")
        for name, spec in getaddresses([text]):
            if name or spec:  # a trailing comma gives an empty pair
                addresses.append(_address(name, spec, text, field))
    return addresses


def _one_address(text: str, field: str) -> Address:
    addresses = parse_addresses(text, field)
    if len(addresses) != 1:
        raise InvalidInput(f"{field} must be one e-mail address (got {text!r})")
    return addresses[0]


def _address(name: str, spec: str, text: str, field: str) -> Address:
    local, at, domain = spec.rpartition("@")
    if not (at and local and domain) or any(c.isspace() for c in spec):
        raise InvalidInput(f"{field}: {text!r} is not an e-mail address")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise InvalidInput(f"{field}: {text!r} is not an e-mail address ({exc})") from exc


def _set_addresses(message: EmailMessage, header: str, addresses: list[Address]) -> None:
    if addresses:
        message[header] = addresses


def _set_threading(message: EmailMessage, in_reply_to: str | None, references: Recipients) -> None:
    parent = _message_ids(in_reply_to or "", "inReplyTo")
    if len(parent) > 1:
        raise InvalidInput(f"inReplyTo must be one Message-ID (got {in_reply_to!r})")
    chain = _message_ids(references, "references") or parent
    if parent:
        message["In-Reply-To"] = parent[0]
    if chain:
        message["References"] = " ".join(chain)


def _message_ids(value: Recipients, field: str) -> list[str]:
    """Message-IDs from ``<a@x> <b@y>``, a list, or bare ``a@x`` (angle brackets are added)."""
    texts = [value] if isinstance(value, str) else value
    ids: list[str] = []
    for text in texts:
        found = _MESSAGE_ID.findall(text)
        if not found and text.strip():
            found = [f"<{part}>" for part in text.split()]
        if any("@" not in item or "\r" in item or "\n" in item for item in found):
            raise InvalidInput(f"{field}: {text!r} is not a Message-ID such as <id@example.com>")
        ids += found
    return ids


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    where = f"attachment {attachment.name!r}"
    if not _CONTENT_TYPE.match(attachment.content_type):
        raise InvalidInput(
            f"{where}: contentType must look like type/subtype (got {attachment.content_type!r})"
        )
    try:
        data = b64decode("".join(attachment.content.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{where}: content must be base64 ({exc})") from exc
    maintype, subtype = attachment.content_type.lower().split("/", 1)
    try:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.name)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{where} cannot be attached: {exc}") from exc
