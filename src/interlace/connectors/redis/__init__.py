"""The ``redis`` connector: consume streams through consumer groups; streams, keys and channels."""

from __future__ import annotations

from interlace.connectors.redis.config import RedisConfig
from interlace.connectors.redis.connection import RedisConnection
from interlace.connectors.redis.connector import connector
from interlace.connectors.redis.operations import get, publish, set_value, xadd
from interlace.connectors.redis.stream import consume_stream

__all__ = [
    "RedisConfig",
    "RedisConnection",
    "connector",
    "consume_stream",
    "get",
    "publish",
    "set_value",
    "xadd",
]
