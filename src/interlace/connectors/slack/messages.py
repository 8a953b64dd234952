"""Messages: ``postMessage`` (chat.postMessage) and ``updateMessage`` (chat.update)."""

from __future__ import annotations

from typing import Annotated, Any

from interlace.connectors.slack.connection import SlackConnection
from interlace.sdk import InvalidInput, Param

__all__ = ["post_message", "update_message"]

Blocks = list[dict[str, Any]]

_CHANNEL = Param(
    "The conversation: a channel, private group or IM id (`C0123456789`), or a user id to message the"
    " user in the app's direct message.",
    example="C0123456789",
)
_TEXT = Param(
    "The message text (Slack's mrkdwn); with `blocks` it is the fallback shown in notifications.",
    example="Order 1042 has shipped.",
)
_BLOCKS = Param(
    "Block Kit blocks laying the message out.",
    example=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Order 1042* has shipped."}}],
)
_ATTACHMENTS = Param("Legacy secondary attachments (`[{color, text, fields, ...}]`).")
_THREAD_TS = Param("The `ts` of the message to reply to in its thread (the parent's, never a reply's).")


def _content(text: str | None, blocks: Blocks | None, attachments: Blocks | None, where: str) -> None:
    if not (text or blocks or attachments):
        raise InvalidInput(f"{where}: give 'text', 'blocks' or 'attachments' (the message would be empty)")


async def post_message(
    conn: SlackConnection,
    channel: Annotated[str, _CHANNEL],
    text: Annotated[str | None, _TEXT] = None,
    blocks: Annotated[Blocks | None, _BLOCKS] = None,
    attachments: Annotated[Blocks | None, _ATTACHMENTS] = None,
    threadTs: Annotated[str | None, _THREAD_TS] = None,
    replyBroadcast: Annotated[bool, Param("Also show a thread reply in the channel.")] = False,
    unfurlLinks: Annotated[
        bool | None, Param("Unfurl links to web pages (Slack's default when unset).")
    ] = None,
    mrkdwn: Annotated[bool, Param("Read `text` as mrkdwn; false sends it as it is.")] = True,
) -> dict[str, Any]:
    """Post a message to a conversation as the app (chat.postMessage).

    Returns:
        Slack's answer: `{ok, channel, ts, message}`; `channel` and `ts` name the message for
        updateMessage and for replies in its thread.
    """
    _content(text, blocks, attachments, "slack.postMessage")
    return await conn.call(
        "postMessage",
        "chat.postMessage",
        {
            "channel": channel, "text": text, "blocks": blocks, "attachments": attachments,
            "thread_ts": threadTs, "reply_broadcast": replyBroadcast or None,
            "unfurl_links": unfurlLinks, "mrkdwn": mrkdwn,
        },
        as_json=True,
    )  # fmt: skip


async def update_message(
    conn: SlackConnection,
    channel: Annotated[str, Param("The conversation holding the message (its `channel` id).")],
    ts: Annotated[str, Param("The message's `ts`, as postMessage answered it.", example="1700000000.000100")],
    text: Annotated[str | None, _TEXT] = None,
    blocks: Annotated[Blocks | None, _BLOCKS] = None,
    attachments: Annotated[Blocks | None, _ATTACHMENTS] = None,
) -> dict[str, Any]:
    """Replace the text, blocks or attachments of a message the app posted (chat.update).

    Returns:
        Slack's answer: `{ok, channel, ts, text, message}`.
    """
    _content(text, blocks, attachments, "slack.updateMessage")
    return await conn.call(
        "updateMessage",
        "chat.update",
        {"channel": channel, "ts": ts, "text": text, "blocks": blocks, "attachments": attachments},
        as_json=True,
    )
