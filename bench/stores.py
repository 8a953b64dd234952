"""Messages per second through each message store kind on this machine.

For every kind: ``put`` alone, one producer awaiting each put and ``--producers`` concurrent producers
(as concurrent requests through the store mediator would); and ``put+fetch+ack``, a producer and a
consumer running together, the consumer claiming up to ``--batch`` messages and acknowledging each. Each
row names the durability setting it was measured with. Payloads are ``--size`` bytes of JSON.

Run: ``python bench/stores.py`` (``--help`` for counts and kinds). The servers are the local ones the
tests use (PostgreSQL, Redis, RabbitMQ on 127.0.0.1); a kind whose server is down is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from interlace.model.store import StoreDefinition
from interlace.stores import MessageStore, StoredMessage, build_store

POSTGRES = "postgresql://root@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"

Case = tuple[str, str, dict[str, Any], int | None]  # label, kind, options, server port


def _cases(root: Path, unique: str) -> list[Case]:
    return [
        ("memory", "memory", {}, None),
        ("sqlite full", "sqlite", {"path": str(root / "full.sqlite"), "synchronous": "full"}, None),
        ("sqlite normal", "sqlite", {"path": str(root / "normal.sqlite"), "synchronous": "normal"}, None),
        ("postgres", "postgres", {"dsn": POSTGRES, "table": f"bench_{unique}"}, 5432),
        ("redis", "redis", {"url": REDIS, "stream": f"bench:{unique}"}, 6379),
        ("rabbitmq", "rabbitmq", {"url": RABBITMQ, "queue": f"bench.{unique}"}, 5672),
    ]


_DURABILITY = {
    "memory": "none (process memory)",
    "sqlite full": "fsync per commit (power loss)",
    "sqlite normal": "WAL, no fsync per commit (process crash)",
    "postgres": "commit, server synchronous_commit",
    "redis": "server ack; disk per server appendfsync",
    "rabbitmq": "publisher confirm, persistent",
}


def _message(number: int, payload: bytes) -> StoredMessage:
    return StoredMessage(
        id=uuid.uuid4().hex, payload=payload, content_type="application/json", created=float(number)
    )


async def _rate(count: int, run: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await run()
    return count / (time.perf_counter() - started)


async def _put_rate(store: MessageStore, count: int, producers: int, payload: bytes) -> float:
    numbers = iter(range(count))

    async def produce() -> None:
        for number in numbers:
            await store.put(_message(number, payload))

    return await _rate(count, lambda: asyncio.gather(*(produce() for _ in range(producers))))


async def _flow_rate(store: MessageStore, count: int, producers: int, batch: int, payload: bytes) -> float:
    async def consume() -> None:
        done = 0
        while done < count:
            claimed = await store.fetch(batch)
            if not claimed:
                await asyncio.sleep(0.001)
            for stored in claimed:
                await store.ack(stored.id)
            done += len(claimed)

    async def both() -> None:
        await asyncio.gather(_put_rate(store, count, producers, payload), consume())

    return await _rate(count, both)


def _reachable(port: int | None) -> bool:
    if port is None:
        return True
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def main(arguments: argparse.Namespace) -> None:
    payload = (
        b'{"patient": "John Doe", "amount": 12.5, "note": "' + b"x" * max(arguments.size - 50, 0) + b'"}'
    )
    rows: list[tuple[str, str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for label, kind, options, port in _cases(Path(folder), uuid.uuid4().hex[:8]):
            if arguments.kinds and kind not in arguments.kinds:
                continue
            if not _reachable(port):
                print(f"skipped {label}: no server on port {port}")
                continue
            definition = StoreDefinition.model_validate({"store": f"Bench{kind}", kind: options})
            store = build_store(definition, project_root=Path(folder))
            await store.open()
            try:
                await store.purge()
                count = arguments.count
                single = await _put_rate(store, count, 1, payload)
                await store.purge()
                concurrent = await _put_rate(store, count, arguments.producers, payload)
                await store.purge()
                flow = await _flow_rate(store, count, arguments.producers, arguments.batch, payload)
                await store.purge()
            finally:
                await store.aclose()
                await _drop(kind, options)
            rows.append((label, _DURABILITY[label], single, concurrent, flow))
            print(f"measured {label}", flush=True)
    print()
    print(
        f"{'store':<14} {'durability':<42} {'put/s 1':>9} {f'put/s {arguments.producers}':>9} "
        f"{'put+fetch+ack/s':>16}"
    )
    for label, durability, single, concurrent, flow in rows:
        print(f"{label:<14} {durability:<42} {single:>9.0f} {concurrent:>9.0f} {flow:>16.0f}")
    print(
        f"\n{arguments.count} messages of {len(payload)} bytes per figure; put+fetch+ack: "
        f"{arguments.producers} producers, one consumer fetching up to {arguments.batch} at a time"
    )


async def _drop(kind: str, options: dict[str, Any]) -> None:
    # Leave nothing behind on the shared servers.
    if kind == "postgres":
        import asyncpg

        conn = await asyncpg.connect(POSTGRES)
        await conn.execute(f'DROP TABLE IF EXISTS "{options["table"]}", "{options["table"]}_seen"')
        await conn.close()
    elif kind == "redis":
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(REDIS)
        keys = [key async for key in client.scan_iter(match=f"{options['stream']}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    elif kind == "rabbitmq":
        import aio_pika

        connection = await aio_pika.connect(RABBITMQ)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(options["queue"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000, help="messages per figure (default 2000)")
    parser.add_argument("--producers", type=int, default=32, help="concurrent producers (default 32)")
    parser.add_argument("--batch", type=int, default=10, help="messages per fetch (default 10)")
    parser.add_argument("--size", type=int, default=200, help="payload bytes (default 200)")
    parser.add_argument("--kinds", nargs="*", help="only these kinds (memory sqlite postgres redis rabbitmq)")
    asyncio.run(main(parser.parse_args()))
