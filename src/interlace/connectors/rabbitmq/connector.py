"""The ``rabbitmq`` connector object; its trigger and operation register on it from their modules."""

from __future__ import annotations

from interlace.connectors.rabbitmq.connection import RabbitMqConnection
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "rabbitmq",
    version="1.0.0",
    connection=RabbitMqConnection,
    description=(
        "Consumes RabbitMQ queues and publishes to exchanges (AMQP 0-9-1).\n\n"
        "The `consume` trigger acknowledges a message only when its flow has finished; a message whose flow"
        " failed is returned to the queue, or, when it is not to be retried, rejected, so the queue's"
        " dead-letter exchange (`x-dead-letter-exchange`) takes it. `prefetch` bounds the messages in"
        " flight. `publish` waits for the broker's confirm, so a message it returned is stored."
    ),
)
