"""The ``kafka`` connector: consume topics in a consumer group (committed after the flow) and produce."""

from __future__ import annotations

from interlace.connectors.kafka.config import KafkaConfig
from interlace.connectors.kafka.connection import KafkaConnection
from interlace.connectors.kafka.connector import connector
from interlace.connectors.kafka.consume import consume
from interlace.connectors.kafka.produce import produce

__all__ = ["KafkaConfig", "KafkaConnection", "connector", "consume", "produce"]
