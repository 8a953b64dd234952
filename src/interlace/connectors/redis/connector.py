"""The ``redis`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.redis.connection import RedisConnection
from interlace.connectors.redis.operations import get, publish, set_value, xadd
from interlace.connectors.redis.stream import consume_stream
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
    operations=[xadd, ("set", set_value), get, publish],
    triggers=[("stream", consume_stream)],
)
