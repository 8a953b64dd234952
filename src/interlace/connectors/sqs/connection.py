"""The live ``sqs`` connection: one aiobotocore client, and the sorting of its errors."""

from __future__ import annotations

from typing import Any

from interlace.connectors.aws import AWS_ERRORS, AwsClient, aws_failure
from interlace.connectors.sqs.config import SqsConfig
from interlace.sdk import Connection, ConnectorError, RetryableError

__all__ = ["SQS_ERRORS", "SqsConnection", "sqs_failure"]

SQS_ERRORS = AWS_ERRORS
"""What the client raises when SQS, the network or the credentials fail (not a bug of ours)."""

_LONGEST_WAIT = 20  # seconds: SQS's limit for a receive's long poll

_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue": "queue", "QueueDoesNotExist": "queue"}


class SqsConnection(Connection[SqsConfig]):
    """One SQS client shared by all operations and triggers (aiobotocore's clients are safe to share)."""

    _aws: AwsClient | None = None

    @property
    def where(self) -> str:
        """The service as messages name it: the endpoint, or the region."""
        return self.config.endpoint_url or f"SQS in {self.config.region}"

    @property
    def client(self) -> Any:
        """The client (aiobotocore's, untyped); :class:`RetryableError` if the connection is not open."""
        client = None if self._aws is None else self._aws.opened
        if client is None:
            raise RetryableError(f"connection {self.name} to {self.where} is not open")
        return client

    async def open(self) -> None:
        aws = AwsClient()
        try:
            await aws.open("sqs", self.config, read_timeout=self.config.timeout + _LONGEST_WAIT)
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, f"connecting connection {self.name} to {self.where}") from exc
        self._aws = aws

    async def ping(self) -> None:
        try:
            await self.client.list_queues(MaxResults=1)
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, f"reaching {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        aws, self._aws = self._aws, None
        if aws is not None:
            await aws.aclose()


def sqs_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an SQS failure while ``doing`` something: refused or missing credentials and a
    missing queue are fatal, throttling, a server error or a lost connection transient, a refused
    parameter or message the input's fault."""
    return aws_failure(exc, doing, "SQS", _MISSING_QUEUE)
