"""Settings every AWS connection has: the region, an endpoint if not AWS's, and the credentials."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["AwsConfig"]


class AwsConfig(ConnectionConfig):
    """An AWS service in one region, or a service speaking its API at `endpoint_url`.

    Without an access key the usual AWS sources are used: the environment, the shared credentials file,
    an instance or container role.
    """

    region: Annotated[str, Field(min_length=1, examples=["eu-west-1"])] = "us-east-1"
    """The AWS region."""

    endpoint_url: str | None = None
    """Where the service's API is, when it is not AWS's endpoint for the region (`http://localhost:4566`)."""

    access_key_id: Secret | None = None
    """The access key's id."""

    secret_access_key: Secret | None = None
    """The access key's secret."""

    session_token: Secret | None = None
    """The session token of temporary credentials."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds to wait when connecting and for an answer."""
