"""The session's SQS API (``sqs_endpoint``: moto in server mode unless the environment names one), an
opened connection with dummy credentials, and a plain client to arrange and inspect queues."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from tests.support import unique

from interlace.connectors.sqs import SqsConfig, SqsConnection

REGION = "eu-west-1"
KEY_ID, SECRET = "AKIDTESTING", "test-secret-value"


@pytest.fixture
def endpoint(sqs_endpoint: str) -> str:
    return sqs_endpoint


def sqs_connection(endpoint: str, **settings: object) -> SqsConnection:
    """A connection named ``jobs`` to the server, with these settings."""
    values = {
        "region": REGION,
        "endpoint-url": endpoint,
        "access-key-id": KEY_ID,
        "secret-access-key": SECRET,
        "timeout": 5,
        **settings,
    }
    return SqsConnection(SqsConfig.model_validate(values), name="jobs")


@pytest.fixture
async def conn(endpoint: str) -> AsyncIterator[SqsConnection]:
    async with sqs_connection(endpoint) as opened:
        yield opened


class Queues:
    """Creates queues with unique names and reads what they hold."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def create(self, prefix: str = "orders", suffix: str = "", **attributes: str) -> str:
        name = unique(prefix) + suffix
        answer = await self.client.create_queue(QueueName=name, Attributes=attributes)
        return str(answer["QueueUrl"])

    async def with_dead_letters(self, max_receive_count: int) -> tuple[str, str]:
        dead = await self.create("dead")
        arn = (await self.client.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"]))[
            "Attributes"
        ]["QueueArn"]
        policy = orjson.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receive_count}).decode()
        return await self.create(RedrivePolicy=policy, VisibilityTimeout="1"), dead

    async def put(self, queue: str, *bodies: str) -> None:
        for body in bodies:
            await self.client.send_message(QueueUrl=queue, MessageBody=body)

    async def count(self, queue: str) -> tuple[int, int]:
        """Messages visible and messages in flight (received, not deleted)."""
        answer = await self.client.get_queue_attributes(
            QueueUrl=queue,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )
        found = answer["Attributes"]
        return int(found["ApproximateNumberOfMessages"]), int(found["ApproximateNumberOfMessagesNotVisible"])

    async def take(self, queue: str, wait: int = 5) -> list[dict[str, Any]]:
        answer = await self.client.receive_message(
            QueueUrl=queue, WaitTimeSeconds=wait, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        return list(answer.get("Messages", []))


@pytest.fixture
async def queues(endpoint: str) -> AsyncIterator[Queues]:
    async with get_session().create_client(
        "sqs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ) as client:
        yield Queues(client)
