"""Conversations and people: ``listConversations`` (conversations.list, cursor paging),
``getConversationHistory`` (conversations.history) and ``lookupUserByEmail`` (users.lookupByEmail)."""

from __future__ import annotations

from typing import Annotated, Any, Final

from interlace.connectors.slack.connection import SlackConnection
from interlace.sdk import InvalidInput, Param

__all__ = ["get_conversation_history", "list_conversations", "lookup_user_by_email"]

_TYPES: Final = frozenset({"public_channel", "private_channel", "mpim", "im"})
_CURSOR = Param("Where to go on: the `nextCursor` of the previous page; empty for the first page.")


def _next_cursor(answer: dict[str, Any]) -> str:
    metadata = answer.get("response_metadata")
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    return cursor if isinstance(cursor, str) else ""


async def list_conversations(
    conn: SlackConnection,
    types: Annotated[
        str, Param("Kinds to list, comma-separated: `public_channel`, `private_channel`, `mpim`, `im`.")
    ] = "public_channel",
    excludeArchived: Annotated[bool, Param("Leave archived conversations out.")] = False,
    limit: Annotated[int, Param("Most conversations per page (Slack allows up to 1000).")] = 200,
    cursor: Annotated[str | None, _CURSOR] = None,
    allPages: Annotated[
        bool, Param("Follow the cursor through every page and return them together.")
    ] = False,
) -> dict[str, Any]:
    """List the workspace's conversations the app can see (conversations.list).

    One page by default; pass its `nextCursor` as `cursor` for the next, or set `allPages` to get every
    page at once (each page is one call, counted against Slack's rate limit).

    Returns:
        `{channels: [{id, name, is_channel, is_private, is_archived, ...}], nextCursor}`;
        `nextCursor` is empty after the last page.
    """
    kinds = [kind.strip() for kind in types.split(",") if kind.strip()]
    unknown = sorted(set(kinds) - _TYPES)
    if unknown or not kinds:
        raise InvalidInput(
            f"slack.listConversations: types must be among {', '.join(sorted(_TYPES))}"
            f" (got {', '.join(unknown) or 'none'})"
        )
    if not 1 <= limit <= 1000:
        raise InvalidInput(f"slack.listConversations: limit must be 1 to 1000 (got {limit})")
    channels: list[Any] = []
    while True:
        answer = await conn.call(
            "listConversations",
            "conversations.list",
            {"types": ",".join(kinds), "exclude_archived": excludeArchived, "limit": limit, "cursor": cursor},
        )
        page = answer.get("channels")
        channels += page if isinstance(page, list) else []
        cursor = _next_cursor(answer)
        if not (allPages and cursor):
            return {"channels": channels, "nextCursor": cursor}


async def get_conversation_history(
    conn: SlackConnection,
    channel: Annotated[str, Param("The conversation's id.", example="C0123456789")],
    limit: Annotated[int, Param("Most messages to return (Slack allows up to 999).")] = 100,
    oldest: Annotated[str | None, Param("Only messages after this `ts` (Unix time with decimals).")] = None,
    latest: Annotated[str | None, Param("Only messages before this `ts`; by default up to now.")] = None,
    inclusive: Annotated[bool, Param("Include the messages at exactly `oldest` and `latest`.")] = False,
    cursor: Annotated[str | None, _CURSOR] = None,
) -> dict[str, Any]:
    """Read a conversation's messages, newest first (conversations.history).

    Returns:
        `{messages: [{type, user, text, ts, ...}], hasMore, nextCursor}`.
    """
    if not 1 <= limit <= 999:
        raise InvalidInput(f"slack.getConversationHistory: limit must be 1 to 999 (got {limit})")
    answer = await conn.call(
        "getConversationHistory",
        "conversations.history",
        {
            "channel": channel, "limit": limit, "oldest": oldest, "latest": latest,
            "inclusive": inclusive or None, "cursor": cursor,
        },
    )  # fmt: skip
    messages = answer.get("messages")
    return {
        "messages": messages if isinstance(messages, list) else [],
        "hasMore": bool(answer.get("has_more")),
        "nextCursor": _next_cursor(answer),
    }


async def lookup_user_by_email(
    conn: SlackConnection,
    email: Annotated[str, Param("The user's e-mail address.", example="jane@example.com")],
) -> dict[str, Any]:
    """Find a workspace member by e-mail address (users.lookupByEmail); an unknown address is an
    INVALID_INPUT error (`users_not_found`).

    Returns:
        The user: `{id, name, real_name, profile: {email, display_name, ...}, ...}`.
    """
    answer = await conn.call("lookupUserByEmail", "users.lookupByEmail", {"email": email})
    user = answer.get("user")
    return user if isinstance(user, dict) else {}
