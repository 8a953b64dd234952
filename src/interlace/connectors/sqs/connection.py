"""The live ``sqs`` connection: one aiobotocore client, and the sorting of its errors."""

from __future__ import annotations

from typing import Any

from interlace.connectors.aws import AWS_ERRORS, AwsConnection, aws_failure
from interlace.connectors.sqs.config import SqsConfig
from interlace.sdk import ConnectorError

__all__ = ["SQS_ERRORS", "SqsConnection", "sqs_failure"]

SQS_ERRORS = AWS_ERRORS
"""What the client raises when SQS, the network or the credentials fail (not a bug of ours)."""

_LONGEST_WAIT = 20  # seconds: SQS's limit for a receive's long poll

_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue": "queue", "QueueDoesNotExist": "queue"}


class SqsConnection(AwsConnection[SqsConfig]):
    """One SQS client shared by all operations and triggers."""

    service = "sqs"
    label = "SQS"
    missing = _MISSING_QUEUE

    def client_settings(self) -> dict[str, Any]:
        return {"read_timeout": self.config.timeout + _LONGEST_WAIT}

    async def ping(self) -> None:
        try:
            await self.client.list_queues(MaxResults=1)
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, f"reaching {self.where} on connection {self.name}") from exc


def sqs_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an SQS failure while ``doing`` something: refused or missing credentials and a
    missing queue are fatal, throttling, a server error or a lost connection transient, a refused
    parameter or message the input's fault."""
    return aws_failure(exc, doing, "SQS", _MISSING_QUEUE)
