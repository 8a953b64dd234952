"""The ``mqtt.publish`` operation: one message to a topic, acknowledged by the broker at QoS 1 and 2."""

from __future__ import annotations

from typing import Annotated, Literal

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from interlace.connectors.mqtt.connection import CLIENT_ERRORS, MqttConnection, mqtt_failure
from interlace.sdk import InvalidInput, OperationResult, Param, encode_body

__all__ = ["publish"]


async def publish(
    conn: MqttConnection,
    topic: Annotated[str, Param("The topic (no wildcards).", example="clinic/orders")],
    message: Annotated[
        object,
        Param(
            "The message: text is sent as UTF-8, bytes as they are, any other value as JSON.",
            example="${payload}",
        ),
    ],
    *,
    qos: Annotated[
        Literal[0, 1, 2], Param("Quality of service: 0 (at most once), 1 (at least once) or 2.")
    ] = 1,
    retain: Annotated[
        bool, Param("The broker keeps the message and gives it to each new subscriber.")
    ] = False,
    contentType: Annotated[
        str | None, Param("The MQTT 5 content type; by default it follows from the message.")
    ] = None,
    headers: Annotated[
        dict[str, str] | None, Param("MQTT 5 user properties.", example={"source": "clinic"})
    ] = None,
) -> OperationResult:
    """Publish a message to a topic; with QoS 1 or 2, wait until the broker has it.

    Returns:
        Nothing as payload; the attributes `topic` and `qos`.
    """
    doing = f"mqtt.publish to topic {topic!r} on connection {conn.name}"
    data, media = encode_body(message, contentType, doing)
    properties = None
    if conn.v5:
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.ContentType = media
        if headers:
            properties.UserProperty = list(headers.items())
    try:
        await conn.publisher.publish(
            topic, data, qos=qos, retain=retain, properties=properties, timeout=conn.config.timeout
        )
    except ValueError as exc:  # a topic with wildcards or of the wrong length
        raise InvalidInput(f"{doing}: {exc}") from exc
    except CLIENT_ERRORS as exc:
        raise mqtt_failure(exc, doing) from exc
    return OperationResult(None, attributes={"topic": topic, "qos": qos})
