"""The ``rabbitmq`` connector: consume queues (acknowledged after the flow) and publish with confirms."""

from __future__ import annotations

from interlace.connectors.rabbitmq.config import RabbitMqConfig
from interlace.connectors.rabbitmq.connection import RabbitMqConnection
from interlace.connectors.rabbitmq.connector import connector
from interlace.connectors.rabbitmq.consume import consume
from interlace.connectors.rabbitmq.publish import publish

__all__ = ["RabbitMqConfig", "RabbitMqConnection", "connector", "consume", "publish"]
