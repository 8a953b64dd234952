"""The ``sqs`` connector object; its trigger and operation register on it from their modules."""

from __future__ import annotations

from interlace.connectors.sqs.connection import SqsConnection
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "sqs",
    version="1.0.0",
    connection=SqsConnection,
    description=(
        "Receives messages from Amazon SQS queues and sends to them.\n\n"
        "The `receive` trigger deletes a message only when its flow has finished. A failed message is made"
        " visible again at once, or, when it is not to be retried, left until its visibility timeout ends,"
        " so the queue's redrive policy (`maxReceiveCount`) moves it to the dead-letter queue."
        " `maxInFlight` bounds the messages in flight."
    ),
)
