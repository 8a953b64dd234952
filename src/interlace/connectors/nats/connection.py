"""The live ``nats`` connection: one client (it reconnects by itself) and its JetStream context."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from interlace.connectors.nats.config import NatsConfig
from interlace.sdk import Connection, ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["CLIENT_ERRORS", "NatsConnection", "nats_failure"]

_log = logging.getLogger(__name__)

CLIENT_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)
"""What the NATS client raises when a server, the network or JetStream fails."""


class NatsConnection(Connection[NatsConfig]):
    """One NATS client shared by all operations and triggers on the connection; it is safe to share."""

    _client: Client | None = None
    _last_error: str | None = None

    @property
    def where(self) -> str:
        """The servers as messages name them (never credentials)."""
        return ", ".join(self.config.servers)

    @property
    def jetstream(self) -> JetStreamContext:
        """The JetStream context; :class:`RetryableError` if the connection is not open."""
        if self._client is None:
            raise RetryableError(f"connection {self.name} to NATS at {self.where} is not open")
        return self._client.jetstream(timeout=self.config.timeout)

    async def open(self) -> None:
        config = self.config
        try:
            # The first connection is tried twice, reconnect-wait apart (the client would otherwise retry
            # an unreachable server for minutes); once connected, it reconnects for as long as it lives.
            client = await nats.connect(
                servers=list(config.servers),
                user=config.user,
                password=config.password.reveal() if config.password is not None else None,
                token=config.token.reveal() if config.token is not None else None,
                tls=ssl.create_default_context() if config.tls else None,
                name=f"interlace:{self.name}",
                connect_timeout=max(1, round(config.timeout)),
                reconnect_time_wait=config.reconnect_wait,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                error_cb=self._report,
            )
        except CLIENT_ERRORS as exc:
            doing = f"connecting connection {self.name} to NATS at {self.where}"
            if isinstance(exc, nats.errors.NoServersError) and self._last_error is not None:
                raise nats_failure(exc, f"{doing} ({self._last_error})") from exc
            raise nats_failure(exc, doing) from exc
        client.options["allow_reconnect"] = True
        client.options["max_reconnect_attempts"] = -1
        self._client = client

    async def ping(self) -> None:
        if self._client is None or not self._client.is_connected:
            raise RetryableError(f"connection {self.name} to NATS at {self.where} is not connected")
        try:
            await self._client.flush(timeout=max(1, round(self.config.timeout)))
        except CLIENT_ERRORS as exc:
            raise nats_failure(exc, f"pinging NATS at {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the socket goes anyway
                await client.close()

    async def _report(self, exc: Exception) -> None:
        self._last_error = str(exc) or type(exc).__name__
        _log.warning("NATS connection %s (%s): %s", self.name, self.where, exc or type(exc).__name__)


def nats_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for a NATS client failure while ``doing`` something: refused credentials or
    permissions and a missing stream or consumer are fatal, a malformed request the input's fault, a
    lost connection, a timeout or an unavailable JetStream transient."""
    detail = str(exc) or type(exc).__name__
    text = detail.lower()
    if isinstance(exc, nats.errors.AuthorizationError) or "authorization violation" in text:
        return FatalError(f"{doing}: the server refused the credentials ({detail})")
    if "permissions violation" in text:
        return FatalError(f"{doing}: the user may not do this ({detail})")
    if isinstance(exc, nats.js.errors.NotFoundError):
        return FatalError(f"{doing}: not found on the server ({detail})")
    if isinstance(
        exc, nats.js.errors.BadRequestError | nats.errors.BadSubjectError | nats.errors.MaxPayloadError
    ):
        return InvalidInput(f"{doing}: the server refused the request ({detail})")
    return RetryableError(f"{doing}: {detail}")
