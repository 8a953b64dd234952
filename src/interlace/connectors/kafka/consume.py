"""The ``kafka.consume`` trigger: records of topics through a consumer group, committed after their flow.

Offsets are committed per partition, only past records whose flows have all finished (see
:mod:`~interlace.connectors.kafka.offsets`). A nack with requeue sends the consumer back to the record,
so Kafka delivers it again (the runtime counts the attempts per topic, partition and offset); after its
last attempt the record goes to the dead-letter topic, if one is given, and counts as done. At most
``maxInFlight`` records are with flows: while that many are unsettled the consumer's partitions are
paused (it keeps polling, so the group does not think it dead).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aiokafka import (  # type: ignore[import-untyped]
    AIOKafkaConsumer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from pydantic import Field

from interlace.connectors.kafka.connection import KAFKA_ERRORS, KafkaConnection, kafka_failure
from interlace.connectors.kafka.offsets import PartitionLedger
from interlace.sdk import (
    DEAD_LETTER_REASON,
    InFlight,
    InvalidInput,
    Param,
    Payload,
    RetryableError,
    TriggerEvent,
)

__all__ = ["consume"]

_KEEP_ALIVE = 1.0  # seconds between polls while full: the group drops a member that stops polling
_POLL = 1000  # milliseconds one poll waits for records


async def consume(
    conn: KafkaConnection,
    topics: Annotated[
        str | list[str],
        Param("The topic, or topics (a list, or names separated by commas).", example="orders"),
    ],
    group: Annotated[str, Param("The consumer group; consumers of one group share the partitions.")],
    *,
    autoOffsetReset: Annotated[
        Literal["earliest", "latest"],
        Param(
            "Where a group without a committed offset starts: `earliest`, the oldest record kept;"
            " `latest`, records produced from now on."
        ),
    ] = "earliest",
    maxInFlight: Annotated[
        int, Param("Records in flight at most: read, not yet settled."), Field(gt=0, le=100_000)
    ] = 100,
    sessionTimeout: Annotated[
        float,
        Param(
            "Seconds the group waits for a consumer that stopped sending heartbeats before it hands the"
            " consumer's partitions to others (and its uncommitted records with them)."
        ),
        Field(ge=1, le=3600),
    ] = 10.0,
    deadLetterTopic: Annotated[
        str | None,
        Param(
            "A topic that takes records whose attempts ran out, with their key, value and headers and the"
            " headers `x-source-topic`, `x-source-partition`, `x-source-offset`, `x-group` and"
            " `x-interlace-dead-letter-reason` added; if not given, the inbound endpoint's dead-letter"
            " store takes them.",
            example="orders.dead",
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The payload's content type for records without a `content-type` header;"
            " `application/octet-stream` if not given."
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each record of the topics, through a consumer group.

    The payload is the record's value, with the content type of its `content-type` header; headers are
    the record's headers (as text); attributes are `topic`, `partition`, `offset`, `key` (as text),
    `timestamp` (ISO 8601) and `group`. A record's offset is committed when its flow has finished and the
    flows of all earlier records of its partition have too, so records not committed when the trigger
    stops or the connection is lost are delivered again (as are those in flight when the group hands
    their partition to another consumer). A failed record is read again from the broker, and after its
    last attempt sent to `deadLetterTopic` and committed.
    """
    names = _topic_names(topics)
    doing = f"consuming topics {', '.join(names)} in group {group!r} on connection {conn.name} ({conn.where})"
    if deadLetterTopic is not None and deadLetterTopic in names:
        raise InvalidInput(f"{doing}: deadLetterTopic must not be a consumed topic (got {deadLetterTopic!r})")
    consumer = AIOKafkaConsumer(
        **conn.client_settings(),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset=autoOffsetReset,
        max_poll_records=maxInFlight,
        session_timeout_ms=int(sessionTimeout * 1000),
        heartbeat_interval_ms=max(100, int(sessionTimeout * 1000 / 3)),
    )
    partitions = _Partitions()
    positions: dict[TopicPartition, int] = {}
    """The next offset to take, per partition a record was taken from: the lag is counted from there."""
    consumer.subscribe(names, listener=partitions)
    flight = InFlight(maxInFlight)
    source = _Source(conn, consumer, group, deadLetterTopic, doing)
    try:
        try:
            await consumer.start()
        except KAFKA_ERRORS as exc:
            raise kafka_failure(exc, doing) from exc
        while True:
            if flight.room <= 0:
                await _wait_for_room(consumer, flight, doing)
            batches = await _poll(consumer, doing, timeout_ms=_POLL, max_records=flight.room)
            for tp, records in batches.items():
                for record in records:
                    ledger = partitions.ledger(tp)
                    if ledger is None or not ledger.admit(record.offset):
                        continue
                    flight.add()
                    positions[tp] = record.offset + 1
                    delivery = _KafkaDelivery(source, flight, ledger, record)
                    yield _event(record, group, contentType, delivery, _lag(consumer, positions))
    finally:
        partitions.release_all()
        with contextlib.suppress(Exception):  # uncommitted records are delivered again to the group
            await consumer.stop()


class _Partitions(ConsumerRebalanceListener):  # type: ignore[misc]
    """The ledgers of the partitions the group gave this consumer; a rebalance starts them afresh."""

    def __init__(self) -> None:
        self._ledgers: dict[TopicPartition, PartitionLedger] = {}

    def ledger(self, tp: TopicPartition) -> PartitionLedger | None:
        return self._ledgers.get(tp)

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        for tp in revoked:
            ledger = self._ledgers.pop(tp, None)
            if ledger is not None:
                ledger.assigned = False

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        for tp in assigned:
            self._ledgers[tp] = PartitionLedger()

    def release_all(self) -> None:
        for ledger in self._ledgers.values():
            ledger.assigned = False
        self._ledgers.clear()


class _Source:
    """What settling needs: the consumer to commit and seek, the producer for dead letters."""

    def __init__(
        self,
        conn: KafkaConnection,
        consumer: AIOKafkaConsumer,
        group: str,
        dead_letters: str | None,
        doing: str,
    ) -> None:
        self.conn = conn
        self.consumer = consumer
        self.group = group
        self.dead_letters = dead_letters
        self.doing = doing
        self._committing = asyncio.Lock()  # commits of one partition must not overtake each other

    async def commit(self, tp: TopicPartition, ledger: PartitionLedger) -> None:
        async with self._committing:
            offset = ledger.to_commit()
            if offset is None or not ledger.assigned:
                return
            try:
                await self.consumer.commit({tp: offset})
            except KAFKA_ERRORS as exc:
                raise kafka_failure(
                    exc,
                    f"{self.doing}, committing offset {offset} of {tp.topic}[{tp.partition}]"
                    " (records not committed are delivered again)",
                ) from exc
            ledger.committed = offset

    def seek(self, tp: TopicPartition, ledger: PartitionLedger, offset: int) -> None:
        to = ledger.again(offset)
        if to is None or not ledger.assigned:
            return
        with contextlib.suppress(*KAFKA_ERRORS):  # the partition just went elsewhere: read again there
            self.consumer.seek(tp, to)

    async def dead_letter(self, record: ConsumerRecord[Any, Any], target: str, reason: str | None) -> None:
        headers = [
            *(record.headers or ()),
            *([(DEAD_LETTER_REASON, reason.encode())] if reason is not None else []),
            ("x-source-topic", record.topic.encode()),
            ("x-source-partition", str(record.partition).encode()),
            ("x-source-offset", str(record.offset).encode()),
            ("x-group", self.group.encode()),
        ]
        try:
            await self.conn.producer.send_and_wait(target, record.value, key=record.key, headers=headers)
        except KAFKA_ERRORS as exc:
            raise kafka_failure(
                exc,
                f"{self.doing}, sending offset {record.offset} of {record.topic}[{record.partition}]"
                f" to dead-letter topic {target!r} (it will be delivered again)",
            ) from exc


class _KafkaDelivery:
    """Settles one record: done commits as far as its partition allows; a nack seeks back to it or
    dead-letters it."""

    __slots__ = ("_flight", "_ledger", "_record", "_source", "_tp")

    def __init__(
        self, source: _Source, flight: InFlight, ledger: PartitionLedger, record: ConsumerRecord[Any, Any]
    ) -> None:
        self._source = source
        self._flight = flight
        self._ledger = ledger
        self._record = record
        self._tp = TopicPartition(record.topic, record.partition)

    async def ack(self) -> None:
        try:
            self._ledger.finish(self._record.offset)
            await self._source.commit(self._tp, self._ledger)
        finally:
            self._flight.settle()

    async def nack(self, *, requeue: bool) -> None:
        try:
            target = self._source.dead_letters
            if requeue:
                self._source.seek(self._tp, self._ledger, self._record.offset)
                return
            if target is not None:
                await self._dead_letter(target, None)
            self._ledger.finish(self._record.offset)
            await self._source.commit(self._tp, self._ledger)
        finally:
            self._flight.settle()

    async def dead_letter(self, reason: str) -> bool:
        target = self._source.dead_letters
        if target is None:
            return False
        try:
            await self._dead_letter(target, reason)
            self._ledger.finish(self._record.offset)
            await self._source.commit(self._tp, self._ledger)
        finally:
            self._flight.settle()
        return True

    async def _dead_letter(self, target: str, reason: str | None) -> None:
        try:
            await self._source.dead_letter(self._record, target, reason)
        except RetryableError:
            self._source.seek(self._tp, self._ledger, self._record.offset)
            raise


async def _wait_for_room(consumer: AIOKafkaConsumer, flight: InFlight, doing: str) -> None:
    paused = consumer.assignment()
    consumer.pause(*paused)
    try:
        while not await flight.wait_for_room(_KEEP_ALIVE):
            await _poll(consumer, doing, timeout_ms=0, max_records=1)  # paused: nothing comes
    finally:
        consumer.resume(*(tp for tp in paused if tp in consumer.assignment()))


async def _poll(
    consumer: AIOKafkaConsumer, doing: str, *, timeout_ms: int, max_records: int
) -> dict[TopicPartition, list[ConsumerRecord[Any, Any]]]:
    try:
        batches: dict[TopicPartition, list[ConsumerRecord[Any, Any]]] = await consumer.getmany(
            timeout_ms=timeout_ms, max_records=max(1, max_records)
        )
    except KAFKA_ERRORS as exc:
        raise kafka_failure(exc, doing) from exc
    return batches


def _lag(consumer: AIOKafkaConsumer, positions: dict[TopicPartition, int]) -> int | None:
    """Records at the brokers behind the ones taken: each assigned partition's high watermark (as of the
    last fetch) less the next offset to take there; None until a partition's watermark is known."""
    lag = 0
    for tp in consumer.assignment():
        watermark = consumer.highwater(tp)
        if watermark is None or tp not in positions:
            continue
        lag += max(0, watermark - positions[tp])
    return lag if positions else None


def _event(
    record: ConsumerRecord[Any, Any],
    group: str,
    content_type: str | None,
    delivery: _KafkaDelivery,
    lag: int | None,
) -> TriggerEvent:
    headers = {name: _text(value) for name, value in record.headers or () if value is not None}
    found = next((value for name, value in headers.items() if name.lower() == "content-type"), None)
    value = record.value if isinstance(record.value, bytes) else b""
    attributes: dict[str, Any] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": _text(record.key) if record.key is not None else None,
        "timestamp": datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat()
        if record.timestamp is not None and record.timestamp >= 0
        else None,
        "group": group,
    }
    payload = Payload(value, found or content_type or "application/octet-stream")
    key = f"{record.topic}/{record.partition}/{record.offset}"
    return TriggerEvent(payload, headers=headers, attributes=attributes, delivery=delivery, key=key, lag=lag)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _topic_names(topics: str | list[str]) -> list[str]:
    listed = topics.split(",") if isinstance(topics, str) else topics
    names = [name.strip() for name in listed if name.strip()]
    if not names:
        raise InvalidInput(f"kafka.consume: topics must name at least one topic (got {topics!r})")
    return names
