"""Settings of an ``mqtt`` connection: the broker, the protocol version and how to log in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["MqttConfig"]


class MqttConfig(ConnectionConfig):
    """An MQTT broker (Mosquitto, EMQX, HiveMQ, ...).

    Protocol 5 is preferred: with it the `subscribe` trigger tells the broker how many messages it may
    have in flight (Receive Maximum). With 3.1.1 the broker's own in-flight limit applies.
    """

    host: str = "localhost"
    """The broker's host name or address."""

    port: Annotated[int, Field(gt=0, lt=65536)] = 1883
    """The broker's port (8883 is usual with TLS)."""

    username: str | None = None
    """The user to log in as."""

    password: Secret | None = None
    """The user's password."""

    tls: bool = False
    """Connect with TLS, checking the broker's certificate against the system's trusted ones."""

    protocol: Literal["5", "3.1.1"] = "5"
    """The MQTT version: `5` or `3.1.1`."""

    keepalive: Annotated[int, Field(gt=0)] = 60
    """Seconds between keep-alive pings that detect a dead connection."""

    timeout: Annotated[float, Field(gt=0)] = 10.0
    """Seconds to wait for the broker: to connect, and to acknowledge a publish."""
