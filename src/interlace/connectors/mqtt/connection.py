"""The live ``mqtt`` connection: a client to publish with, and clients of their own for triggers."""

from __future__ import annotations

import contextlib
import ssl

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from interlace.connectors.mqtt.config import MqttConfig
from interlace.sdk import Connection, ConnectorError, FatalError, RetryableError

__all__ = ["CLIENT_ERRORS", "MqttConnection", "mqtt_failure"]

CLIENT_ERRORS = (aiomqtt.MqttError, OSError, TimeoutError)
"""What the MQTT client raises when the broker or the network fails."""

# CONNACK reason codes (3.1.1 and 5) that retrying will not fix: bad credentials, not authorised,
# banned, a refused client id.
_REFUSED = {2, 4, 5, 133, 134, 135, 138, 140}


class MqttConnection(Connection[MqttConfig]):
    """One client for operations (publishing is safe from concurrent tasks); each trigger makes its own
    with :meth:`client`, since a subscription's session belongs to one client id."""

    _publisher: aiomqtt.Client | None = None

    @property
    def where(self) -> str:
        """The broker as messages name it."""
        return f"{self.config.host}:{self.config.port}"

    @property
    def v5(self) -> bool:
        """Whether the connection speaks MQTT 5."""
        return self.config.protocol == "5"

    def client(
        self,
        *,
        identifier: str | None = None,
        session_expiry: int | None = None,
        receive_maximum: int | None = None,
    ) -> aiomqtt.Client:
        """A new client (``async with`` it): with ``identifier`` and ``session_expiry`` its session is
        kept by the broker while it is away (so unacknowledged messages wait for it)."""
        config = self.config
        properties = None
        if self.v5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            if session_expiry is not None:
                properties.SessionExpiryInterval = session_expiry
            if receive_maximum is not None:
                properties.ReceiveMaximum = receive_maximum
        persistent = identifier is not None and session_expiry is not None
        return aiomqtt.Client(
            config.host,
            config.port,
            identifier=identifier,
            username=config.username,
            password=config.password.reveal() if config.password is not None else None,
            protocol=aiomqtt.ProtocolVersion.V5 if self.v5 else aiomqtt.ProtocolVersion.V311,
            clean_session=None if self.v5 else not persistent,
            clean_start=not persistent,
            properties=properties,
            keepalive=config.keepalive,
            timeout=config.timeout,
            tls_context=ssl.create_default_context() if config.tls else None,
        )

    @property
    def publisher(self) -> aiomqtt.Client:
        """The client operations publish with; :class:`RetryableError` if the connection is not open."""
        if self._publisher is None:
            raise RetryableError(f"connection {self.name} to MQTT broker {self.where} is not open")
        return self._publisher

    async def open(self) -> None:
        publisher = self.client()
        try:
            await publisher.__aenter__()
        except CLIENT_ERRORS as exc:
            raise mqtt_failure(exc, f"connecting connection {self.name} to MQTT broker {self.where}") from exc
        self._publisher = publisher

    async def ping(self) -> None:
        probe = self.client()
        try:
            async with probe:
                pass
        except CLIENT_ERRORS as exc:
            raise mqtt_failure(exc, f"connecting connection {self.name} to MQTT broker {self.where}") from exc

    async def aclose(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the socket goes anyway
                await publisher.__aexit__(None, None, None)


def mqtt_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an MQTT client failure while ``doing`` something: a broker refusing the
    credentials or the client is fatal; a lost connection or a timeout transient."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, aiomqtt.MqttCodeError):
        code = exc.rc if isinstance(exc.rc, int) else getattr(exc.rc, "value", None)
        if isinstance(exc, MqttConnectError) and code in _REFUSED:
            return FatalError(f"{doing}: the broker refused the connection ({detail})")
    return RetryableError(f"{doing}: {detail}")
