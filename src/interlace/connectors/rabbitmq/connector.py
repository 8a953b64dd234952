"""The ``rabbitmq`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.rabbitmq.connection import RabbitMqConnection
from interlace.connectors.rabbitmq.consume import consume
from interlace.connectors.rabbitmq.publish import publish
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "rabbitmq",
    version="1.0.0",
    connection=RabbitMqConnection,
    description=(
        "Consumes RabbitMQ queues and publishes to exchanges (AMQP 0-9-1).\n\n"
        "The `consume` trigger acknowledges a message only when its flow has finished; a message whose flow"
        " failed is returned to the queue, and after its last attempt copied, with the reason, to the"
        " dead-letter exchange (`deadLetterExchange`). `prefetch` bounds the messages in flight."
        " `publish` waits for the broker's confirm, so a message it returned is stored."
    ),
    operations=[publish],
    triggers=[consume],
)
