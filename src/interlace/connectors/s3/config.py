"""Settings of an ``s3`` connection: the AWS settings, the addressing style, and a local folder for
transfers from and to files."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo, field_validator

from interlace.connectors.aws import AwsConfig
from interlace.sdk import project_path

__all__ = ["S3Config"]


class S3Config(AwsConfig):
    """Amazon S3 in one region, or an S3-compatible store (MinIO, Ceph, R2, LocalStack) at `endpoint_url`.

    Without an access key the usual AWS sources are used: the environment, the shared credentials file,
    an instance or container role.
    """

    addressing_style: Literal["auto", "virtual", "path"] = "auto"
    """How buckets are addressed: `virtual` (`BUCKET.s3.amazonaws.com`), `path` (`HOST/BUCKET`, what most
    S3-compatible stores need), or `auto` (virtual where the bucket's name allows)."""

    local_folder: str | None = None
    """The folder that `fromFile` of `putObject` and `toFile` of `getObject` are relative to (relative to
    the project's folder); without it, transfers from and to files are refused. Paths never leave it."""

    @field_validator("local_folder")
    @classmethod
    def _local_folder_in_project(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else project_path(value, info.context)
