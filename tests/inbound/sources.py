"""The message sources an inbound endpoint can read, as this machine runs them, for end-to-end tests: for
each connector a fresh queue, stream or topic, the connection settings and trigger parameters that read
it, publishing through the connector's own operation, and removal afterwards. Also the receiver the
tests' flows call, which records each processed message by id."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

import aio_pika
import aiomqtt
import nats
import pytest
import redis.asyncio as aioredis
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from aiohttp import web
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from interlace.sdk import Connector, ConnectorRegistry
from tests.addresses import MQTT, NATS, RABBITMQ, REDIS
from tests.support import deadline, scaled, unique

# Each source is named as the service it needs.
SOURCES = [
    pytest.param(name, marks=pytest.mark.needs(name))
    for name in ("rabbitmq", "redis", "nats", "mqtt", "kafka", "sqs")
]
SQS_REGION, SQS_KEY_ID, SQS_SECRET = "eu-west-1", "AKIDTESTING", "test-secret-value"


@dataclass
class Source:
    """One connector's trigger on a fresh queue (stream, topic): how to connect, what the trigger reads,
    and how a message carrying ``{"id": ID}`` is published."""

    connector: str
    settings: dict[str, object]
    trigger: str
    parameters: dict[str, object]
    operation: str
    message: Callable[[str], dict[str, object]]

    def connection_file(self) -> str:
        lines = ["connection: source", f"connector: {self.connector}"]
        lines += [f"{key}: {json.dumps(value)}" for key, value in self.settings.items()]
        return "\n".join(lines) + "\n"

    def trigger_yaml(self) -> str:
        return json.dumps({f"{self.connector}.{self.trigger}": {"connection": "source", **self.parameters}})

    async def publish(self, registry: ConnectorRegistry, ids: Iterable[str]) -> None:
        """Each id as one message, through the connector's own operation on a connection of its own."""
        connector: Connector = registry.get(self.connector)
        config = connector.config_class.model_validate(self.settings)
        operation = connector.get_operation(self.operation)
        async with connector.connection(config, name="publisher") as connection:
            for id_ in ids:
                await operation.invoke(connection, self.message(id_))


@contextlib.asynccontextmanager
async def rabbitmq_source() -> AsyncIterator[Source]:
    queue = unique("test-inbound")
    amqp = await aio_pika.connect(RABBITMQ.url)
    async with amqp:
        channel = await amqp.channel()
        await channel.declare_queue(queue, durable=True)  # as the trigger declares it: publishes route
        try:
            yield Source(
                "rabbitmq",
                {
                    "host": RABBITMQ.host,
                    "port": RABBITMQ.port,
                    "username": RABBITMQ.username,
                    "password": RABBITMQ.password,
                },
                "consume",
                {"queue": queue, "prefetch": 10},
                "publish",
                lambda id_: {"routingKey": queue, "message": {"id": id_}},
            )
        finally:
            await channel.queue_delete(queue)


@contextlib.asynccontextmanager
async def redis_source() -> AsyncIterator[Source]:
    stream = unique("test-inbound")
    try:
        yield Source(
            "redis",
            {"url": REDIS.url},
            "stream",
            {"stream": stream, "group": "workers", "startId": "0", "block": 0.5},
            "xadd",
            lambda id_: {"stream": stream, "fields": {"id": id_}},
        )
    finally:
        client = aioredis.from_url(REDIS.url)
        await client.delete(stream)
        await client.aclose()


@contextlib.asynccontextmanager
async def nats_source() -> AsyncIterator[Source]:
    stream, subject = unique("test-inbound"), f"{unique('test-inbound')}.orders"
    client = await nats.connect(NATS.url)
    try:
        jetstream = client.jetstream()
        await jetstream.add_stream(name=stream, subjects=[subject])
        try:
            yield Source(
                "nats",
                {"servers": [NATS.url]},
                "consume",
                # ackWait: what a killed runtime held comes back to the next one after 2s
                {"stream": stream, "durable": "workers", "ackWait": 2.0, "nakDelay": 0.1},
                "publish",
                lambda id_: {"subject": subject, "message": {"id": id_}},
            )
        finally:
            await jetstream.delete_stream(stream)
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def mqtt_source() -> AsyncIterator[Source]:
    topic, client_id = f"{unique('test-inbound')}/orders", unique("test-subscriber")
    # The broker keeps what is published for a session that subscribed once: make it before publishing.
    await _mqtt_session(client_id, topic, expiry=300)
    try:
        yield Source(
            "mqtt",
            {"host": MQTT.host, "port": MQTT.port},
            "subscribe",
            {"topic": topic, "clientId": client_id, "sessionExpiry": 300},
            "publish",
            lambda id_: {"topic": topic, "message": {"id": id_}, "qos": 1},
        )
    finally:
        await _mqtt_session(client_id, None, expiry=0)


async def _mqtt_session(client_id: str, topic: str | None, expiry: int) -> None:
    """Open the session ``client_id`` subscribed to ``topic``, kept ``expiry`` seconds (0: discarded)."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry
    async with aiomqtt.Client(
        MQTT.host,
        MQTT.port,
        identifier=client_id,
        protocol=aiomqtt.ProtocolVersion.V5,
        clean_start=topic is None,
        properties=properties,
    ) as client:
        if topic is not None:
            await client.subscribe(topic, qos=1)


@contextlib.asynccontextmanager
async def kafka_source(bootstrap: str) -> AsyncIterator[Source]:
    topic = unique("test-inbound")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
        try:
            yield Source(
                "kafka",
                {"bootstrap-servers": [bootstrap], "timeout": 10},
                "consume",
                # sessionTimeout: a killed runtime's partitions go to the next one after 2s
                {"topics": topic, "group": unique("test-group"), "sessionTimeout": 2.0},
                "produce",
                lambda id_: {"topic": topic, "value": {"id": id_}},
            )
        finally:
            with contextlib.suppress(Exception):
                await admin.delete_topics([topic])
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def sqs_source(endpoint: str) -> AsyncIterator[Source]:
    async with get_session().create_client(
        "sqs",
        region_name=SQS_REGION,
        endpoint_url=endpoint,
        aws_access_key_id=SQS_KEY_ID,
        aws_secret_access_key=SQS_SECRET,
    ) as client:
        queue = str((await client.create_queue(QueueName=unique("test-inbound")))["QueueUrl"])
        try:
            yield Source(
                "sqs",
                {
                    "region": SQS_REGION,
                    "endpoint-url": endpoint,
                    "access-key-id": SQS_KEY_ID,
                    "secret-access-key": SQS_SECRET,
                    "timeout": 5,
                },
                "receive",
                # visibilityTimeout: what a killed runtime held comes back to the next one after 5s; a
                # living one keeps what it holds hidden (extending it every third), with room for a busy
                # machine's late turns
                {"queueUrl": queue, "waitTime": 1, "visibilityTimeout": 5},
                "send",
                lambda id_: {"queueUrl": queue, "messageBody": {"id": id_}},
            )
        finally:
            await client.delete_queue(QueueUrl=queue)


@dataclass
class Receiver:
    """What the tests' flows call once per message (``POST /seen/ID``, header ``X-Node``): it records
    each attempt and each message processed, and can fail a message's first attempt (500) or hold the
    calls of one node after a number of them were answered (their flows stay in flight), and fail every
    attempt of the ids in ``failing``."""

    fail_first: bool = False
    failing: set[str] = field(default_factory=set)
    hold_node: str | None = None
    answer_before_holding: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    done: list[tuple[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def processed(self, node: str | None = None) -> list[str]:
        """The ids processed (by ``node``, or by any), in order, repeats included."""
        return [id_ for id_, by in self.done if node is None or by == node]

    async def until(self, condition: Callable[[], bool], within: float, what: str) -> None:
        """Wait until ``condition()`` holds (re-checked at each call received); fail after ``within``
        seconds (scaled), saying ``what`` was awaited and what the receiver saw."""
        try:
            async with deadline(within):
                while not condition():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"not within {scaled(within):g}s: {what}; {self.seen()}") from None

    def seen(self) -> str:
        processed = sorted(set(self.processed()))
        return f"processed {len(processed)} distinct: {processed}; held {sorted(self.held)}"

    async def answer(self, request: web.Request) -> web.Response:
        """The handler of ``POST /seen/{id}``."""
        id_, node = request.match_info["id"], request.headers.get("X-Node", "")
        self.attempts[id_] += 1
        self.changed.set()
        if (self.fail_first and self.attempts[id_] == 1) or id_ in self.failing:
            return web.Response(status=500, text="this attempt fails")
        if node == self.hold_node and len(self.processed(node)) >= self.answer_before_holding:
            self.held.append(id_)
            self.changed.set()
            await self.release.wait()
            return web.Response(status=503, text="released")  # its caller is gone: not processed
        self.done.append((id_, node))
        self.changed.set()
        return web.json_response({"ok": id_})


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """``receiver`` on a loopback port; yields its base URL."""
    app = web.Application()
    app.router.add_post("/seen/{id}", receiver.answer)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        receiver.release.set()
        await runner.cleanup()
