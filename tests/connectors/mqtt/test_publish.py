"""mqtt.publish against the local Mosquitto: the message, its content type and user properties arrive."""

from __future__ import annotations

from contextlib import aclosing

import pytest
from tests.support import unique, within

from interlace.connectors.mqtt import MqttConnection, connector
from interlace.sdk import InvalidInput, OperationResult

from .broker import open_session

pytestmark = pytest.mark.needs("mqtt")

PUBLISH = connector.get_operation("publish")
SUBSCRIBE = connector.get_trigger("subscribe")


async def test_a_published_json_value_reaches_a_subscriber_with_its_type_and_headers(
    conn: MqttConnection,
) -> None:
    topic, client_id = unique("test/orders"), unique("subscriber")
    await open_session(client_id, topic)
    result = await PUBLISH.invoke(
        conn, {"topic": topic, "message": {"id": 4}, "headers": {"source": "clinic"}}
    )
    assert result == OperationResult(None, attributes={"topic": topic, "qos": 1})
    async with aclosing(SUBSCRIBE.start(conn, {"topic": topic, "clientId": client_id})) as events:
        event = await within(anext(events))
        assert event.payload.json() == {"id": 4}
        assert event.headers == {"source": "clinic"}
        assert event.attributes["topic"] == topic
        await event.ack()


async def test_a_topic_with_wildcards_is_invalid_input(conn: MqttConnection) -> None:
    with pytest.raises(InvalidInput, match=r"mqtt\.publish to topic 'a/#' on connection sensors"):
        await PUBLISH.invoke(conn, {"topic": "a/#", "message": "x"})
