"""The live ``s3`` connection: one aiobotocore client, and the sorting of its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlace.connectors.aws import AWS_ERRORS, AwsConnection, aws_failure
from interlace.connectors.s3.config import S3Config
from interlace.sdk import ConnectorError, transfer_path

__all__ = ["S3_ERRORS", "S3Connection", "s3_failure"]

S3_ERRORS = AWS_ERRORS
"""What the client raises when S3, the network or the credentials fail (not a bug of ours)."""

_MISSING = {"NoSuchBucket": "bucket", "NoSuchKey": "object", "404": "object", "NotFound": "object"}


class S3Connection(AwsConnection[S3Config]):
    """One S3 client shared by all operations and triggers."""

    service = "s3"
    label = "S3"
    missing = _MISSING

    def client_settings(self) -> dict[str, Any]:
        return {"s3": {"addressing_style": self.config.addressing_style}}

    def local_file(self, path: str, doing: str, what: str) -> Path:
        """The file ``path`` names in the connection's local folder (see
        :func:`~interlace.sdk.transfer_path`)."""
        return transfer_path(self.config.local_folder, path, doing, what, self.name)

    async def ping(self) -> None:
        try:
            await self.client.list_buckets()
        except S3_ERRORS as exc:
            if _error_code(exc) == "AccessDenied":
                return  # the credentials are good, only listing buckets is not granted: S3 answered
            raise s3_failure(exc, f"reaching {self.where} on connection {self.name}") from exc


def s3_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an S3 failure while ``doing`` something: refused or missing credentials and a
    missing bucket or object are fatal, throttling (`SlowDown`), a server error or a lost connection
    transient, a refused parameter the input's fault."""
    return aws_failure(exc, doing, "S3", _MISSING)


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
