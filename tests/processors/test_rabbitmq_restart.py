"""RabbitMQ restarted while messages are stored and forwarded: the store and the processor reconnect
and carry on, and every message reaches the receiver (at least once)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aio_pika
import pytest

from interlace.errors import InterlaceError
from interlace.message import MessageContext, Payload
from interlace.runtime import Runtime
from tests import services
from tests.support import deadline, eventually, write_project

from .receiver import Receiver

pytestmark = pytest.mark.needs("rabbitmq")

RABBITMQ = services.RABBITMQ.url


async def rabbitmqctl(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, error = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, error.decode()


def project(root: Path, queue: str, receiver: Receiver) -> Path:
    files = {
        "interlace.toml": '[project]\nname = "restart"\n',
        "stores/queue.yaml": f"store: Queue\nrabbitmq: {{url: '{RABBITMQ}', queue: {queue}, timeout: 2s}}\n",
        "sequences/keep.yaml": "sequence: Keep\nflow:\n  - store: Queue\n",
        "endpoints/receiver.yaml": f"endpoint: Receiver\nhttp: {{url: '{receiver.url}', method: POST, timeout: 5s}}\n",
        "processors/forward.yaml": (
            "processor: Forward\nforwarding:\n  store: Queue\n  endpoint: Receiver\n  interval: 100ms\n"
            "  backoff: 100ms\n  max-backoff: 500ms\n  max-attempts: 1000\n"
        ),
    }
    return write_project(root, files)


async def keep(runtime: Runtime, n: int, within: float = 60) -> None:
    """Store message ``n``, trying again while RabbitMQ is still coming back."""
    async with deadline(within):
        while True:
            try:
                await runtime.artifacts.sequences["Keep"].mediate(MessageContext(Payload.of_json({"n": n})))
                return
            except InterlaceError:
                await asyncio.sleep(0.2)


async def test_store_and_processor_carry_on_after_a_rabbitmq_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    try:
        async with Runtime(project(tmp_path, queue, receiver), env={}) as runtime:
            for n in range(10):
                await keep(runtime, n)
            await receiver.wait_for(3, within=10)
            await rabbitmqctl("stop_app")
            try:
                with pytest.raises(InterlaceError):  # down: storing fails rather than pretending
                    await runtime.artifacts.sequences["Keep"].mediate(
                        MessageContext(Payload.of_json({"n": -1}))
                    )
            finally:
                await rabbitmqctl("start_app")
            for n in range(10, 20):
                await keep(runtime, n)
            await eventually(
                lambda: len({item.json["n"] for item in receiver.received}) >= 20,  # type: ignore[index]
                within=60,
                every=0.1,
            )
    finally:
        connection = await aio_pika.connect_robust(RABBITMQ, timeout=30)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
    assert sorted({item.json["n"] for item in receiver.received}) == list(range(20))  # type: ignore[index]
