"""Reading the mailbox: ``listAllMails``, ``readMail`` and ``trashMessage`` (users.messages)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from interlace.connectors.gmail.connection import GmailConnection, Query
from interlace.connectors.gmail.reading import decode_base64url, read_message
from interlace.connectors.gmail.scopes import MODIFY, READ
from interlace.sdk import FatalError, Param, needs_scopes, path_segment

__all__ = ["list_all_mails", "read_mail", "trash_message"]

_ID = Param("The message's id, as listAllMails or sendMail gives it.", example="18c2f0a1b2c3d4e5")


def _message_path(message_id: str) -> str:
    return f"/messages/{path_segment(message_id, 'the message id')}"


@needs_scopes(READ)
async def list_all_mails(
    conn: GmailConnection,
    labelIds: Annotated[
        str | list[str] | None,
        Param("Only messages with all these labels: a list or a comma-separated string.", example="INBOX"),
    ] = None,
    q: Annotated[
        str | None,
        Param("A Gmail search query, as typed in Gmail's search box.", example="from:billing is:unread"),
    ] = None,
    maxResults: Annotated[
        int | None,
        Param("How many messages to return at most (Gmail: 100 when not given, 500 at most)."),
        Field(ge=1, le=500),
    ] = None,
    pageToken: Annotated[
        str | None,
        # Not a credential, but opaque like one and of no use in an error message or a trace.
        Param("The `nextPageToken` of the previous page, to read the next one.", secret=True),
    ] = None,
    includeSpamTrash: Annotated[bool, Param("List messages in SPAM and TRASH too.")] = False,
) -> dict[str, Any]:
    """List the ids of the messages in the mailbox, newest first, one page at a time.

    Returns:
        `{messages: [{id, threadId}], nextPageToken, resultSizeEstimate}`; `messages` is empty when
        nothing matches and `nextPageToken` is null on the last page.
    """
    params: dict[str, str | list[str]] = {}
    if labelIds:
        listed = labelIds.split(",") if isinstance(labelIds, str) else labelIds
        params["labelIds"] = [label.strip() for label in listed if label.strip()]
    if q:
        params["q"] = q
    if maxResults is not None:
        params["maxResults"] = str(maxResults)
    if pageToken:
        params["pageToken"] = pageToken
    if includeSpamTrash:
        params["includeSpamTrash"] = "true"
    query: Query = params
    answer = await conn.call("listAllMails", "GET", "/messages", params=query)
    messages = answer.get("messages")
    return {
        "messages": messages if isinstance(messages, list) else [],
        "nextPageToken": answer.get("nextPageToken"),
        "resultSizeEstimate": answer.get("resultSizeEstimate", 0),
    }


@needs_scopes(READ)
async def read_mail(
    conn: GmailConnection,
    id: Annotated[str, _ID],
    format: Annotated[
        Literal["full", "metadata", "minimal", "raw"],
        Param(
            "How much to read: `full` (headers, bodies, attachments), `metadata` (headers), `minimal`"
            " (ids and labels) or `raw` (also the whole message as base64url in `raw`)."
        ),
    ] = "full",
) -> dict[str, Any]:
    """Read one message: its headers, text and HTML bodies and the list of its attachments.

    Returns:
        `{id, threadId, labelIds, snippet, historyId, internalDate, sizeEstimate, headers: [{name, value}],
        from, to, cc, bcc, subject, date, messageId, inReplyTo, references, textBody, htmlBody,
        attachments: [{partId, filename, mimeType, size, attachmentId}]}`, with `raw` too for the raw
        format. Header values are decoded; absent ones and bodies are null.
    """
    path = _message_path(id)
    resource = await conn.call("readMail", "GET", path, params={"format": format})

    async def fetch(attachment_id: str) -> bytes:
        answer = await conn.call(
            "readMail", "GET", f"{path}/attachments/{path_segment(attachment_id, 'the attachment id')}"
        )
        return decode_base64url(str(answer.get("data", "")))

    try:
        return await read_message(resource, fetch)
    except ValueError as exc:
        raise FatalError(
            f"gmail.readMail on connection {conn.name}: message {id} holds data that is not base64url ({exc})"
        ) from exc


@needs_scopes(MODIFY)
async def trash_message(conn: GmailConnection, id: Annotated[str, _ID]) -> dict[str, Any]:
    """Move a message to the trash (Gmail deletes it for good after 30 days).

    Returns:
        Gmail's answer: `{id, threadId, labelIds}` of the message, `labelIds` now holding TRASH.
    """
    return await conn.call("trashMessage", "POST", f"{_message_path(id)}/trash")
