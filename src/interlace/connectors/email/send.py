"""``email.send``: compose a message and hand it to the connection's SMTP server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import aiosmtplib

from interlace.sdk import FatalError, InvalidInput, Param

from .compose import Attachment, Recipients, compose
from .connection import EmailConnection
from .smtp import refused_recipients, smtp_failure, smtp_session

__all__ = ["send"]


async def send(
    conn: EmailConnection,
    to: Annotated[
        Recipients,
        Param(
            "Who receives the message: a list of addresses, or one string of addresses separated by commas.",
            example="Ann Lee <ann@example.com>, bob@example.com",
        ),
    ],
    subject: Annotated[str, Param("The subject line.", example="Payment Status")],
    content: Annotated[str, Param("The body: text, or HTML when contentType is text/html.")] = "",
    *,
    cc: Annotated[Recipients, Param("Who receives a copy, shown to all recipients.")] = "",
    bcc: Annotated[Recipients, Param("Who receives a copy without being shown (envelope only).")] = "",
    sender: Annotated[
        str | None,
        Param(
            "The From address, such as `Clinic <clinic@example.com>`; by default the connection's"
            " `sender` (or its `username`, when that is an address).",
            key="from",
        ),
    ] = None,
    replyTo: Annotated[Recipients, Param("Where replies should go, when not to the sender.")] = "",
    contentType: Annotated[
        Literal["text/plain", "text/html"], Param("The body's type: text/plain or text/html.")
    ] = "text/plain",
    attachments: Annotated[
        Sequence[Attachment],
        Param("Files to attach: each {name, contentType, content} with the content in base64."),
    ] = (),
    inReplyTo: Annotated[
        str | None, Param("The Message-ID of the message this one answers, such as <id@example.com>.")
    ] = None,
    references: Annotated[
        Recipients,
        Param("The Message-IDs of the thread, oldest first; by default inReplyTo."),
    ] = "",
) -> dict[str, object]:
    """Send one message.

    A new SMTP session carries each message. The envelope names every address of to, cc and bcc;
    bcc addresses do not appear in the message. When the server refuses some recipients and accepts
    others, the message is sent to those it accepted and `rejected` lists the others; when it refuses
    every recipient, nothing is sent and the operation fails naming them.

    Returns:
        {messageId, accepted, rejected}: the message's Message-ID header, the recipients the server
        accepted, and those it refused with its answer.
    """
    from_address = sender or conn.config.default_sender()
    if from_address is None:
        raise FatalError(
            f"connection {conn.name} does not say who sends: give from, or set the connection's sender"
        )
    composed = compose(
        sender=from_address,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=replyTo,
        subject=subject,
        content=content,
        content_type=contentType,
        attachments=attachments,
        in_reply_to=inReplyTo,
        references=references,
    )
    settings = conn.smtp_settings
    async with smtp_session(settings) as client:
        try:
            errors, _ = await client.send_message(
                composed.message, sender=composed.sender, recipients=composed.recipients
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise smtp_failure(exc, settings) from exc
        except ValueError as exc:  # an address the server cannot take (non-ASCII without SMTPUTF8)
            raise InvalidInput(f"{settings.where} cannot take this message: {exc}") from exc
    rejected = refused_recipients(errors)
    return {
        "messageId": composed.message_id,
        "accepted": [address for address in composed.recipients if address not in rejected],
        "rejected": rejected,
    }
