"""The live ``redis`` connection: one asyncio client with its pool of sockets, and the sorting of errors."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

import redis.asyncio as aioredis
import redis.exceptions as rex

from interlace.connectors.redis.config import RedisConfig
from interlace.sdk import Connection, ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["RedisConnection", "redis_failure"]


class RedisConnection(Connection[RedisConfig]):
    """One client shared by all operations and triggers; redis-py's pool gives each command a socket."""

    _client: aioredis.Redis | None = None

    @property
    def where(self) -> str:
        """The server as messages name it (the URL has no credentials)."""
        parts = urlsplit(self.config.url)
        return f"{parts.hostname or parts.path}:{parts.port or 6379}"

    @property
    def client(self) -> aioredis.Redis:
        """The client; :class:`RetryableError` if the connection is not open."""
        if self._client is None:
            raise RetryableError(f"connection {self.name} to Redis at {self.where} is not open")
        return self._client

    async def open(self) -> None:
        config = self.config
        self._client = aioredis.Redis.from_url(
            config.url,
            username=config.username,
            password=config.password.reveal() if config.password is not None else None,
            socket_connect_timeout=config.timeout,
            max_connections=config.max_connections,
            client_name=f"interlace:{self.name}",
        )
        # Connect now, so wrong credentials and an unreachable server show when the connection opens.
        await self.ping()

    async def ping(self) -> None:
        try:
            await self.client.ping()
        except rex.RedisError as exc:
            raise redis_failure(exc, f"connecting connection {self.name} to Redis at {self.where}") from exc

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the sockets go anyway
                await client.aclose()


def redis_failure(exc: rex.RedisError, doing: str) -> ConnectorError:
    """The SDK error for a redis-py failure while ``doing`` something: refused credentials or
    permissions are fatal, a lost connection, a timeout or a loading server transient, a refused
    command (wrong type of key, bad argument) the input's fault."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, rex.AuthenticationError | rex.AuthenticationWrongNumberOfArgsError):
        return FatalError(f"{doing}: the server refused the user name or password ({detail})")
    if isinstance(exc, rex.AuthorizationError | rex.NoPermissionError):
        return FatalError(f"{doing}: the user may not do this ({detail})")
    if isinstance(exc, rex.ConnectionError | rex.TimeoutError | rex.TryAgainError):
        return RetryableError(f"{doing}: {detail}")
    if isinstance(exc, rex.ResponseError) and detail.startswith(("WRONGPASS", "NOAUTH")):
        return FatalError(f"{doing}: the server refused the user name or password ({detail})")
    if isinstance(exc, rex.ReadOnlyError | rex.OutOfMemoryError | rex.BusyLoadingError):
        return RetryableError(f"{doing}: {detail}")
    if isinstance(exc, rex.ResponseError | rex.DataError):
        return InvalidInput(f"{doing}: the server refused the command ({detail})")
    return RetryableError(f"{doing}: {detail}")
