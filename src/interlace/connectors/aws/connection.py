"""The live connection of an AWS connector: one aiobotocore client of its service, opened and closed
with the connection, and the sorting of the service's errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from interlace.connectors.aws.client import AWS_ERRORS, AwsClient, aws_failure
from interlace.connectors.aws.config import AwsConfig
from interlace.sdk import Connection, ConnectorError, RetryableError

__all__ = ["AwsConnection"]

AwsConfigT = TypeVar("AwsConfigT", bound=AwsConfig)


class AwsConnection(Connection[AwsConfigT]):
    """One client of :attr:`service` shared by all operations and triggers (aiobotocore's clients are
    safe to share). A subclass names the service, how messages call it, the error codes that mean
    something is missing, and the client's settings; it implements ``ping``."""

    service: ClassVar[str]
    """The service's name for aiobotocore (``sqs``, ``s3``)."""
    label: ClassVar[str]
    """The service as messages name it (``SQS``)."""
    missing: ClassVar[Mapping[str, str]] = {}
    """Error codes meaning something does not exist, and what (``{"NoSuchBucket": "bucket"}``)."""

    _aws: AwsClient | None = None

    @property
    def where(self) -> str:
        """The service as messages name it: the endpoint, or the region."""
        return self.config.endpoint_url or f"{self.label} in {self.config.region}"

    @property
    def client(self) -> Any:
        """The client (aiobotocore's, untyped); :class:`RetryableError` if the connection is not open."""
        client = None if self._aws is None else self._aws.opened
        if client is None:
            raise RetryableError(f"connection {self.name} to {self.where} is not open")
        return client

    def client_settings(self) -> dict[str, Any]:
        """aiobotocore ``AioConfig`` settings besides the connection's timeouts."""
        return {}

    def failure(self, exc: BaseException, doing: str) -> ConnectorError:
        """The SDK error for a failure of the service while ``doing`` something (see
        :func:`~interlace.connectors.aws.aws_failure`)."""
        return aws_failure(exc, doing, self.label, self.missing)

    async def open(self) -> None:
        aws = AwsClient()
        try:
            await aws.open(self.service, self.config, **self.client_settings())
        except AWS_ERRORS as exc:
            raise self.failure(exc, f"connecting connection {self.name} to {self.where}") from exc
        self._aws = aws

    async def aclose(self) -> None:
        aws, self._aws = self._aws, None
        if aws is not None:
            await aws.aclose()
