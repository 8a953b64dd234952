"""The RabbitMQ store: a durable classic queue, shared by every node.

``put`` publishes a persistent message and returns when the broker confirms it (publisher confirms), so
the broker has written it to disk; an unroutable or refused message is a StoreError. ``fetch`` takes
messages with ``basic.get`` and manual acknowledgement: a claimed message is unacknowledged on this
store's channel, no other consumer receives it, and if this node dies (or its connection drops) the
broker puts it back. ``release`` is ``basic.nack`` with requeue, which a classic queue puts back at its
place (a quorum queue would put it at the end, so the store declares a classic queue).

What RabbitMQ cannot do, and how this store answers:

- A queued message cannot change: the attempts and last error given to ``release`` are remembered by
  this store and applied when it fetches the message again. Another node, or this one after a restart,
  sees the message as it was put.
- A queue cannot be read without taking its messages: ``browse``, ``get`` and ``delete`` raise
  StoreError. ``size`` counts the ready messages plus those this store holds (claims of other nodes are
  not counted). ``purge`` drops the ready messages and those this store holds.
- A de-duplication window is refused when the store is defined (the broker cannot look up an id).
- The bound is in messages only (the broker does not tell a queue's bytes), checked against the ready
  messages as the broker counted them at most a second before plus this store's claims and its puts and
  acks since (:class:`~interlace.stores.bounds.UsageGauge`); the claims of other nodes are not counted.

A connection that drops is opened again on the next call; claims made on the lost connection are gone
(the broker has requeued their messages, which will be delivered again).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import replace
from typing import Final

import aio_pika
import aio_pika.abc
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError

from interlace.stores._common import closed_error, encode_for, safe_url, store_error
from interlace.stores.bounds import Room, StoreBounds, StoreUsage, UsageGauge, put_within_bounds
from interlace.stores.message import StoredMessage, StoreError, decode_message

__all__ = ["RabbitMqStore"]

_FAILURES: tuple[type[BaseException], ...] = (AMQPError, ChannelInvalidStateError, OSError, TimeoutError)
_REMEMBERED_RELEASES = 10_000  # released forms kept for messages another node may have taken


class RabbitMqStore:
    """A message store in a RabbitMQ queue (see the module docstring for what it can and cannot do)."""

    kind: Final = "rabbitmq"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        queue: str | None = None,
        timeout: float = 10.0,
        bounds: StoreBounds | None = None,
    ) -> None:
        self._name = name
        # The broker cannot count bytes: only the message bound applies.
        self._bounds = replace(bounds or StoreBounds(), max_bytes=None)
        self._room = Room()
        self._gauge = UsageGauge(self.usage)
        self._url = url
        self._queue_name = queue or name
        self._timeout = timeout
        self._where = f"rabbitmq {safe_url(url)} queue {self._queue_name}"
        self._open = False
        self._connection: aio_pika.abc.AbstractConnection | None = None
        self._publisher: aio_pika.abc.AbstractChannel | None = None
        self._consumer: aio_pika.abc.AbstractChannel | None = None
        self._queue: aio_pika.abc.AbstractQueue | None = None
        self._claims: dict[str, aio_pika.abc.AbstractIncomingMessage] = {}
        self._released: OrderedDict[str, StoredMessage] = OrderedDict()
        self._connecting = asyncio.Lock()
        self._getting = asyncio.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    async def open(self) -> None:
        if self._open:
            return
        await self._connect()
        self._open = True

    async def aclose(self) -> None:
        if not self._open:
            return
        self._open = False
        await self._disconnect()

    async def put(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        outgoing = aio_pika.Message(
            body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.id,
            content_type="application/json",
        )

        async def try_put() -> StoreUsage | None:
            full = await self._gauge.reserve(self._bounds, len(body))
            if full is not None:
                return full
            try:
                publisher, _, _ = await self._channels()
                await publisher.default_exchange.publish(
                    outgoing, routing_key=self._queue_name, mandatory=True, timeout=self._timeout
                )
            except _FAILURES as exc:
                self._gauge.unreserve(len(body))
                raise self._failed("store a message", exc) from exc
            return None

        await put_within_bounds(self._name, self._bounds, self._room, try_put)

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        claimed: list[StoredMessage] = []
        try:
            async with self._getting:
                _, _, queue = await self._channels()
                while len(claimed) < limit:
                    incoming = await queue.get(no_ack=False, fail=False, timeout=self._timeout)
                    if incoming is None:
                        break
                    message = self._current_form(incoming)
                    self._claims[message.id] = incoming
                    claimed.append(message)
        except _FAILURES as exc:
            raise self._failed("claim messages", exc) from exc
        return claimed

    def _current_form(self, incoming: aio_pika.abc.AbstractIncomingMessage) -> StoredMessage:
        try:
            message = decode_message(incoming.body)
        except StoreError:
            # Not ours to drop: a foreign message is claimed under its broker id so it can be removed.
            message = StoredMessage(
                id=incoming.message_id or f"delivery-{incoming.delivery_tag}",
                payload=incoming.body,
                content_type=incoming.content_type or "application/octet-stream",
                last_error="not a message of an Interlace store",
            )
        return self._released.pop(message.id, message)

    async def ack(self, message_id: str) -> None:
        incoming = self._claims.pop(message_id, None)
        self._released.pop(message_id, None)
        if incoming is None:
            return
        try:
            await incoming.ack()
        except _FAILURES as exc:
            raise self._failed("acknowledge a message (it will be delivered again)", exc) from exc
        self._gauge.removed()
        self._room.freed()

    async def release(self, message: StoredMessage) -> None:
        incoming = self._claims.pop(message.id, None)
        if incoming is None:
            return
        self._released[message.id] = message
        while len(self._released) > _REMEMBERED_RELEASES:
            self._released.popitem(last=False)
        try:
            await incoming.nack(requeue=True)
        except _FAILURES as exc:
            raise self._failed("release a message", exc) from exc

    async def size(self) -> int:
        return (await self.usage()).messages

    async def usage(self) -> StoreUsage:
        return StoreUsage(await self._count(), None)

    async def _count(self) -> int:
        try:
            connection = await self._live_connection()
            async with connection.channel(publisher_confirms=False) as channel:
                queue = await channel.declare_queue(self._queue_name, passive=True, timeout=self._timeout)
                ready = queue.declaration_result.message_count or 0
        except _FAILURES as exc:
            raise self._failed("count messages", exc) from exc
        return ready + len(self._claims)

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        raise self._unsupported("browse its messages")

    async def get(self, message_id: str) -> StoredMessage | None:
        raise self._unsupported("read a message by id")

    async def delete(self, message_id: str) -> bool:
        raise self._unsupported("delete a message by id")

    async def purge(self) -> int:
        try:
            _, _, queue = await self._channels()
            result = await queue.purge(timeout=self._timeout)
            held = list(self._claims)
            for message_id in held:
                await self._claims.pop(message_id).ack()
        except _FAILURES as exc:
            raise self._failed("purge", exc) from exc
        self._released.clear()
        self._gauge.forget()
        self._room.freed(self._room.waiting)
        return int(result.message_count or 0) + len(held)

    def _unsupported(self, what: str) -> StoreError:
        if not self._open:
            return closed_error(self._name)
        return StoreError(
            f"message store {self._name} ({self._where}) cannot {what}: RabbitMQ gives a queued message "
            "only to a consumer that takes it; use a sqlite, postgres or redis store to inspect messages"
        )

    def _failed(self, action: str, exc: BaseException) -> StoreError:
        if not self._open:
            return closed_error(self._name)
        return store_error(self._name, self._where, action, exc)

    # -- the connection, opened again when it dropped ----------------------------------------------------

    async def _channels(
        self,
    ) -> tuple[aio_pika.abc.AbstractChannel, aio_pika.abc.AbstractChannel, aio_pika.abc.AbstractQueue]:
        if not self._open:
            raise closed_error(self._name)
        if not self._usable():
            async with self._connecting:
                if not self._usable():
                    await self._disconnect()
                    await self._connect()
        assert self._publisher is not None and self._consumer is not None and self._queue is not None
        return self._publisher, self._consumer, self._queue

    async def _live_connection(self) -> aio_pika.abc.AbstractConnection:
        await self._channels()
        assert self._connection is not None
        return self._connection

    def _usable(self) -> bool:
        return not (
            self._connection is None
            or self._connection.is_closed
            or self._publisher is None
            or self._publisher.is_closed
            or self._consumer is None
            or self._consumer.is_closed
        )

    async def _connect(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                self._connection = await aio_pika.connect(self._url, timeout=self._timeout)
                self._publisher = await self._connection.channel(
                    publisher_confirms=True, on_return_raises=True
                )
                self._consumer = await self._connection.channel(publisher_confirms=False)
                self._queue = await self._consumer.declare_queue(self._queue_name, durable=True)
        except _FAILURES as exc:
            await self._disconnect()
            raise store_error(self._name, self._where, "connect", exc) from exc

    async def _disconnect(self) -> None:
        # Claims die with the channel: the broker requeues their messages in their places.
        connection, self._connection = self._connection, None
        self._publisher = self._consumer = self._queue = None
        self._claims.clear()
        if connection is not None and not connection.is_closed:
            try:
                async with asyncio.timeout(self._timeout):
                    await connection.close()
            except _FAILURES:
                pass
