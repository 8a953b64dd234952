"""PostgreSQL notifications as an inbound endpoint's source: ``LISTEN channel`` on a connection of its
own; each ``NOTIFY channel, 'payload'`` is one message.

PostgreSQL keeps no notification for a listener that is not connected, and has nothing to acknowledge:
delivery is at most once. A notification whose payload is JSON becomes a JSON message, any other a text
message. A lost connection ends the source with a retryable error, and the endpoint listens again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
import orjson

from interlace.message import Payload
from interlace.sdk import RetryableError, TriggerEvent

__all__ = ["PostgresNotifySource"]

_LOST = object()


def _payload(text: str) -> Payload:
    if text[:1] in ("{", "["):
        try:
            return Payload.of_json(orjson.loads(text))
        except orjson.JSONDecodeError:
            pass
    return Payload.of_text(text)


class PostgresNotifySource:
    """The notifications of ``channel`` in the database at ``dsn``; an
    :class:`~interlace.inbound.base.EventSource`."""

    kind = "postgres-notify"

    def __init__(self, dsn: str, channel: str, *, shown: str = "") -> None:
        self.dsn = dsn
        self.channel = channel
        self.shown = shown or "PostgreSQL"

    def describe(self) -> str:
        return f"notifications of channel {self.channel} on {self.shown}"

    async def events(self) -> AsyncGenerator[TriggerEvent, None]:
        try:
            connection = await asyncpg.connect(self.dsn)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            raise RetryableError(f"cannot listen to {self.channel} on {self.shown}: {exc}") from exc
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def received(_: object, pid: int, channel: str, payload: str) -> None:
            queue.put_nowait((pid, channel, payload))

        def lost(_: object) -> None:
            queue.put_nowait(_LOST)

        try:
            connection.add_termination_listener(lost)
            await connection.add_listener(self.channel, received)
            while True:
                item = await queue.get()
                if item is _LOST:
                    raise RetryableError(
                        f"the connection listening to {self.channel} on {self.shown} was lost"
                    )
                pid, channel, text = item
                yield TriggerEvent(_payload(text), attributes={"channel": channel, "pid": pid})
        finally:
            try:
                await asyncio.wait_for(connection.close(), timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                connection.terminate()
