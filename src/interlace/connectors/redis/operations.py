"""The ``redis`` operations: append to a stream, set and get a key, publish to a channel."""

from __future__ import annotations

from typing import Annotated

import orjson
import redis.exceptions as rex
from pydantic import Field

from interlace.connectors.redis.connection import RedisConnection, redis_failure
from interlace.sdk import InvalidInput, OperationResult, Param, encode_body

__all__ = ["get", "publish", "set_value", "xadd"]

Value = Annotated[
    object,
    Param(
        "The value: text is stored as UTF-8, bytes as they are, any other value as JSON.",
        example="${payload}",
    ),
]


async def xadd(
    conn: RedisConnection,
    stream: Annotated[str, Param("The stream's key.", example="orders")],
    fields: Annotated[
        dict[str, object],
        Param(
            "The entry's fields: text as it is, bytes as they are, other values as JSON.",
            example={"payload": "${payload}"},
        ),
    ],
    *,
    maxLength: Annotated[
        int | None,
        Param(
            "Trim the stream to about this many entries (`MAXLEN ~`); it grows without bound if not given."
        ),
        Field(gt=0),
    ] = None,
) -> str:
    """Append an entry to a stream (`XADD`), creating the stream if missing.

    Returns:
        The new entry's id, such as `1718000000000-0`.
    """
    doing = f"redis.xadd to stream {stream!r} on connection {conn.name}"
    if not fields:
        raise InvalidInput(f"{doing}: fields must name at least one field")
    encoded = {name: _encode(value, doing) for name, value in fields.items()}
    try:
        entry_id = await conn.client.xadd(stream, encoded, maxlen=maxLength, approximate=True)  # type: ignore[arg-type]
    except rex.RedisError as exc:
        raise redis_failure(exc, doing) from exc
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def set_value(
    conn: RedisConnection,
    key: Annotated[str, Param("The key.", example="patient:${payload.id}")],
    value: Value,
    *,
    expire: Annotated[
        float | None, Param("Seconds until the key expires; never if not given."), Field(gt=0)
    ] = None,
    onlyIfAbsent: Annotated[bool, Param("Set the key only if it does not exist (`NX`).")] = False,
    onlyIfPresent: Annotated[bool, Param("Set the key only if it exists (`XX`).")] = False,
) -> bool:
    """Set a key to a value (`SET`).

    Returns:
        Whether the key was set: false when `onlyIfAbsent` or `onlyIfPresent` prevented it.
    """
    doing = f"redis.set of key {key!r} on connection {conn.name}"
    if onlyIfAbsent and onlyIfPresent:
        raise InvalidInput(f"{doing}: onlyIfAbsent and onlyIfPresent exclude each other")
    encoded = _encode(value, doing)
    milliseconds = max(1, round(expire * 1000)) if expire is not None else None
    try:
        answer = await conn.client.set(key, encoded, px=milliseconds, nx=onlyIfAbsent, xx=onlyIfPresent)
    except rex.RedisError as exc:
        raise redis_failure(exc, doing) from exc
    return bool(answer)


async def get(
    conn: RedisConnection,
    key: Annotated[str, Param("The key.", example="patient:${payload.id}")],
    *,
    json: Annotated[bool, Param("Parse the value as JSON instead of returning it as text.")] = False,
) -> OperationResult:
    """Read a key's value (`GET`).

    Returns:
        The value as text (bytes if it is not UTF-8), or parsed when `json`; nothing if the key does not
        exist. The attribute `found` says whether it did.
    """
    doing = f"redis.get of key {key!r} on connection {conn.name}"
    try:
        raw = await conn.client.get(key)
    except rex.RedisError as exc:
        raise redis_failure(exc, doing) from exc
    if raw is None:
        return OperationResult(None, attributes={"found": False})
    if json:
        try:
            return OperationResult(orjson.loads(raw), attributes={"found": True})
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"{doing}: the value is not JSON ({exc})") from exc
    if isinstance(raw, str):  # a client that decodes answers; this connection's does not
        return OperationResult(raw, attributes={"found": True})
    try:
        return OperationResult(raw.decode("utf-8"), attributes={"found": True})
    except UnicodeDecodeError:
        return OperationResult(raw, attributes={"found": True})


async def publish(
    conn: RedisConnection,
    channel: Annotated[str, Param("The channel.", example="orders.new")],
    message: Value,
) -> int:
    """Publish a message to a channel (`PUBLISH`); only subscribers listening now receive it.

    Returns:
        How many subscribers received the message.
    """
    doing = f"redis.publish to channel {channel!r} on connection {conn.name}"
    try:
        return int(await conn.client.publish(channel, _encode(message, doing)))
    except rex.RedisError as exc:
        raise redis_failure(exc, doing) from exc


def _encode(value: object, doing: str) -> bytes:
    return encode_body(value, None, doing, "the value")[0]
