"""sqs.send against moto's server: the message as stored and received, and the errors."""

from __future__ import annotations

import pytest
from tests.support import unused_port, within

from interlace.connectors.sqs import SqsConnection, connector
from interlace.sdk import InvalidInput, OperationResult, RetryableError

from .conftest import SECRET, Queues, sqs_connection

pytestmark = pytest.mark.needs("sqs")

SEND = connector.get_operation("send")


async def test_send_stores_the_body_and_attributes_and_answers_the_message_id(
    conn: SqsConnection, queues: Queues
) -> None:
    queue = await queues.create()
    result = await SEND.invoke(
        conn, {"queueUrl": queue, "messageBody": "grand oak", "messageAttributes": {"source": "clinic"}}
    )
    assert isinstance(result, OperationResult)
    (message,) = await queues.take(queue)
    assert message["MessageId"] == result.attributes["messageId"]
    assert message["Body"] == "grand oak"
    assert {name: value["StringValue"] for name, value in message["MessageAttributes"].items()} == {
        "source": "clinic",
        "content-type": "text/plain; charset=utf-8",
    }


async def test_a_json_body_is_received_as_json(conn: SqsConnection, queues: Queues) -> None:
    queue = await queues.create()
    await SEND.invoke(conn, {"queueUrl": queue, "messageBody": {"patient": "p-1"}})
    events = connector.get_trigger("receive").start(conn, {"queueUrl": queue, "waitTime": 1})
    try:
        event = await within(anext(events), 20)
        assert event.payload.json() == {"patient": "p-1"}
        assert event.headers == {"content-type": "application/json"}
        await event.ack()
    finally:
        await events.aclose()


async def test_a_fifo_queue_answers_a_sequence_number(conn: SqsConnection, queues: Queues) -> None:
    fifo = await queues.create(suffix=".fifo", FifoQueue="true")
    result = await SEND.invoke(
        conn, {"queueUrl": fifo, "messageBody": "x", "messageGroupId": "g", "messageDeduplicationId": "d-1"}
    )
    assert isinstance(result, OperationResult)
    assert result.attributes["sequenceNumber"]


async def test_a_body_that_is_not_json_is_invalid_input(conn: SqsConnection) -> None:
    with pytest.raises(InvalidInput, match=r"sqs.send to queue q on connection jobs: messageBody must be"):
        await SEND.invoke(conn, {"queueUrl": "q", "messageBody": {1, 2}})


async def test_an_unreachable_service_is_retryable_and_the_secret_not_shown() -> None:
    async with sqs_connection(f"http://127.0.0.1:{unused_port()}", timeout=1) as conn:
        with pytest.raises(RetryableError, match=r"sqs.send to queue .* on connection jobs") as caught:
            await SEND.invoke(conn, {"queueUrl": "http://127.0.0.1:1/1/q", "messageBody": "x"})
    assert SECRET not in str(caught.value)
