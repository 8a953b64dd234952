"""The message stores of the active deployment: sizes, and browsing, inspecting, replaying, deleting
and purging their messages."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from interlace.management.context import PROJECT_FILTER, owned, owners
from interlace.management.errors import BadRequestError, NotFoundError
from interlace.management.routes import Call, QueryParam, Route, Schema, items_of, ref
from interlace.processors import describe_message
from interlace.stores import MessageStore, StoredMessage, StoreError

__all__ = ["MAX_PAGE", "ROUTES", "SCHEMAS"]

MAX_PAGE = 500
"""The most messages one browse answer holds."""

_log = logging.getLogger("interlace.management")

_JSON_OBJECT: Schema = {"type": "object"}

SCHEMAS: dict[str, Schema] = {
    "Store": {
        "type": "object",
        "required": ["name", "project", "kind", "size", "bytes", "maxMessages", "maxBytes", "whenFull"],
        "properties": {
            "name": {"type": "string"},
            "project": {"type": ["string", "null"], "description": "The project (deployment) it belongs to."},
            "kind": {"type": "string", "description": "The store's kind: memory, sqlite, postgres, ..."},
            "size": {"type": ["integer", "null"], "description": "Messages held, claimed ones included."},
            "bytes": {
                "type": ["integer", "null"],
                "description": "Bytes the messages take as stored (null: unknown, or the kind cannot tell).",
            },
            "maxMessages": {"type": "integer", "description": "The most messages the store holds."},
            "maxBytes": {"type": ["integer", "null"], "description": "The most bytes (null: no byte bound)."},
            "whenFull": {"enum": ["refuse", "wait"], "description": "What a put into the full store does."},
            "error": {"type": "string", "description": "Why the size is unknown (the store failed)."},
        },
    },
    "StoredMessage": {
        "type": "object",
        "required": [
            "id",
            "created",
            "attempts",
            "lastError",
            "origin",
            "correlationId",
            "contentType",
            "size",
        ],
        "properties": {
            "id": {"type": "string"},
            "created": {"type": "number", "description": "Seconds since the epoch."},
            "attempts": {"type": "integer", "description": "Failed delivery attempts so far."},
            "lastError": {"type": ["string", "null"]},
            "origin": {"type": ["string", "null"], "description": "The store it was first stored in."},
            "correlationId": {"type": "string"},
            "contentType": {"type": "string"},
            "size": {"type": "integer", "description": "The payload's size in bytes."},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "variables": _JSON_OBJECT,
            "properties": _JSON_OBJECT,
            "payload": {"type": ["string", "null"], "description": "The payload as text, when it is text."},
            "payloadBase64": {"type": "string", "description": "The payload, when it is not text."},
        },
    },
    "MessagePage": {
        "type": "object",
        "required": ["items", "offset", "limit", "size"],
        "properties": {
            "items": {"type": "array", "items": ref("StoredMessage")},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "size": {"type": "integer"},
        },
    },
    "Replay": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "payload": {"type": "string", "description": "A new payload, as text (UTF-8)."},
            "payloadBase64": {"type": "string", "description": "A new payload, base64-encoded."},
            "contentType": {"type": "string", "minLength": 1, "maxLength": 255},
            "into": {"type": "string", "minLength": 1, "description": "Another store than its origin."},
            "newId": {"type": "boolean", "description": "Give the message a new id (see the reference)."},
        },
        "not": {"required": ["payload", "payloadBase64"]},
    },
    "Replayed": {
        "type": "object",
        "required": ["store", "message"],
        "properties": {"store": {"type": "string"}, "message": ref("StoredMessage")},
    },
    "Deleted": {"type": "object", "required": ["deleted"], "properties": {"deleted": {"type": "string"}}},
    "Purged": {"type": "object", "required": ["purged"], "properties": {"purged": {"type": "integer"}}},
}


def _message_view(message: StoredMessage, *, with_payload: bool) -> dict[str, Any]:
    view = describe_message(message, with_payload=with_payload)
    view["size"] = len(message.payload)
    view.pop("payloadSize", None)
    if with_payload and view.get("payload") is None:
        view["payloadBase64"] = base64.b64encode(message.payload).decode("ascii")
    return view


def _store(call: Call) -> MessageStore:
    return call.context.runtime.message_store(call.path["name"])  # UnknownStoreError: 404


async def _message(call: Call, store: MessageStore) -> StoredMessage:
    message = await store.get(call.path["id"])
    if message is None:
        raise NotFoundError(f"message store {store.name} holds no message {call.path['id']!r}")
    return message


async def _store_view(store: MessageStore, project: str | None) -> dict[str, Any]:
    """Depth and bound of ``store``; a store that cannot be counted shows why instead of its depth."""
    bounds = store.bounds
    view: dict[str, Any] = {
        "name": store.name,
        "project": project,
        "kind": store.kind,
        "size": None,
        "bytes": None,
        "maxMessages": bounds.max_messages,
        "maxBytes": bounds.max_bytes,
        "whenFull": bounds.when_full,
    }
    try:
        usage = await store.usage()
    except StoreError as exc:
        view["error"] = exc.message
    else:
        view["size"], view["bytes"] = usage.messages, usage.bytes
    return view


async def _list(call: Call) -> dict[str, Any]:
    runtime, wanted = call.context.runtime, call.query.get("project")
    owned_stores = owned(call.context, "stores", wanted)
    return {
        "items": [await _store_view(runtime.message_store(name), project) for name, project in owned_stores]
    }


async def _get(call: Call) -> dict[str, Any]:
    store = _store(call)
    return await _store_view(store, owners(call.context, "stores").get(store.name))


async def _browse(call: Call) -> dict[str, Any]:
    store = _store(call)
    offset, limit = int(call.query["offset"]), int(call.query["limit"])
    messages = await store.browse(offset, limit)
    return {
        "items": [_message_view(message, with_payload=False) for message in messages],
        "offset": offset,
        "limit": limit,
        "size": await store.size(),
    }


async def _inspect(call: Call) -> dict[str, Any]:
    return _message_view(await _message(call, _store(call)), with_payload=True)


async def _delete(call: Call) -> dict[str, Any]:
    store = _store(call)
    message_id = call.path["id"]
    if not await store.delete(message_id):
        raise NotFoundError(f"message store {store.name} holds no message {message_id!r}")
    _log.info("management: %s deleted message %s of store %s", call.user, message_id, store.name)
    return {"deleted": message_id}


def _new_payload(body: dict[str, Any]) -> bytes | None:
    if "payload" in body:
        return str(body["payload"]).encode("utf-8")
    if "payloadBase64" in body:
        try:
            return base64.b64decode(body["payloadBase64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadRequestError(f"payloadBase64 must be base64 ({exc})") from exc
    return None


async def _replay(call: Call) -> dict[str, Any]:
    store = _store(call)
    body: dict[str, Any] = call.body or {}
    replayed = await call.context.runtime.replay_message(
        store.name,
        call.path["id"],
        payload=_new_payload(body),
        content_type=body.get("contentType"),
        into=body.get("into"),
        new_id=bool(body.get("newId", False)),
    )
    target = body.get("into") or replayed.origin or store.name
    _log.info(
        "management: %s replayed message %s of store %s into %s",
        call.user,
        call.path["id"],
        store.name,
        target,
    )
    return {"store": target, "message": _message_view(replayed, with_payload=False)}


async def _purge(call: Call) -> dict[str, Any]:
    store = _store(call)
    purged = await store.purge()
    _log.info("management: %s purged store %s (%d messages)", call.user, store.name, purged)
    return {"purged": purged}


_PAGE = (
    QueryParam(
        "offset", "How many of the oldest messages to skip.", {"type": "integer", "minimum": 0, "default": 0}
    ),
    QueryParam(
        "limit",
        f"The most messages to show (at most {MAX_PAGE}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 50},
    ),
)
_MESSAGE = "/management/stores/{name}/messages/{id}"

ROUTES = (
    Route(
        "listStores",
        "GET",
        "/management/stores",
        _list,
        "The message stores: depth (messages and bytes held) and bound",
        items_of(ref("Store")),
        "stores",
        query=(PROJECT_FILTER,),
    ),
    Route(
        "getStore",
        "GET",
        "/management/stores/{name}",
        _get,
        "One message store's depth and bound",
        ref("Store"),
        "stores",
    ),
    Route(
        "browseStore",
        "GET",
        "/management/stores/{name}/messages",
        _browse,
        "The messages of a store, oldest first, without their payloads",
        ref("MessagePage"),
        "stores",
        query=_PAGE,
    ),
    Route(
        "getStoredMessage",
        "GET",
        _MESSAGE,
        _inspect,
        "One stored message with its payload",
        ref("StoredMessage"),
        "stores",
    ),
    Route(
        "deleteStoredMessage",
        "DELETE",
        _MESSAGE,
        _delete,
        "Delete one stored message",
        ref("Deleted"),
        "stores",
        access="operator",
    ),
    Route(
        "replayStoredMessage",
        "POST",
        _MESSAGE + "/replay",
        _replay,
        "Move a message back into its origin store (or another), optionally with a new payload",
        ref("Replayed"),
        "stores",
        body=ref("Replay"),
        body_required=False,
        description="Attempts and last error are cleared; the message keeps its id unless `newId`. "
        "It is put into the target before it is deleted here, so a failure leaves it in both; replayed "
        "into the store that holds it, it is replaced in place. 409 when the target already holds that "
        "id or does not keep it (a dedupe-window): the message stays here; replay it with `newId`.",
        access="operator",
        errors=(409,),
    ),
    Route(
        "purgeStore",
        "POST",
        "/management/stores/{name}/purge",
        _purge,
        "Delete every message of a store",
        ref("Purged"),
        "stores",
        access="operator",
    ),
)
