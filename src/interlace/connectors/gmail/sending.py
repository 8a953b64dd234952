"""Sending mail: ``sendMail`` and ``sendMailWithAttachment`` (users.messages.send with ``raw``)."""

from __future__ import annotations

from typing import Annotated, Any

from interlace.connectors.gmail.compose import Attachment, ContentType, Draft, compose, encode_raw
from interlace.connectors.gmail.connection import GmailConnection
from interlace.connectors.gmail.scopes import SEND
from interlace.sdk import Param, needs_scopes

__all__ = ["send_mail", "send_mail_with_attachment"]

Addresses = str | list[str]

_TO = Param(
    "Recipients: one address, a comma-separated list (`Jane <jane@example.com>, bob@example.com`) or a"
    " list of addresses.",
    example="john.doe@example.com",
)
_SUBJECT = Param("The subject line.", example="Payment Status")
_BODY = Param(
    "The text of the mail, plain text or HTML as `contentType` says.", example="Your payment is settled."
)
_CONTENT_TYPE = Param("How to read `messageBody`: `text/plain` (or `plain`) or `text/html` (or `html`).")
_CC = Param("Copy recipients, written like `to`.")
_BCC = Param("Blind copy recipients, written like `to`; the other recipients do not see them.")
_FROM = Param(
    "The sender, when not the account itself: an address the account may send as (a Gmail alias).",
    key="from",
)
_IN_REPLY_TO = Param("Message-ID of the mail this one answers (its `messageId` as readMail gives it).")
_REFERENCES = Param("Message-IDs of the conversation, oldest first; by default the `inReplyTo` value alone.")
_THREAD_ID = Param(
    "Gmail thread to add the reply to (a `threadId` from readMail or sendMail); give `inReplyTo` and the"
    " same subject too, as Gmail requires for threading."
)


async def _send(conn: GmailConnection, operation: str, draft: Draft, thread_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"raw": encode_raw(compose(draft, operation=operation))}
    if thread_id:
        body["threadId"] = thread_id
    return await conn.call(operation, "POST", "/messages/send", body=body)


@needs_scopes(SEND)
async def send_mail(
    conn: GmailConnection,
    to: Annotated[Addresses, _TO],
    subject: Annotated[str, _SUBJECT] = "",
    messageBody: Annotated[str, _BODY] = "",
    contentType: Annotated[ContentType, _CONTENT_TYPE] = "text/plain",
    cc: Annotated[Addresses | None, _CC] = None,
    bcc: Annotated[Addresses | None, _BCC] = None,
    from_: Annotated[str | None, _FROM] = None,
    inReplyTo: Annotated[str | None, _IN_REPLY_TO] = None,
    references: Annotated[Addresses | None, _REFERENCES] = None,
    threadId: Annotated[str | None, _THREAD_ID] = None,
) -> dict[str, Any]:
    """Send a mail from the connection's account.

    The mail is built as an RFC 5322 message (UTF-8, non-ASCII headers encoded) and sent with the Gmail
    API's users.messages.send. Gmail adds the Date and Message-ID headers and keeps a copy under SENT.

    Returns:
        Gmail's answer: `{id, threadId, labelIds}` of the sent message.
    """
    draft = Draft(
        to=to, subject=subject, body=messageBody, content_type=contentType, cc=cc, bcc=bcc,
        sender=from_, in_reply_to=inReplyTo, references=references,
    )  # fmt: skip
    return await _send(conn, "sendMail", draft, threadId)


@needs_scopes(SEND)
async def send_mail_with_attachment(
    conn: GmailConnection,
    to: Annotated[Addresses, _TO],
    attachments: Annotated[
        list[Attachment],
        Param(
            "Files to attach: each `{name, contentType, content}` with `content` base64-encoded.",
            example=[{"name": "receipt.pdf", "contentType": "application/pdf", "content": "JVBERi0xLjQ="}],
        ),
    ],
    subject: Annotated[str, _SUBJECT] = "",
    messageBody: Annotated[str, _BODY] = "",
    contentType: Annotated[ContentType, _CONTENT_TYPE] = "text/plain",
    cc: Annotated[Addresses | None, _CC] = None,
    bcc: Annotated[Addresses | None, _BCC] = None,
    from_: Annotated[str | None, _FROM] = None,
    inReplyTo: Annotated[str | None, _IN_REPLY_TO] = None,
    references: Annotated[Addresses | None, _REFERENCES] = None,
    threadId: Annotated[str | None, _THREAD_ID] = None,
) -> dict[str, Any]:
    """Send a mail with files attached, as sendMail does.

    The body comes first, then each attachment as its own MIME part (`multipart/mixed`).

    Returns:
        Gmail's answer: `{id, threadId, labelIds}` of the sent message.
    """
    draft = Draft(
        to=to, subject=subject, body=messageBody, content_type=contentType, cc=cc, bcc=bcc,
        sender=from_, in_reply_to=inReplyTo, references=references, attachments=attachments,
    )  # fmt: skip
    return await _send(conn, "sendMailWithAttachment", draft, threadId)
