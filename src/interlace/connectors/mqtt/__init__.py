"""The ``mqtt`` connector: subscribe with a persistent session (acknowledged after the flow), publish."""

from __future__ import annotations

from interlace.connectors.mqtt.config import MqttConfig
from interlace.connectors.mqtt.connection import MqttConnection
from interlace.connectors.mqtt.connector import connector
from interlace.connectors.mqtt.publish import publish
from interlace.connectors.mqtt.subscribe import subscribe

__all__ = ["MqttConfig", "MqttConnection", "connector", "publish", "subscribe"]
