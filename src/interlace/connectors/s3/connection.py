"""The live ``s3`` connection: one aiobotocore client, and the sorting of its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlace.connectors.aws import AWS_ERRORS, AwsClient, aws_failure
from interlace.connectors.s3.config import S3Config
from interlace.sdk import Connection, ConnectorError, InvalidInput, RetryableError, local_path

__all__ = ["S3_ERRORS", "S3Connection", "s3_failure"]

S3_ERRORS = AWS_ERRORS
"""What the client raises when S3, the network or the credentials fail (not a bug of ours)."""

_MISSING = {"NoSuchBucket": "bucket", "NoSuchKey": "object", "404": "object", "NotFound": "object"}


class S3Connection(Connection[S3Config]):
    """One S3 client shared by all operations and triggers (aiobotocore's clients are safe to share)."""

    _aws: AwsClient | None = None

    @property
    def where(self) -> str:
        """The service as messages name it: the endpoint, or the region."""
        return self.config.endpoint_url or f"S3 in {self.config.region}"

    @property
    def client(self) -> Any:
        """The client (aiobotocore's, untyped); :class:`RetryableError` if the connection is not open."""
        client = None if self._aws is None else self._aws.opened
        if client is None:
            raise RetryableError(f"connection {self.name} to {self.where} is not open")
        return client

    def local_file(self, path: str, doing: str, what: str) -> Path:
        """The file ``path`` names in the connection's local folder; :class:`InvalidInput` without a
        local folder or for a path outside it."""
        folder = self.config.local_folder
        if folder is None:
            raise InvalidInput(
                f"{doing}: {what} needs the connection's local-folder setting (connection {self.name})"
            )
        return local_path(Path(folder), path, doing, what)

    async def open(self) -> None:
        aws = AwsClient()
        try:
            await aws.open("s3", self.config, s3={"addressing_style": self.config.addressing_style})
        except S3_ERRORS as exc:
            raise s3_failure(exc, f"connecting connection {self.name} to {self.where}") from exc
        self._aws = aws

    async def ping(self) -> None:
        try:
            await self.client.list_buckets()
        except S3_ERRORS as exc:
            raise s3_failure(exc, f"reaching {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        aws, self._aws = self._aws, None
        if aws is not None:
            await aws.aclose()


def s3_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an S3 failure while ``doing`` something: refused or missing credentials and a
    missing bucket or object are fatal, throttling (`SlowDown`), a server error or a lost connection
    transient, a refused parameter the input's fault."""
    return aws_failure(exc, doing, "S3", _MISSING)
