"""The ``sqs`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.sqs.connection import SqsConnection
from interlace.connectors.sqs.receive import receive
from interlace.connectors.sqs.send import send
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "sqs",
    version="1.0.0",
    connection=SqsConnection,
    description=(
        "Receives messages from Amazon SQS queues and sends to them.\n\n"
        "The `receive` trigger deletes a message only when its flow has finished. A failed message is made"
        " visible again, and after its last attempt (its receive count) sent to `deadLetterQueueUrl` with"
        " the reason; a queue's redrive policy (`maxReceiveCount`) may move it before."
        " `maxInFlight` bounds the messages in flight. A message stays hidden while its flow runs (its"
        " visibility timeout is extended), so a slow flow is not delivered twice."
    ),
    operations=[send],
    triggers=[receive],
)
