"""The ``s3`` connector: objects of Amazon S3 and S3-compatible stores, presigned URLs, and new objects
as a trigger."""

from __future__ import annotations

from interlace.connectors.s3.config import S3Config
from interlace.connectors.s3.connection import S3Connection
from interlace.connectors.s3.connector import connector

__all__ = ["S3Config", "S3Connection", "connector"]
