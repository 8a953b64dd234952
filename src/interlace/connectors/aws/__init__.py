"""What the AWS connectors (``sqs``, ``s3``) share: the settings of an AWS connection (region, endpoint,
credentials as secrets), the connection holding one aiobotocore client, and the sorting of AWS errors into the
SDK's. Not a connector of its own."""

from __future__ import annotations

from interlace.connectors.aws.client import AWS_ERRORS, AwsClient, aws_failure
from interlace.connectors.aws.config import AwsConfig
from interlace.connectors.aws.connection import AwsConnection

__all__ = ["AWS_ERRORS", "AwsClient", "AwsConfig", "AwsConnection", "aws_failure"]
