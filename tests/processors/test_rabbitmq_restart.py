"""RabbitMQ out of reach for a while (the line to it cut, as by a restart or a network failure) while
messages are stored and forwarded: the store and the processor reconnect and carry on, and every message
reaches the receiver (at least once). The line is cut at a proxy, so that other tests using the
machine's RabbitMQ meanwhile are not disturbed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aio_pika
import pytest

from interlace.errors import InterlaceError
from interlace.message import MessageContext, Payload
from interlace.runtime import Runtime
from tests.addresses import RABBITMQ
from tests.support import Outage, deadline, eventually, unique, write_project

from .receiver import Receiver

pytestmark = pytest.mark.needs("rabbitmq")


def project(root: Path, url: str, queue: str, receiver: Receiver) -> Path:
    files = {
        "interlace.toml": '[project]\nname = "restart"\n',
        "stores/queue.yaml": f"store: Queue\nrabbitmq: {{url: '{url}', queue: {queue}, timeout: 2s}}\n",
        "sequences/keep.yaml": "sequence: Keep\nflow:\n  - store: Queue\n",
        "endpoints/receiver.yaml": f"endpoint: Receiver\nhttp: {{url: '{receiver.url}', method: POST, timeout: 5s}}\n",
        "processors/forward.yaml": (
            "processor: Forward\nforwarding:\n  store: Queue\n  endpoint: Receiver\n  interval: 100ms\n"
            "  backoff: 100ms\n  max-backoff: 500ms\n  max-attempts: 1000\n"
        ),
    }
    return write_project(root, files)


async def store(runtime: Runtime, n: int) -> None:
    await runtime.artifacts.sequences["Keep"].mediate(MessageContext(Payload.of_json({"n": n})))


async def keep(runtime: Runtime, n: int, within: float = 60) -> None:
    """Store message ``n``, trying again while RabbitMQ is still coming back."""
    async with deadline(within):
        while True:
            try:
                await store(runtime, n)
                return
            except InterlaceError:
                await asyncio.sleep(0.2)


async def test_store_and_processor_carry_on_after_rabbitmq_was_out_of_reach(
    tmp_path: Path, receiver: Receiver
) -> None:
    queue = unique("restart")
    try:
        async with Outage(RABBITMQ.host, RABBITMQ.port) as line:
            url = RABBITMQ.url.replace(f"{RABBITMQ.host}:{RABBITMQ.port}", f"127.0.0.1:{line.port}")
            async with Runtime(project(tmp_path, url, queue, receiver), env={}) as runtime:
                for n in range(10):
                    await keep(runtime, n)
                await receiver.wait_for(3, within=10)
                await line.cut()
                try:
                    with pytest.raises(InterlaceError):  # out of reach: storing fails rather than pretending
                        await store(runtime, -1)
                finally:
                    await line.restore()
                for n in range(10, 20):
                    await keep(runtime, n)
                await eventually(
                    lambda: len({item.json["n"] for item in receiver.received}) >= 20,  # type: ignore[index]
                    within=60,
                    every=0.1,
                )
    finally:
        connection = await aio_pika.connect(RABBITMQ.url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
    assert sorted({item.json["n"] for item in receiver.received}) == list(range(20))  # type: ignore[index]
