"""The ``db.listen`` trigger: PostgreSQL notifications, ``LISTEN channel`` on a database connection of its
own; each ``NOTIFY channel, 'payload'`` is one message.

PostgreSQL keeps no notification for a listener that is not connected, and has nothing to acknowledge:
delivery is at most once. A notification whose payload is JSON becomes a JSON message, any other a text
message. A lost connection ends the trigger with a retryable error, and the runtime listens again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
import orjson
from pydantic import Field

from interlace.connectors.db.config import engine_url
from interlace.connectors.db.connection import DbConnection
from interlace.sdk import FatalError, Param, Payload, RetryableError, TriggerEvent

__all__ = ["listen"]

_LOST = object()


def _payload(text: str) -> Payload:
    if text[:1] in ("{", "["):
        try:
            return Payload.of_json(orjson.loads(text))
        except orjson.JSONDecodeError:
            pass
    return Payload.of_text(text)


async def listen(
    conn: DbConnection,
    channel: Annotated[
        str,
        Param("The channel to `LISTEN` on (at most 63 characters).", example="price_changed"),
        Field(min_length=1, max_length=63),
    ],
) -> AsyncIterator[TriggerEvent]:
    """Notifications of a PostgreSQL channel (`LISTEN`): each `NOTIFY channel, 'payload'` is a message.

    The trigger `LISTEN`s on a database connection of its own (not one of the connection's pool); each
    notification is one message, JSON when the payload is a JSON object or array, text otherwise
    (properties `channel`, `pid`). The connection must reach PostgreSQL. PostgreSQL keeps no
    notification for a listener that is not connected and has nothing to acknowledge: delivery is **at
    most once**, and a notification whose flow failed goes to the inbound endpoint's dead-letter store.
    Use `db.poll` where every change must arrive; notify plus poll (notify to wake up, poll to read) is
    the usual combination."""
    where = f"db.listen on connection {conn.name}"
    if conn.dialect != "postgresql":
        raise FatalError(f"{where}: LISTEN needs a PostgreSQL database (the connection is {conn.dialect})")
    dsn = engine_url(conn.config).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = await asyncpg.connect(dsn, timeout=conn.config.timeout)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise RetryableError(f"{where}: cannot listen to {channel} on {conn.shown_url}: {exc}") from exc
    queue: asyncio.Queue[Any] = asyncio.Queue()

    def received(_: object, pid: int, name: str, payload: str) -> None:
        queue.put_nowait((pid, name, payload))

    def lost(_: object) -> None:
        queue.put_nowait(_LOST)

    try:
        connection.add_termination_listener(lost)
        await connection.add_listener(channel, received)
        while True:
            item = await queue.get()
            if item is _LOST:
                raise RetryableError(f"{where}: the connection listening to {channel} was lost")
            pid, name, text = item
            yield TriggerEvent(_payload(text), attributes={"channel": name, "pid": pid})
    finally:
        try:
            await asyncio.wait_for(connection.close(), timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            connection.terminate()
