"""The ``sqs`` connector: receive from Amazon SQS queues (deleted after the flow) and send to them."""

from __future__ import annotations

from interlace.connectors.sqs.config import SqsConfig
from interlace.connectors.sqs.connection import SqsConnection
from interlace.connectors.sqs.connector import connector
from interlace.connectors.sqs.receive import receive
from interlace.connectors.sqs.send import send

__all__ = ["SqsConfig", "SqsConnection", "connector", "receive", "send"]
