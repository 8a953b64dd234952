"""Helpers for tests against the MQTT broker of the tests (:data:`tests.addresses.MQTT`): connections, a waiting
session for a subscriber, and a plain publisher."""

from __future__ import annotations

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from tests.addresses import MQTT

from interlace.connectors.mqtt import MqttConfig, MqttConnection

HOST, PORT = MQTT.host, MQTT.port


def mqtt_connection(**settings: object) -> MqttConnection:
    """A connection named ``sensors`` to the local broker, with these settings."""
    return MqttConnection(MqttConfig.model_validate({"host": HOST, "port": PORT, **settings}), name="sensors")


async def open_session(client_id: str, topic: str) -> None:
    """Make the broker keep a session with a QoS 1 subscription for ``client_id``, as a subscriber that
    has run before would have left it, so messages published now wait for it."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 300
    async with aiomqtt.Client(
        HOST,
        PORT,
        identifier=client_id,
        protocol=aiomqtt.ProtocolVersion.V5,
        clean_start=False,
        properties=properties,
    ) as client:
        await client.subscribe(topic, qos=1)


async def publish(topic: str, *payloads: bytes, qos: int = 1) -> None:
    async with aiomqtt.Client(HOST, PORT, protocol=aiomqtt.ProtocolVersion.V5) as client:
        for payload in payloads:
            await client.publish(topic, payload, qos=qos)
