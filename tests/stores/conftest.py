"""One backend per store kind, on this machine's real servers, with unique names and cleanup."""

from __future__ import annotations

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
from tests.addresses import POSTGRES, RABBITMQ, REDIS

KINDS: tuple[StoreKind, ...] = ("memory", "sqlite", "postgres", "redis", "rabbitmq")
_SERVED = ("postgres", "redis", "rabbitmq")  # kinds kept by a server, named as its service


def kinds(*names: StoreKind) -> list[Any]:
    """Store kinds as test parameters, each kept by a server marked as needing it."""
    return [pytest.param(name, marks=pytest.mark.needs(name)) if name in _SERVED else name for name in names]


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


async def _drop_postgres(table: str) -> None:
    conn = await asyncpg.connect(POSTGRES.url)
    try:
        await conn.execute(f'DROP TABLE IF EXISTS "{table}", "{table}_seen"')
    finally:
        await conn.close()


async def _drop_redis(stream: str) -> None:
    client = aioredis.Redis.from_url(REDIS.url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{stream}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def _drop_rabbitmq(queue: str) -> None:
    connection = await aio_pika.connect(RABBITMQ.url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


async def make_backend(kind: StoreKind, root: Path) -> tuple[Backend, Callable[[], Awaitable[None]]]:
    """A fresh backend of ``kind`` and the coroutine function that removes what it left behind."""
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
        backend = Backend(kind, name, {"dsn": POSTGRES.url, "table": table, "lease": 1.0, "timeout": 5}, root)
        return backend, lambda: _drop_postgres(table)
    if kind == "redis":
        stream = f"test:{unique}"
        backend = Backend(kind, name, {"url": REDIS.url, "stream": stream, "lease": 1.0, "timeout": 5}, root)
        return backend, lambda: _drop_redis(stream)
    queue = f"test.{unique}"
    backend = Backend(kind, name, {"url": RABBITMQ.url, "queue": queue, "timeout": 5}, root)
    return backend, lambda: _drop_rabbitmq(queue)


@pytest.fixture(params=kinds(*KINDS))
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    made, cleanup = await make_backend(request.param, tmp_path)
    try:
        yield made
    finally:
        for store in made.opened:
            await store.aclose()
        await cleanup()
