"""The account: ``listLabels`` (users.labels.list) and ``getUserProfile`` (users.getProfile)."""

from __future__ import annotations

from typing import Any

from interlace.connectors.gmail.connection import GmailConnection
from interlace.connectors.gmail.scopes import READ
from interlace.sdk import needs_scopes

__all__ = ["get_user_profile", "list_labels"]


@needs_scopes(READ)
async def list_labels(conn: GmailConnection) -> dict[str, Any]:
    """List the mailbox's labels, system (INBOX, SENT, TRASH...) and the user's own.

    Returns:
        `{labels: [{id, name, type}]}` (Gmail's Label resources).
    """
    answer = await conn.call("listLabels", "GET", "/labels")
    labels = answer.get("labels")
    return {**answer, "labels": labels if isinstance(labels, list) else []}


@needs_scopes(READ)
async def get_user_profile(conn: GmailConnection) -> dict[str, Any]:
    """Read the account's profile.

    Returns:
        `{emailAddress, messagesTotal, threadsTotal, historyId}`.
    """
    return await conn.call("getUserProfile", "GET", "/profile")
