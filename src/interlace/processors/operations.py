"""What operators do with stored messages beyond the store's own methods: replay a dead-letter message
into the store it came from (optionally edited), and a JSON-ready view of a message.

The store's own methods serve the rest: ``size()``, ``browse(offset, limit)``, ``get(id)``,
``delete(id)`` and ``purge()``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from interlace.errors import InterlaceError
from interlace.stores import MessageStore, StoredMessage

__all__ = ["MessageNotFoundError", "UnknownStoreError", "describe_message", "replay_message"]


class MessageNotFoundError(InterlaceError):
    """The message (or the store to replay it into) does not exist."""

    code = "NOT_FOUND"
    status = 404


class UnknownStoreError(InterlaceError):
    """No message store of that name is deployed."""

    code = "NOT_FOUND"
    status = 404


async def replay_message(
    source: MessageStore,
    message_id: str,
    stores: Mapping[str, MessageStore],
    *,
    payload: bytes | None = None,
    content_type: str | None = None,
    into: str | None = None,
    new_id: bool = False,
) -> StoredMessage:
    """Move message ``message_id`` of ``source`` (usually a dead-letter store) into its origin store (or
    ``into``), with attempts and last error cleared and, when given, a new payload and content type.

    The message keeps its id, so a receiver that did handle it before recognises it by its
    ``Idempotency-Key``; ``new_id`` gives it a new one instead (a store with a ``dedupe-window`` ignores
    a put of an id it stored within the window, and a receiver then sees a new message). It is put into
    the target before it is deleted from ``source``: a failure in between leaves it in both, never in
    neither. Raises MessageNotFoundError for an unknown message or target store, and StoreError when a
    store fails.
    """
    message = await source.get(message_id)
    if message is None:
        raise MessageNotFoundError(f"message store {source.name} holds no message {message_id!r}")
    target_name = into or message.origin
    if target_name is None or target_name not in stores:
        known = ", ".join(sorted(stores)) or "none"
        raise MessageNotFoundError(
            f"message {message_id} cannot be replayed into {target_name or 'its origin (not recorded)'}: "
            f"no such store (stores: {known})"
        )
    replayed = replace(
        message,
        id=uuid.uuid4().hex if new_id else message.id,
        attempts=0,
        last_error=None,
        payload=message.payload if payload is None else payload,
        content_type=content_type or message.content_type,
        origin=message.origin or target_name,
    )
    await stores[target_name].put(replayed)
    await source.delete(message_id)
    return replayed


def describe_message(message: StoredMessage, *, with_payload: bool = True) -> dict[str, Any]:
    """The message as JSON values, for a management view (the payload as text when it decodes)."""
    view: dict[str, Any] = {
        "id": message.id,
        "created": message.created,
        "attempts": message.attempts,
        "lastError": message.last_error,
        "origin": message.origin,
        "correlationId": message.correlation_id,
        "contentType": message.content_type,
        "headers": dict(message.headers),
        "variables": dict(message.variables),
        "properties": dict(message.properties),
    }
    if with_payload:
        try:
            view["payload"] = message.payload.decode("utf-8")
        except UnicodeDecodeError:
            view["payload"] = None
            view["payloadSize"] = len(message.payload)
    return view
