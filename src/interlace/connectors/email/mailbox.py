"""The mailbox operations over IMAP: ``list``, ``read``, ``move``, ``delete`` and ``markSeen``.

Messages are named by their UID in a folder (RFC 3501 2.3.1.1): stable across sessions, unlike
sequence numbers, as long as the folder's UIDVALIDITY does not change.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from interlace.sdk import InvalidInput, Param

from .connection import EmailConnection
from .imap import ImapClient, ImapRefused
from .imapwire import FetchItems, copied_uid, quote, search_date
from .reading import MESSAGE_ITEMS, SEEN, SUMMARY_ITEMS, flags_of, message_json, summary_json, uid_of

__all__ = ["delete", "list_messages", "mark_seen", "move", "read"]

Folder = Annotated[
    str, Param("The folder (mailbox) the message is in.", example="INBOX"), Field(min_length=1)
]
Uid = Annotated[int, Param("The message's UID in the folder, as list returns it.", example=42), Field(gt=0)]


async def list_messages(
    conn: EmailConnection,
    folder: Annotated[str, Param("The folder to list.", example="INBOX"), Field(min_length=1)] = "INBOX",
    *,
    unseen: Annotated[bool, Param("Only messages not yet seen.")] = False,
    sender: Annotated[str | None, Param("Only messages whose From contains this text.", key="from")] = None,
    subject: Annotated[str | None, Param("Only messages whose Subject contains this text.")] = None,
    since: Annotated[
        date | None, Param("Only messages received on or after this day (YYYY-MM-DD).", example="2024-01-31")
    ] = None,
    limit: Annotated[int, Param("At most this many messages, the newest."), Field(gt=0, le=10000)] = 50,
) -> list[dict[str, object]]:
    """List the messages of a folder that match every criterion given, newest first.

    Returns:
        [{uid, from, to, subject, date, seen, size}]: date in ISO 8601, size in bytes, to a list of addresses.
    """
    criteria: list[str] = []
    texts = [text for text in (sender, subject) if text is not None]
    if unseen:
        criteria.append("UNSEEN")
    if sender is not None:
        criteria += ["FROM", quote(sender)]
    if subject is not None:
        criteria += ["SUBJECT", quote(subject)]
    if since is not None:
        criteria += ["SINCE", search_date(since)]
    async with conn.mailbox.folder(folder) as client:
        found = await client.search(criteria or ["ALL"], utf8=not all(text.isascii() for text in texts))
        uids = sorted(found, reverse=True)[:limit]
        items = await client.fetch(uids, SUMMARY_ITEMS) if uids else []
    by_uid = {uid_of(item): item for item in items}
    return [summary_json(by_uid[uid]) for uid in uids if uid in by_uid]


async def read(
    conn: EmailConnection,
    uid: Uid,
    folder: Folder = "INBOX",
    *,
    markSeen: Annotated[bool, Param("Mark the message seen, as a mail program does on opening it.")] = True,
    attachmentContent: Annotated[
        bool, Param("Include each attachment's content in base64, not only its name, type and size.")
    ] = False,
) -> dict[str, object]:
    """Read one message: its headers, text and HTML bodies, and attachments.

    Returns:
        {uid, folder, messageId, from, to, cc, subject, date, seen, size, headers, text, html,
        attachments}: headers maps each name to its decoded value (a list when it occurs more than
        once); text and html are the bodies, null when absent; attachments are
        [{name, contentType, size, content?}].
    """
    async with conn.mailbox.folder(folder) as client:
        items = await _fetch_one(client, conn, uid, folder, MESSAGE_ITEMS)
        seen = SEEN in flags_of(items)
        if markSeen and not seen:
            await client.store(uid, "+FLAGS.SILENT", f"({SEEN})")
            seen = True
    return message_json(items, folder=folder, seen=seen, attachment_content=attachmentContent)


async def move(
    conn: EmailConnection,
    uid: Uid,
    toFolder: Annotated[str, Param("The folder to move it to.", example="Archive"), Field(min_length=1)],
    folder: Folder = "INBOX",
) -> dict[str, object]:
    """Move a message to another folder (IMAP MOVE; COPY, delete and expunge where the server lacks it).

    Returns:
        {uid, folder, toFolder, newUid}: newUid is its UID in toFolder, when the server tells it.
    """
    async with conn.mailbox.folder(folder) as client:
        await _fetch_one(client, conn, uid, folder, "(UID)")
        try:
            lines, text = await client.relocate(uid, toFolder)
        except ImapRefused as exc:
            raise InvalidInput(
                f"message {uid} cannot be moved from {folder!r} to {toFolder!r} on"
                f" {client.settings.where}: {exc.text}"
            ) from exc
    return {"uid": uid, "folder": folder, "toFolder": toFolder, "newUid": copied_uid(lines, text)}


async def delete(
    conn: EmailConnection,
    uid: Uid,
    folder: Folder = "INBOX",
    *,
    expunge: Annotated[
        bool,
        Param(
            "Remove it now; otherwise it is only marked deleted until the folder is expunged. Without the"
            " server's UIDPLUS, expunging removes every message marked deleted in the folder."
        ),
    ] = True,
) -> dict[str, object]:
    """Delete a message: mark it deleted and, by default, expunge it.

    To keep it in a trash folder instead (Gmail's `[Gmail]/Trash`), use move.

    Returns:
        {uid, folder, expunged}.
    """
    async with conn.mailbox.folder(folder) as client:
        await _fetch_one(client, conn, uid, folder, "(UID)")
        await client.store(uid, "+FLAGS.SILENT", "(\\Deleted)")
        if expunge:
            await client.expunge(uid)
    return {"uid": uid, "folder": folder, "expunged": expunge}


async def mark_seen(
    conn: EmailConnection,
    uid: Uid,
    folder: Folder = "INBOX",
    *,
    seen: Annotated[bool, Param("true marks the message seen (read), false unseen.")] = True,
) -> dict[str, object]:
    """Mark a message seen or unseen.

    Returns:
        {uid, folder, seen}.
    """
    async with conn.mailbox.folder(folder) as client:
        await _fetch_one(client, conn, uid, folder, "(UID)")
        await client.store(uid, "+FLAGS.SILENT" if seen else "-FLAGS.SILENT", f"({SEEN})")
    return {"uid": uid, "folder": folder, "seen": seen}


async def _fetch_one(
    client: ImapClient, conn: EmailConnection, uid: int, folder: str, items: str
) -> FetchItems:
    for found in await client.fetch([uid], items):
        if uid_of(found) == uid:
            return found
    raise InvalidInput(f"folder {folder!r} of connection {conn.name} has no message with uid {uid}")
