"""A tiny in-memory key-value connector, written as a connector author would, to exercise the SDK."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from pydantic import Field

from interlace.message import Payload
from interlace.sdk import (
    Connection,
    ConnectionConfig,
    Connector,
    FatalError,
    OperationResult,
    Param,
    RetryableError,
    Secret,
    TriggerEvent,
)


class KvConfig(ConnectionConfig):
    """Which store to use and how to open it."""

    namespace: str = "default"
    """Prefix of every key, so that connections can share a store."""

    max_keys: int = 100
    """How many keys the store holds at most."""

    password: Secret | None = None
    """The password the store asks for, if any."""


class KvConnection(Connection[KvConfig]):
    """A store living in this process; it knows the password ``open-sesame``."""

    def __init__(self, config: KvConfig, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self.data: dict[str, object] = {}
        self.changes: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self.opened = 0
        self.closed = 0
        self.acks: list[str] = []

    async def open(self) -> None:
        password = self.config.password
        if password is not None and password.reveal() != "open-sesame":
            raise FatalError(f"the store refused the password of connection {self.name}")
        self.opened += 1

    async def ping(self) -> None:
        if not self.opened:
            raise RetryableError(f"connection {self.name} is not open")

    async def aclose(self) -> None:
        self.closed += 1


connector = Connector(
    "kv", version="1.2.0", connection=KvConnection, description="An in-memory key-value store for tests."
)


@connector.operation
async def put(
    conn: KvConnection,
    key: Annotated[str, Param("The key to store under.", example="orders:1")],
    value: Annotated[object, Param("The value to keep: any JSON value.")],
    *,
    ttl: Annotated[int | None, Param("Seconds to keep it; forever if not given.")] = None,
) -> int:
    """Keep *value* under *key*.

    Overwrites what the key held.

    Returns:
        How many keys the store holds now.
    """
    if len(conn.data) >= conn.config.max_keys and key not in conn.data:
        raise FatalError(f"the store of connection {conn.name} is full ({conn.config.max_keys} keys)")
    conn.data[f"{conn.config.namespace}:{key}"] = value
    conn.changes.put_nowait((key, value))
    return len(conn.data)


@connector.operation(name="getValue")
async def get_value(
    conn: KvConnection, key: Annotated[str, Param("The key to read.")], *, default: str = ""
) -> OperationResult:
    """Read the value under *key*.

    Args:
        default: What to answer when the key holds nothing.

    Returns:
        The value, with the attribute ``found``.
    """
    full = f"{conn.config.namespace}:{key}"
    return OperationResult(conn.data.get(full, default), attributes={"found": full in conn.data})


@connector.operation
async def incr(
    conn: KvConnection,
    key: Annotated[str, Param("The key of the counter.")],
    by: Annotated[int, Param("How much to add."), Field(gt=0)] = 1,
    tags: Annotated[list[str], Param("Labels of the change.")] = [],  # noqa: B006 -- never mutated
) -> int:
    """Add *by* to the counter at *key* and return the new count."""
    full = f"{conn.config.namespace}:{key}"
    count = int(str(conn.data.get(full, 0))) + by
    conn.data[full] = count
    return count


@connector.operation
async def login(
    conn: KvConnection,
    user: str,
    apiToken: Annotated[str, Param("The user's token.", secret=True)],
) -> None:
    """Check a user's token.

    Args:
        user: Who logs in.
    """
    if apiToken != "t0ken":
        raise FatalError(f"user {user} was refused")


@connector.trigger
async def changes(
    conn: KvConnection, *, prefix: Annotated[str, Param("Only keys starting with this.")] = ""
) -> AsyncIterator[TriggerEvent]:
    """Each value stored, as it is stored."""
    try:
        while True:
            key, value = await conn.changes.get()
            if key.startswith(prefix):
                yield TriggerEvent(Payload.of_json(value), headers={"X-Key": key}, delivery=_Ack(conn, key))
    finally:
        conn.acks.append("stopped")


class _Ack:
    def __init__(self, conn: KvConnection, key: str) -> None:
        self._conn = conn
        self._key = key

    async def ack(self) -> None:
        self._conn.acks.append(f"ack {self._key}")

    async def nack(self, *, requeue: bool) -> None:
        self._conn.acks.append(f"nack {self._key} requeue={requeue}")
