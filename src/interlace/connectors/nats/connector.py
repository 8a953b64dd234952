"""The ``nats`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.nats.connection import NatsConnection
from interlace.connectors.nats.consume import consume
from interlace.connectors.nats.publish import publish
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "nats",
    version="1.0.0",
    connection=NatsConnection,
    description=(
        "Consumes NATS JetStream streams through durable consumers and publishes to JetStream.\n\n"
        "The `consume` trigger acknowledges a message only when its flow has finished; a failed message is"
        " negatively acknowledged with a delay (`nak`), so JetStream delivers it again later, and after its"
        " last attempt copied to the dead-letter subject and terminated."
        " `maxAckPending` bounds the messages in flight. `publish` waits for the stream's ack."
    ),
    operations=[publish],
    triggers=[consume],
)
