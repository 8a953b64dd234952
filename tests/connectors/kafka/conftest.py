"""The session's Kafka broker (``kafka_bootstrap``: Tansu unless the environment names one), an opened
connection, and a plain client to arrange and inspect it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition  # type: ignore[import-untyped]
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from tests.support import unique

from interlace.connectors.kafka import KafkaConnection

from .broker import kafka_connection


@pytest.fixture
def bootstrap(kafka_bootstrap: str) -> str:
    return kafka_bootstrap


@pytest.fixture
async def conn(bootstrap: str) -> AsyncIterator[KafkaConnection]:
    async with kafka_connection(bootstrap) as opened:
        yield opened


class Broker:
    """Arranges topics and records, and reads what the group committed and what a topic holds."""

    def __init__(self, bootstrap: str, admin: AIOKafkaAdminClient, producer: AIOKafkaProducer) -> None:
        self.bootstrap = bootstrap
        self._admin = admin
        self._producer = producer

    async def topic(self, prefix: str = "orders", partitions: int = 1) -> str:
        name = unique(prefix)
        await self._admin.create_topics([NewTopic(name, partitions, 1)])
        return name

    async def put(self, topic: str, *values: bytes, key: bytes | None = None, partition: int = 0) -> None:
        for value in values:
            await self._producer.send_and_wait(topic, value, key=key, partition=partition)

    async def committed(self, group: str, topic: str, partition: int = 0) -> int | None:
        # A consumer that joins no group reads the group's offsets (Tansu's OffsetFetch v2+, which the
        # admin client would use, does not decode in aiokafka).
        reader = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group, enable_auto_commit=False)
        await reader.start()
        try:
            found = await reader.committed(TopicPartition(topic, partition))
        finally:
            await reader.stop()
        return None if found is None or found < 0 else int(found)

    async def read(self, topic: str, count: int) -> list[object]:
        """The first ``count`` records of a topic."""
        reader = AIOKafkaConsumer(topic, bootstrap_servers=self.bootstrap, auto_offset_reset="earliest")
        await reader.start()
        try:
            records: list[object] = []
            while len(records) < count:
                for batch in (await reader.getmany(timeout_ms=10_000)).values():
                    records.extend(batch)
            return records[:count]
        finally:
            await reader.stop()


@pytest.fixture
async def broker(bootstrap: str) -> AsyncIterator[Broker]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await admin.start()
    await producer.start()
    try:
        yield Broker(bootstrap, admin, producer)
    finally:
        await producer.stop()
        await admin.close()
