"""The session's moto server (``sqs_endpoint`` serves every AWS API moto knows, S3 too), an opened s3
connection with dummy credentials and a local folder, and a bucket of a unique name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.support import unique

from interlace.connectors.s3 import S3Config, S3Connection

REGION = "eu-west-1"
KEY_ID, SECRET = "AKIDTESTING", "test-secret-value"


def s3_connection(endpoint: str, **settings: object) -> S3Connection:
    """A connection named ``store`` to the server, with these settings."""
    values = {
        "region": REGION,
        "endpoint-url": endpoint,
        "access-key-id": KEY_ID,
        "secret-access-key": SECRET,
        "addressing-style": "path",
        "timeout": 5,
        **settings,
    }
    return S3Connection(S3Config.model_validate(values), name="store")


@pytest.fixture
async def conn(sqs_endpoint: str, local: Path) -> AsyncIterator[S3Connection]:
    async with s3_connection(sqs_endpoint, **{"local-folder": str(local)}) as opened:
        yield opened


@pytest.fixture
async def bucket(conn: S3Connection) -> str:
    name = unique("reports")
    await conn.client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name
