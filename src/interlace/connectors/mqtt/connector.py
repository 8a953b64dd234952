"""The ``mqtt`` connector object, with its operations and triggers."""

from __future__ import annotations

from interlace.connectors.mqtt.connection import MqttConnection
from interlace.connectors.mqtt.publish import publish
from interlace.connectors.mqtt.subscribe import subscribe
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "mqtt",
    version="1.0.0",
    connection=MqttConnection,
    description=(
        "Subscribes to MQTT topics with QoS 1 or 2 and publishes to them (MQTT 5 or 3.1.1).\n\n"
        "The `subscribe` trigger keeps a persistent session on the broker and acknowledges a message"
        " (PUBACK) only when its flow has finished; messages it had not acknowledged when it stopped or"
        " lost the connection are delivered again when it reconnects. MQTT has no negative"
        " acknowledgement: a message whose flow failed is delivered again by reconnecting the session"
        " once no other message is in flight, so messages after it may come before it. With MQTT 5,"
        " `inFlight` bounds the messages the broker sends before they are acknowledged."
    ),
    operations=[publish],
    triggers=[subscribe],
)
