"""One backend per store kind, on this machine's real servers, with unique names and cleanup."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import pytest
import redis.asyncio as aioredis

from interlace.model.store import StoreDefinition, StoreKind
from interlace.stores import MessageStore, build_store

POSTGRES_DSN = "postgresql://root@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
_PORTS = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672}
KINDS: tuple[StoreKind, ...] = ("memory", "sqlite", "postgres", "redis", "rabbitmq")


@dataclass
class Backend:
    """Where the stores of one test live; ``store()`` opens another instance on the same backend."""

    kind: StoreKind
    name: str
    options: dict[str, Any]
    root: Path
    opened: list[MessageStore] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Two instances see the same messages (every kind but memory)."""
        return self.kind != "memory"

    @property
    def lookup(self) -> bool:
        """browse, get and delete work (RabbitMQ cannot read a queue without consuming it)."""
        return self.kind != "rabbitmq"

    def definition(
        self, *, dedupe_window: float | None = None, bounds: dict[str, Any] | None = None, **options: Any
    ) -> StoreDefinition:
        """``bounds``: the store's max-messages, max-bytes, when-full, ... (keys as written in a file)."""
        document: dict[str, Any] = {
            "store": self.name,
            self.kind: {**self.options, **options},
            **(bounds or {}),
        }
        if dedupe_window is not None:
            document["dedupe-window"] = dedupe_window
        return StoreDefinition.model_validate(document)

    async def store(
        self, *, dedupe_window: float | None = None, bounds: dict[str, Any] | None = None, **options: Any
    ) -> MessageStore:
        definition = self.definition(dedupe_window=dedupe_window, bounds=bounds, **options)
        store = build_store(definition, project_root=self.root)
        await store.open()
        self.opened.append(store)
        return store


def _reachable(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _drop_postgres(table: str) -> None:
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        await conn.execute(f'DROP TABLE IF EXISTS "{table}", "{table}_seen"')
    finally:
        await conn.close()


async def _drop_redis(stream: str) -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{stream}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def _drop_rabbitmq(queue: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


async def make_backend(kind: StoreKind, root: Path) -> tuple[Backend, Callable[[], Awaitable[None]]]:
    """A fresh backend of ``kind`` and the coroutine function that removes what it left behind."""
    if kind in _PORTS and not _reachable(_PORTS[kind]):
        pytest.fail(f"no {kind} server answers on 127.0.0.1:{_PORTS[kind]}: start it (.ci/services does)")
    unique = uuid.uuid4().hex[:10]
    name = f"Test{unique}"

    async def nothing() -> None:
        return None

    if kind == "memory":
        return Backend(kind, name, {}, root), nothing
    if kind == "sqlite":
        return Backend(kind, name, {"path": "data/stores.sqlite", "lease": 1.0}, root), nothing
    if kind == "postgres":
        table = f"t_{unique}"
        backend = Backend(kind, name, {"dsn": POSTGRES_DSN, "table": table, "lease": 1.0, "timeout": 5}, root)
        return backend, lambda: _drop_postgres(table)
    if kind == "redis":
        stream = f"test:{unique}"
        backend = Backend(kind, name, {"url": REDIS_URL, "stream": stream, "lease": 1.0, "timeout": 5}, root)
        return backend, lambda: _drop_redis(stream)
    queue = f"test.{unique}"
    backend = Backend(kind, name, {"url": RABBITMQ_URL, "queue": queue, "timeout": 5}, root)
    return backend, lambda: _drop_rabbitmq(queue)


@pytest.fixture(params=KINDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    made, cleanup = await make_backend(request.param, tmp_path)
    try:
        yield made
    finally:
        for store in made.opened:
            await store.aclose()
        await cleanup()
