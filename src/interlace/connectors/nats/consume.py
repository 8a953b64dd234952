"""The ``nats.consume`` trigger: a JetStream durable pull consumer, acknowledged after the flow.

The trigger fetches only as many messages as it has room for (``maxAckPending`` less those in flight),
so a slow flow leaves messages on the server; the consumer's own ``max_ack_pending`` bounds them across
every node that shares the durable consumer. Messages not acknowledged within ``ackWait`` (a stopped
or crashed node's) are delivered again by JetStream.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import Field

from interlace.connectors.nats.connection import CLIENT_ERRORS, NatsConnection, nats_failure
from interlace.sdk import DEAD_LETTER_REASON, InFlight, Param, Payload, RetryableError, TriggerEvent

__all__ = ["consume"]

_POLICIES = {"all": DeliverPolicy.ALL, "new": DeliverPolicy.NEW, "last": DeliverPolicy.LAST}


async def consume(
    conn: NatsConnection,
    stream: Annotated[str, Param("The JetStream stream; it must exist.", example="ORDERS")],
    durable: Annotated[
        str, Param("The durable consumer's name: it keeps its place in the stream across restarts.")
    ],
    *,
    subject: Annotated[
        str | None,
        Param(
            "Only messages whose subject matches (wildcards allowed); all if not given.", example="orders.>"
        ),
    ] = None,
    ackWait: Annotated[
        float,
        Param("Seconds JetStream waits for an acknowledgement before delivering a message again."),
        Field(gt=0),
    ] = 30.0,
    maxAckPending: Annotated[
        int,
        Param("Messages delivered and not yet acknowledged, at most: the consumer's backpressure."),
        Field(gt=0),
    ] = 100,
    nakDelay: Annotated[
        float,
        Param("Seconds before a failed message is delivered again (`nak` with a delay); 0 for at once."),
        Field(ge=0),
    ] = 5.0,
    maxDeliver: Annotated[
        int | None,
        Param("Deliveries of one message at most before JetStream gives up; no limit if not given."),
        Field(gt=0),
    ] = None,
    deliverPolicy: Annotated[
        Literal["all", "new", "last"],
        Param("Where a new consumer starts: `all` the stream's messages, `new` ones only, or the `last`."),
    ] = "all",
    deadLetterSubject: Annotated[
        str | None,
        Param(
            "A subject that takes a copy of each message whose attempts ran out (published with"
            " JetStream, so a stream must capture it), with the headers `Nats-Source-Stream`,"
            " `Nats-Source-Sequence`, `Nats-Source-Subject` and `x-interlace-dead-letter-reason` added;"
            " the original is then terminated. If not given, the inbound endpoint's dead-letter store"
            " takes them.",
            example="orders.dead",
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The payload's content type for messages without a `Content-Type` header;"
            " `application/octet-stream` if not given."
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each message of a JetStream stream, through a durable pull consumer.

    The consumer is created if missing, or updated to these settings. The payload is the message's data
    with its `Content-Type` header; headers are the message's headers; attributes are `subject`,
    `stream`, `consumer`, `streamSequence`, `consumerSequence`, `deliveries`, `redelivered`, `pending`
    and `timestamp` (ISO 8601). A message is acknowledged after its flow has finished; a failed one is
    delivered again after `nakDelay` (the inbound endpoint's backoff comes first), and after its last
    attempt (JetStream's delivery count) copied to `deadLetterSubject` and terminated (`term`).
    """
    doing = f"consuming stream {stream!r} as durable {durable!r} on connection {conn.name}"
    settings = ConsumerConfig(
        name=durable,
        durable_name=durable,
        filter_subject=subject,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ackWait,
        max_ack_pending=maxAckPending,
        max_deliver=maxDeliver,
        deliver_policy=_POLICIES[deliverPolicy],
    )
    js = conn.jetstream
    try:
        await js.add_consumer(stream, settings)
        subscription = await js.pull_subscribe_bind(durable=durable, stream=stream)
    except CLIENT_ERRORS as exc:
        raise nats_failure(exc, doing) from exc
    flight = InFlight(maxAckPending)
    try:
        while True:
            await flight.wait_for_room()
            try:
                # Long-polls the server; returns as soon as messages arrive, or when the poll expires.
                messages = await subscription.fetch(batch=flight.room, timeout=max(ackWait / 2, 1.0))
            except TimeoutError:
                # The poll expired: the client raises its own TimeoutError, or asyncio's when the poll's
                # time ran out before its next request (a busy loop); either way, poll again.
                continue
            except CLIENT_ERRORS as exc:
                raise nats_failure(exc, doing) from exc
            for message in messages:
                flight.add()
                yield _event(
                    message,
                    contentType,
                    _JetStreamDelivery(conn, message, flight, nakDelay, deadLetterSubject, doing),
                )
    finally:
        # The durable consumer stays; what this subscription had not acknowledged comes again after ackWait.
        with contextlib.suppress(*CLIENT_ERRORS):
            await subscription.unsubscribe()


class _JetStreamDelivery:
    """Settles one message: ``ack``; ``nak`` with the delay, or ``term`` after the dead-letter copy."""

    __slots__ = ("_conn", "_dead_letters", "_delay", "_doing", "_flight", "_message")

    def __init__(
        self,
        conn: NatsConnection,
        message: Msg,
        flight: InFlight,
        delay: float,
        dead_letters: str | None,
        doing: str,
    ) -> None:
        self._conn = conn
        self._message = message
        self._flight = flight
        self._delay = delay
        self._dead_letters = dead_letters
        self._doing = doing

    async def ack(self) -> None:
        # Confirmed by the server: once this returns, the message will not come again.
        await self._settle("acknowledging", self._message.ack_sync(timeout=self._conn.config.timeout))

    async def nack(self, *, requeue: bool) -> None:
        if requeue:
            await self._settle("rejecting", self._message.nak(delay=self._delay or None))
            return
        if self._dead_letters is not None:
            await self._copy(self._dead_letters, None)
        await self._settle("terminating", self._message.term())

    async def dead_letter(self, reason: str) -> bool:
        if self._dead_letters is None:
            return False
        await self._copy(self._dead_letters, reason)
        await self._settle("terminating", self._message.term())
        return True

    async def _copy(self, subject: str, reason: str | None) -> None:
        try:
            await self._dead_letter(subject, reason)
        except BaseException:
            self._flight.settle()  # JetStream delivers it again after ackWait
            raise

    async def _dead_letter(self, subject: str, reason: str | None) -> None:
        sequence = self._message.metadata.sequence
        headers = {
            **(self._message.headers or {}),
            "Nats-Source-Stream": self._message.metadata.stream,
            "Nats-Source-Sequence": str(sequence.stream),
            "Nats-Source-Subject": self._message.subject,
        }
        if reason is not None:
            headers[DEAD_LETTER_REASON] = reason
        try:
            await self._conn.jetstream.publish(subject, self._message.data, headers=headers)
        except CLIENT_ERRORS as exc:
            raise nats_failure(
                exc, f"{self._doing}, copying message {sequence.stream} to {subject!r}"
            ) from exc

    async def _settle(self, doing: str, settling: Any) -> None:
        try:
            await settling
        except CLIENT_ERRORS as exc:
            raise RetryableError(
                f"{self._doing}: {doing} message {self._message.metadata.sequence.stream} failed ({exc});"
                " JetStream will deliver it again"
            ) from exc
        finally:
            self._flight.settle()


def _event(message: Msg, content_type: str | None, delivery: _JetStreamDelivery) -> TriggerEvent:
    headers = dict(message.headers or {})
    metadata = message.metadata
    attributes: dict[str, Any] = {
        "subject": message.subject,
        "stream": metadata.stream,
        "consumer": metadata.consumer,
        "streamSequence": metadata.sequence.stream,
        "consumerSequence": metadata.sequence.consumer,
        "deliveries": metadata.num_delivered,
        "redelivered": (metadata.num_delivered or 1) > 1,
        "pending": metadata.num_pending,
        "timestamp": metadata.timestamp.isoformat() if metadata.timestamp else None,
    }
    media = headers.get("Content-Type") or content_type or "application/octet-stream"
    return TriggerEvent(
        Payload(message.data, media),
        headers=headers,
        attributes=attributes,
        delivery=delivery,
        attempt=metadata.num_delivered,
        lag=metadata.num_pending,
    )
