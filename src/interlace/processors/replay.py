"""Replay: what operators do with stored messages beyond the store's own methods: replay a dead-letter
message into the store it came from (optionally edited), and a JSON-ready view of a message.

(Not "operations": in Interlace an operation is a connector's typed outbound action.)

The store's own methods serve the rest: ``size()``, ``browse(offset, limit)``, ``get(id)``,
``delete(id)`` and ``purge()``.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace

from interlace.errors import InterlaceError
from interlace.message import JsonValue
from interlace.stores import MessageStore, StoredMessage, StoreError

__all__ = [
    "MessageNotFoundError",
    "ReplayConflictError",
    "UnknownStoreError",
    "describe_message",
    "replay_message",
]

_log = logging.getLogger("interlace.processors")


class MessageNotFoundError(InterlaceError):
    """The message (or the store to replay it into) does not exist."""

    code = "NOT_FOUND"
    status = 404


class ReplayConflictError(InterlaceError):
    """The target store would not keep the replayed message under its id: replay it with a new id."""

    code = "CONFLICT"
    status = 409


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
    ``into``), with attempts and last error cleared and, when given, a new payload and content type;
    return the message as replayed.

    The message keeps its id, so a receiver that did handle it before recognises it by its
    ``Idempotency-Key``; ``new_id`` gives it a new one instead (a receiver then sees a new message).

    A replay never loses the message:

    - into another store, it is put there before it is deleted from ``source`` (a failure in between
      leaves it in both, never in neither), and deleted only once the target holds it: when the target
      already holds a message with that id, or ignores the put (a ``dedupe-window`` ignores an id it
      stored within the window), it stays in ``source`` and ReplayConflictError says to replay it with a
      new id. A target that cannot look messages up by id (RabbitMQ) is not checked;
    - into the store that holds it (its origin, say) with its id kept, it is replaced in place: deleted,
      then put again; if the store ignores that put (its ``dedupe-window`` saw the id), the message is
      put with a new id instead, and if the put fails the original is put back.

    Raises MessageNotFoundError for an unknown message or target store, and StoreError when a store
    fails.
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
    target = stores[target_name]
    replayed = replace(
        message,
        id=uuid.uuid4().hex if new_id else message.id,
        attempts=0,
        last_error=None,
        payload=message.payload if payload is None else payload,
        content_type=content_type or message.content_type,
        origin=message.origin or target_name,
    )
    same_store = target is source or target.name == source.name
    if same_store and replayed.id == message.id:
        return await _replace_in_place(source, message, replayed)
    if same_store:  # under a new id: nothing in the store has it
        await source.put(replayed)
    else:
        await _put_where_none_is(target, replayed)
    await source.delete(message_id)
    return replayed


async def _replace_in_place(store: MessageStore, old: StoredMessage, new: StoredMessage) -> StoredMessage:
    """``new`` in place of ``old`` (same id) in ``store``; see :func:`replay_message`."""
    await store.delete(old.id)
    try:
        await store.put(new)
    except BaseException:
        with contextlib.suppress(Exception):
            await store.put(old)
        raise
    if await store.get(new.id) is not None:
        return new
    renamed = replace(new, id=uuid.uuid4().hex)
    _log.warning(
        "message store %s ignored message %s put back in place (its dedupe-window saw the id): "
        "replayed as %s",
        store.name,
        old.id,
        renamed.id,
    )
    await store.put(renamed)
    return renamed


async def _put_where_none_is(target: MessageStore, message: StoredMessage) -> None:
    """Put ``message`` into ``target``, making sure ``target`` keeps it (where it can be looked into)."""
    try:
        held = await target.get(message.id)
    except StoreError:  # a store that cannot look a message up by id: put, as it always stores
        await target.put(message)
        return
    if held is not None:
        raise ReplayConflictError(
            f"message store {target.name} already holds a message {message.id!r}: replay with a new id "
            "(newId, --new-id), or delete one of the two"
        )
    await target.put(message)
    if await target.get(message.id) is None:
        raise ReplayConflictError(
            f"message store {target.name} did not keep message {message.id!r} (a dedupe-window ignores an "
            "id it stored within the window): it stays where it was; replay it with a new id (newId, "
            "--new-id)"
        )


def describe_message(message: StoredMessage, *, with_payload: bool = True) -> dict[str, JsonValue]:
    """The message as JSON values, for a management view (the payload as text when it decodes)."""
    view: dict[str, JsonValue] = {
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
