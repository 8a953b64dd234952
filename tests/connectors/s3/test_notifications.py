"""s3.notifications against moto's server: a bucket's event notifications sent to an SQS queue become
one event per object, and the queue's message is deleted only once its flow has finished."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from tests.support import unique, within

from interlace.connectors.s3 import S3Connection, connector

from .conftest import KEY_ID, REGION, SECRET

pytestmark = pytest.mark.needs("sqs")

NOTIFICATIONS = connector.get_trigger("notifications")


@pytest.fixture
async def sqs(sqs_endpoint: str) -> AsyncIterator[Any]:
    async with get_session().create_client(
        "sqs",
        region_name=REGION,
        endpoint_url=sqs_endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ) as client:
        yield client


async def waiting(sqs: Any, queue: str) -> int:
    answer = await sqs.get_queue_attributes(
        QueueUrl=queue,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )
    return sum(int(value) for value in answer["Attributes"].values())


async def test_a_new_object_is_an_event_and_its_message_is_deleted_after_the_flow(
    conn: S3Connection, bucket: str, sqs: Any
) -> None:
    queue = (await sqs.create_queue(QueueName=unique("uploads")))["QueueUrl"]
    arn = (await sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"]))["Attributes"][
        "QueueArn"
    ]
    await conn.client.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    events = NOTIFICATIONS.start(conn, {"queueUrl": queue, "waitTime": 1})
    try:
        pending = anext(events)
        await conn.client.put_object(Bucket=bucket, Key="scans/x ray.png", Body=b"12345")
        event = await within(pending, 20)
        assert event.payload.json()["bucket"] == bucket
        assert (event.attributes["key"], event.attributes["size"]) == ("scans/x ray.png", 5)
        assert event.attributes["eventName"].startswith("ObjectCreated:")
        assert await waiting(sqs, queue) == 1  # in flight until the flow is done
        await event.ack()
        assert await waiting(sqs, queue) == 0
    finally:
        await events.aclose()
