"""The live ``rabbitmq`` connection: one robust AMQP connection, and a confirming channel to publish on."""

from __future__ import annotations

import contextlib
import ssl

import aio_pika
import aiormq.exceptions
from aio_pika.abc import AbstractChannel, AbstractRobustConnection

from interlace.connectors.rabbitmq.config import RabbitMqConfig
from interlace.sdk import Connection, ConnectorError, FatalError, RetryableError

__all__ = ["BROKER_ERRORS", "RabbitMqConnection", "broker_failure"]

BROKER_ERRORS = (
    aiormq.exceptions.AMQPError,
    aiormq.exceptions.ChannelInvalidStateError,
    OSError,
    TimeoutError,
)
"""What the AMQP client raises when the broker, the network or a channel fails (not a bug of ours)."""


class RabbitMqConnection(Connection[RabbitMqConfig]):
    """One AMQP connection shared by all operations and triggers on it; it reconnects by itself.

    Operations publish on one channel in confirm mode (safe to share: aio-pika serialises frames);
    each trigger opens a channel of its own, so its prefetch and its deliveries are its own.
    """

    _amqp: AbstractRobustConnection | None = None
    _publishing: AbstractChannel | None = None

    @property
    def where(self) -> str:
        """The broker as messages name it: ``host:port/vhost`` (never credentials)."""
        return f"{self.config.host}:{self.config.port}{_vhost_path(self.config.virtual_host)}"

    async def open(self) -> None:
        config = self.config
        try:
            self._amqp = await aio_pika.connect_robust(
                host=config.host,
                port=config.port,
                virtualhost=config.virtual_host,
                login=config.username,
                password=config.password.reveal() if config.password is not None else "",
                ssl=config.tls,
                ssl_context=ssl.create_default_context() if config.tls else None,
                timeout=config.timeout,
                client_properties={"connection_name": f"interlace:{self.name}"},
                heartbeat=config.heartbeat,
            )
        except BROKER_ERRORS as exc:
            raise broker_failure(
                exc, f"connecting connection {self.name} to RabbitMQ at {self.where}"
            ) from exc

    async def ping(self) -> None:
        channel = await self.channel("ping")
        await channel.close()

    async def channel(self, doing: str, *, returns_raise: bool = False) -> AbstractChannel:
        """A new channel (publisher confirms on; with ``returns_raise`` an unroutable mandatory message
        raises); the caller closes it."""
        try:
            return await self._connection(doing).channel(on_return_raises=returns_raise)
        except BROKER_ERRORS as exc:
            raise broker_failure(exc, f"{doing} on connection {self.name} ({self.where})") from exc

    async def publishing_channel(self, doing: str) -> AbstractChannel:
        """The shared channel operations publish on; opened again if the broker closed it (it closes a
        channel on a channel-level error, such as publishing to a missing exchange)."""
        if self._publishing is None or self._publishing.is_closed:
            self._publishing = await self.channel(doing, returns_raise=True)
        return self._publishing

    def _connection(self, doing: str) -> AbstractRobustConnection:
        if self._amqp is None:
            raise RetryableError(f"{doing}: connection {self.name} to RabbitMQ at {self.where} is not open")
        return self._amqp

    async def aclose(self) -> None:
        amqp, self._amqp, self._publishing = self._amqp, None, None
        if amqp is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the socket goes anyway
                await amqp.close()


def broker_failure(exc: Exception, doing: str) -> ConnectorError:
    """The SDK error for an aio-pika / aiormq failure while ``doing`` something: refused credentials and
    access, missing or mismatched queues and exchanges are fatal; a lost or refused connection and a
    timeout are transient."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, aiormq.exceptions.ProbableAuthenticationError | aiormq.exceptions.AuthenticationError):
        return FatalError(f"{doing}: the broker refused the user name or password ({detail})")
    if isinstance(exc, aiormq.exceptions.ChannelAccessRefused | aiormq.exceptions.ConnectionNotAllowed):
        return FatalError(f"{doing}: access refused ({detail})")
    if isinstance(exc, aiormq.exceptions.ChannelNotFoundEntity):
        return FatalError(f"{doing}: not found on the broker ({detail})")
    if isinstance(exc, aiormq.exceptions.ChannelPreconditionFailed):
        return FatalError(f"{doing}: the broker's definition differs ({detail})")
    return RetryableError(f"{doing}: {detail}")


def _vhost_path(vhost: str) -> str:
    return vhost if vhost.startswith("/") else f"/{vhost}"
