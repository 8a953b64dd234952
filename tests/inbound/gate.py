"""A test connector whose trigger is a queue that redelivers what is handed back, and whose operations
let a test hold flows, count them and make them fail: the peer for inbound endpoint tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from interlace.message import Payload
from interlace.sdk import Connection, ConnectionConfig, Connector, FatalError, Param, TriggerEvent
from tests.support import WAIT, deadline

__all__ = ["GateConnection", "connector"]


class GateConfig(ConnectionConfig):
    """Nothing to configure: the queue lives in the connection object."""


class GateConnection(Connection[GateConfig]):
    """An in-process queue with redelivery, and the gate flows pass."""

    def __init__(self, config: GateConfig, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self.queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self.settled: list[str] = []
        self.pulled = 0
        self.inside = 0
        self.most_inside = 0
        self.passed: list[str] = []
        self.attempts: dict[str, int] = {}
        self.open_gate = asyncio.Event()
        self.open_gate.set()
        self.changed = asyncio.Event()

    async def open(self) -> None:
        pass

    async def ping(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def send(self, *items: tuple[str, object]) -> None:
        for item in items:
            self.queue.put_nowait(item)

    def note(self, text: str) -> None:
        self.settled.append(text)
        self.changed.set()

    async def until(self, condition: object, within: float = WAIT) -> None:
        """Wait until ``condition()`` holds (re-checked whenever something changes), ``within`` seconds at
        most (scaled)."""
        assert callable(condition)
        async with deadline(within):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


connector = Connector("gate", version="1.0.0", connection=GateConnection, description="A test peer.")


@connector.trigger
async def messages(
    conn: GateConnection, *, tag: Annotated[str, Param("Added to each message's headers.")] = ""
) -> AsyncIterator[TriggerEvent]:
    """Each message sent to the connection; handed back ones come again."""
    try:
        while True:
            key, value = await conn.queue.get()
            conn.pulled += 1
            conn.changed.set()
            yield TriggerEvent(
                Payload.of_json(value),
                headers={"X-Key": key, "X-Tag": tag},
                attributes={"key": key},
                delivery=_Delivery(conn, key, value),
            )
    finally:
        conn.note("stopped")


class _Delivery:
    def __init__(self, conn: GateConnection, key: str, value: object) -> None:
        self.conn, self.key, self.value = conn, key, value

    async def ack(self) -> None:
        self.conn.note(f"ack {self.key}")

    async def nack(self, *, requeue: bool) -> None:
        self.conn.note(f"nack {self.key} requeue={requeue}")
        if requeue:
            self.conn.queue.put_nowait((self.key, self.value))


@connector.operation(name="pass")
async def pass_(
    conn: GateConnection,
    key: Annotated[str, Param("What passes.")],
    failures: Annotated[int, Param("How many first attempts of this key fail.")] = 0,
) -> int:
    """Wait at the gate (while it is closed), record ``key`` and return how many passed; the first
    ``failures`` attempts of a key fail."""
    conn.inside += 1
    conn.most_inside = max(conn.most_inside, conn.inside)
    conn.changed.set()
    try:
        await conn.open_gate.wait()
        attempt = conn.attempts[key] = conn.attempts.get(key, 0) + 1
        if attempt <= failures:
            raise FatalError(f"{key} fails on attempt {attempt}")
        conn.passed.append(key)
        return len(conn.passed)
    finally:
        conn.inside -= 1
        conn.changed.set()
