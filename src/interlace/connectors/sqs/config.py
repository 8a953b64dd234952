"""Settings of an ``sqs`` connection: the region, an endpoint if not AWS's, and the credentials."""

from __future__ import annotations

from interlace.connectors.aws import AwsConfig

__all__ = ["SqsConfig"]


class SqsConfig(AwsConfig):
    """Amazon SQS in one region, or a service speaking its API (LocalStack, ElasticMQ) at `endpoint_url`.

    Without an access key the usual AWS sources are used: the environment, the shared credentials file,
    an instance or container role. `timeout` bounds connecting and each answer, beyond a receive's own
    wait.
    """
