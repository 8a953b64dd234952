"""The ``mqtt.subscribe`` trigger: a topic's messages at QoS 1 or 2, acknowledged after their flow.

The trigger's client keeps a persistent session (a stable client id, clean start off, a session expiry)
and acknowledges by hand, so the broker keeps every message it delivered until the PUBACK and sends it
again when the session resumes. That resumption is also how a nack with requeue works: the trigger
reconnects once nothing else is in flight. With MQTT 5 the Receive Maximum (``inFlight``) bounds what
the broker sends ahead; messages received and not yet handed out stay unacknowledged in a queue that
this bound keeps small.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import aiomqtt
from paho.mqtt.properties import Properties
from pydantic import Field

from interlace.connectors.mqtt.connection import CLIENT_ERRORS, MqttConnection, mqtt_failure
from interlace.sdk import DEAD_LETTER_REASON, Param, Payload, RetryableError, TriggerEvent

__all__ = ["subscribe"]


async def subscribe(
    conn: MqttConnection,
    topic: Annotated[
        str, Param("The topic filter (`+` and `#` wildcards allowed).", example="clinic/+/orders")
    ],
    *,
    qos: Annotated[
        Literal[1, 2], Param("The subscription's quality of service: 1 (at least once) or 2.")
    ] = 1,
    clientId: Annotated[
        str | None,
        Param(
            "The client id that names the broker's session; keep it stable and unique per subscriber. By"
            " default it is made from the connection's name and the topic."
        ),
    ] = None,
    inFlight: Annotated[
        int,
        Param("Messages the broker may send before earlier ones are acknowledged (MQTT 5 Receive Maximum)."),
        Field(gt=0, le=65535),
    ] = 10,
    sessionExpiry: Annotated[
        int,
        Param("Seconds the broker keeps the session, and the messages for it, while the trigger is away."),
        Field(gt=0),
    ] = 86400,
    deadLetterTopic: Annotated[
        str | None,
        Param(
            "A topic that takes each message whose attempts ran out (published with QoS 1 before the"
            " message is acknowledged; with MQTT 5 the user property `x-interlace-dead-letter-reason`"
            " says why); if not given, or with MQTT 3.1.1, the inbound endpoint's dead-letter store"
            " takes them.",
            example="clinic/dead",
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The payload's content type when the message carries none;"
            " `application/octet-stream` if not given."
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each message published to a topic, from a persistent session.

    The payload is the message's payload, with its MQTT 5 content type; headers are its MQTT 5 user
    properties; attributes are `topic`, `qos`, `retain` and `mid`. A message is acknowledged after its
    flow has finished. A failed one is delivered again, and after its last attempt published to
    `deadLetterTopic` and acknowledged.
    """
    identifier = clientId or _client_id(conn.name, topic)
    doing = f"subscribing to {topic!r} as {identifier!r} on connection {conn.name} ({conn.where})"
    flight = _InFlight()
    while True:  # one round per session: a nack with requeue ends it so the broker sends again
        client = conn.client(identifier=identifier, session_expiry=sessionExpiry, receive_maximum=inFlight)
        # Acknowledged by hand, when the flow has finished (paho's option, under the asyncio client).
        client._client.manual_ack_set(True)
        inbox: asyncio.Queue[aiomqtt.Message] = asyncio.Queue()
        try:
            async with client:
                await client.subscribe(topic, qos=qos)
                pump = asyncio.create_task(_pump(client, inbox))
                try:
                    while not (flight.replay and flight.count == 0):
                        message = await _next(inbox, flight, pump)
                        if message is None:
                            continue
                        flight.count += 1
                        delivery = _MqttDelivery(client, message, flight, deadLetterTopic, doing)
                        yield _event(message, contentType, delivery)
                finally:
                    pump.cancel()
                    with contextlib.suppress(asyncio.CancelledError, *CLIENT_ERRORS):
                        await pump
        except CLIENT_ERRORS as exc:
            raise mqtt_failure(exc, doing) from exc
        flight.replay = False


async def _pump(client: aiomqtt.Client, inbox: asyncio.Queue[aiomqtt.Message]) -> None:
    async for message in client.messages:
        inbox.put_nowait(message)
    raise RetryableError("the broker closed the connection")


async def _next(
    inbox: asyncio.Queue[aiomqtt.Message], flight: _InFlight, pump: asyncio.Task[None]
) -> aiomqtt.Message | None:
    """The next message, or ``None`` when a settlement came first (the caller checks for a replay)."""
    getting = asyncio.ensure_future(inbox.get())
    settled = asyncio.ensure_future(flight.changed.wait())
    try:
        await asyncio.wait({getting, settled, pump}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        settled.cancel()
        if not getting.done():
            getting.cancel()
    flight.changed.clear()
    if getting.done() and not getting.cancelled():
        return getting.result()
    if pump.done():
        pump.result()  # raises what ended the pump
    return None


class _InFlight:
    """Messages handed out and not settled; whether a nack asked for the session to be replayed."""

    def __init__(self) -> None:
        self.count = 0
        self.replay = False
        self.changed = asyncio.Event()

    def settle(self, *, replay: bool = False) -> None:
        self.count -= 1
        self.replay = self.replay or replay
        self.changed.set()


class _MqttDelivery:
    """Settles one message: PUBACK (by hand); a nack with requeue leaves it to the session's replay."""

    __slots__ = ("_client", "_dead_letters", "_doing", "_flight", "_message")

    def __init__(
        self,
        client: aiomqtt.Client,
        message: aiomqtt.Message,
        flight: _InFlight,
        dead_letters: str | None,
        doing: str,
    ) -> None:
        self._client = client
        self._message = message
        self._flight = flight
        self._dead_letters = dead_letters
        self._doing = doing

    async def ack(self) -> None:
        try:
            self._puback()
        finally:
            self._flight.settle()

    async def nack(self, *, requeue: bool) -> None:
        if requeue:
            self._flight.settle(replay=True)
            return
        try:
            if self._dead_letters is not None:
                await self._publish(self._dead_letters, self._message.properties)
            self._puback()
        finally:
            self._flight.settle()

    async def dead_letter(self, reason: str) -> bool:
        properties = self._message.properties  # MQTT 5 only: user properties carry the reason
        if self._dead_letters is None or properties is None:
            return False
        marked = copy.copy(properties)
        marked.UserProperty = [
            *(getattr(properties, "UserProperty", None) or []),
            (DEAD_LETTER_REASON, reason),
        ]
        try:
            await self._publish(self._dead_letters, marked)
            self._puback()
        finally:
            self._flight.settle()
        return True

    async def _publish(self, topic: str, properties: Properties | None) -> None:
        try:
            await self._client.publish(topic, self._message.payload, qos=1, properties=properties)
        except CLIENT_ERRORS as exc:
            raise mqtt_failure(exc, f"{self._doing}, publishing to {topic!r}") from exc

    def _puback(self) -> None:
        code = self._client._client.ack(self._message.mid, self._message.qos)
        if code != 0:
            raise RetryableError(
                f"{self._doing}: acknowledging message {self._message.mid} failed ({code});"
                " the broker will deliver it again"
            )


def _event(message: aiomqtt.Message, content_type: str | None, delivery: _MqttDelivery) -> TriggerEvent:
    properties = message.properties
    media = getattr(properties, "ContentType", None) or content_type or "application/octet-stream"
    user = getattr(properties, "UserProperty", None) or []
    payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
    attributes: dict[str, Any] = {
        "topic": message.topic.value,
        "qos": message.qos,
        "retain": bool(message.retain),
        "mid": message.mid,
    }
    return TriggerEvent(Payload(payload, media), headers=dict(user), attributes=attributes, delivery=delivery)


def _client_id(connection: str, topic: str) -> str:
    # Stable across restarts, so the session (and the messages waiting in it) is found again.
    digest = hashlib.sha256(f"{connection}\0{topic}".encode()).hexdigest()[:12]
    return f"interlace-{connection[:20]}-{digest}"
