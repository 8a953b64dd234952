"""The ``nats`` connector object; its trigger and operation register on it from their modules."""

from __future__ import annotations

from interlace.connectors.nats.connection import NatsConnection
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "nats",
    version="1.0.0",
    connection=NatsConnection,
    description=(
        "Consumes NATS JetStream streams through durable consumers and publishes to JetStream.\n\n"
        "The `consume` trigger acknowledges a message only when its flow has finished; a failed message is"
        " negatively acknowledged with a delay (`nak`), so JetStream delivers it again later, or, when it is"
        " not to be retried, terminated (optionally after a copy went to a dead-letter subject)."
        " `maxAckPending` bounds the messages in flight. `publish` waits for the stream's ack."
    ),
)
