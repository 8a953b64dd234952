"""The ``redis`` connector object; its trigger and operations register on it from their modules."""

from __future__ import annotations

from interlace.connectors.redis.connection import RedisConnection
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "redis",
    version="1.0.0",
    connection=RedisConnection,
    description=(
        "Consumes Redis streams with consumer groups, appends to streams, reads and writes keys and"
        " publishes to channels.\n\n"
        "The `stream` trigger acknowledges an entry (`XACK`) only when its flow has finished; entries a"
        " stopped or crashed consumer left unacknowledged are delivered again, to the same consumer when it"
        " comes back or to another after `claimIdle` seconds (`XAUTOCLAIM`). `count` bounds the entries in"
        " flight."
    ),
)
