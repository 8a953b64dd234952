"""The ``nats`` connector: JetStream durable consumers (acknowledged after the flow) and publishing."""

from __future__ import annotations

from interlace.connectors.nats.config import NatsConfig
from interlace.connectors.nats.connection import NatsConnection
from interlace.connectors.nats.connector import connector
from interlace.connectors.nats.consume import consume
from interlace.connectors.nats.publish import publish

__all__ = ["NatsConfig", "NatsConnection", "connector", "consume", "publish"]
