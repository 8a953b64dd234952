"""Settings of a ``rabbitmq`` connection: where the broker is and how to log in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["RabbitMqConfig"]


class RabbitMqConfig(ConnectionConfig):
    """A RabbitMQ broker reached over AMQP 0-9-1.

    The connection reconnects by itself when the broker goes away; a consuming trigger then picks up where
    the queue is, and messages it had not acknowledged are delivered again.
    """

    host: str = "localhost"
    """The broker's host name or address."""

    port: Annotated[int, Field(gt=0, lt=65536)] = 5672
    """The broker's AMQP port (5671 is usual with TLS)."""

    virtual_host: str = "/"
    """The virtual host to use."""

    username: str = "guest"
    """The user to log in as."""

    password: Secret | None = None
    """The user's password."""

    tls: bool = False
    """Connect with TLS, checking the broker's certificate against the system's trusted ones."""

    timeout: Annotated[float, Field(gt=0)] = 10.0
    """Seconds to wait for the broker when connecting."""

    heartbeat: Annotated[int, Field(ge=0)] = 60
    """Seconds between heartbeats that detect a dead connection; 0 turns them off."""
