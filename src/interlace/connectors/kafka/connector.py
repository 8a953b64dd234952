"""The ``kafka`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.kafka.connection import KafkaConnection
from interlace.connectors.kafka.consume import consume
from interlace.connectors.kafka.produce import produce
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "kafka",
    version="1.0.0",
    connection=KafkaConnection,
    description=(
        "Consumes Kafka topics in a consumer group and produces records.\n\n"
        "The `consume` trigger commits a record's offset only when its flow has finished, and per partition"
        " only past records that have all finished: a record finished before an earlier one waits for it."
        " A failed record is read again from the broker, and after its last attempt sent to"
        " `deadLetterTopic` and committed. `maxInFlight` bounds the records in flight. `produce` waits"
        " until all in-sync replicas have the record (`acks=all`)."
    ),
    operations=[produce],
    triggers=[consume],
)
