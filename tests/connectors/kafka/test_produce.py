"""kafka.produce against a Tansu broker: the record as stored, its content type, and the errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.support import unique, unused_port

from interlace.connectors.kafka import KafkaConfig, KafkaConnection, connector
from interlace.sdk import InvalidInput, OperationResult, RetryableError

from .broker import kafka_connection
from .conftest import Broker

pytestmark = pytest.mark.needs("kafka")

PRODUCE = connector.get_operation("produce")


async def test_produce_stores_value_key_and_headers_and_answers_where(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic = await broker.topic(partitions=2)
    result = await PRODUCE.invoke(
        conn,
        {
            "topic": topic,
            "value": "grand oak",
            "key": "p-1",
            "headers": {"x-source": "clinic"},
            "partition": 1,
        },
    )
    assert isinstance(result, OperationResult)
    assert (result.attributes["topic"], result.attributes["partition"], result.attributes["offset"]) == (
        topic,
        1,
        0,
    )
    (record,) = await broker.read(topic, 1)
    assert (record.value, record.key, record.partition) == (b"grand oak", b"p-1", 1)  # type: ignore[attr-defined]
    assert dict(record.headers) == {  # type: ignore[attr-defined]
        "x-source": b"clinic",
        "content-type": b"text/plain; charset=utf-8",
    }


async def test_a_json_value_is_consumed_as_json_through_its_content_type_header(
    conn: KafkaConnection, broker: Broker
) -> None:
    topic = await broker.topic()
    await PRODUCE.invoke(conn, {"topic": topic, "value": {"patient": "p-1", "beds": 4}})
    events = connector.get_trigger("consume").start(
        conn, {"topics": topic, "group": unique("g"), "sessionTimeout": 2}
    )
    try:
        event = await anext(events)
        assert event.payload.json() == {"patient": "p-1", "beds": 4}
        assert event.headers["content-type"] == "application/json"
        await event.ack()
    finally:
        await events.aclose()


async def test_a_null_value_produces_a_tombstone(conn: KafkaConnection, broker: Broker) -> None:
    topic = await broker.topic()
    await PRODUCE.invoke(conn, {"topic": topic, "value": None, "key": "p-1"})
    (record,) = await broker.read(topic, 1)
    assert (record.value, record.key) == (None, b"p-1")  # type: ignore[attr-defined]


async def test_a_value_that_is_not_json_is_invalid_input(conn: KafkaConnection) -> None:
    with pytest.raises(
        InvalidInput, match=r"kafka.produce to topic 'orders' on connection events .*value must be"
    ):
        await PRODUCE.invoke(conn, {"topic": "orders", "value": {1, 2}})


async def test_an_unreachable_broker_is_retryable() -> None:
    conn = kafka_connection(f"127.0.0.1:{unused_port()}", timeout=2)
    with pytest.raises(RetryableError, match=r"connecting connection events to Kafka at 127\.0\.0\.1:\d+"):
        await conn.open()
    await conn.aclose()


def test_bootstrap_servers_must_be_host_and_port_without_credentials() -> None:
    with pytest.raises(ValidationError, match="bootstrap-servers must be HOST:PORT"):
        KafkaConfig.model_validate({"bootstrap-servers": ["user:pw@kafka:9092"]})


def test_the_password_is_handed_only_to_the_client() -> None:
    conn = KafkaConnection(
        KafkaConfig.model_validate(
            {"security-protocol": "SASL_SSL", "username": "svc", "password": "s3cret-value"}
        ),
        name="events",
    )
    assert "s3cret-value" not in repr(conn.config)
    settings = conn.client_settings()
    assert (settings["sasl_plain_username"], settings["sasl_plain_password"]) == ("svc", "s3cret-value")
