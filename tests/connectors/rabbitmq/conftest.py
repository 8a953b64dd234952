"""The RabbitMQ of the tests (:data:`tests.addresses.RABBITMQ`): an opened connection and a fresh queue name per
test; the queues and exchanges a test declares are deleted afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aio_pika
import pytest
from tests.addresses import RABBITMQ

from interlace.connectors.rabbitmq import RabbitMqConnection

from .broker import Names, rabbit


@pytest.fixture
async def conn() -> AsyncIterator[RabbitMqConnection]:
    async with rabbit() as opened:
        yield opened


@pytest.fixture
async def admin() -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain aio-pika channel for arranging and inspecting the broker."""
    amqp = await aio_pika.connect(RABBITMQ.url)
    async with amqp:
        yield await amqp.channel()


@pytest.fixture
async def names(admin: aio_pika.abc.AbstractChannel) -> AsyncIterator[Names]:
    made = Names()
    yield made
    for queue in made.queues:
        with contextlib.suppress(Exception):
            await admin.queue_delete(queue)
    for exchange in made.exchanges:
        with contextlib.suppress(Exception):
            await admin.exchange_delete(exchange)
