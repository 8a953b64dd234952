"""ConnectionPool: the live side of a named connection — opened lazily, shared or pooled, tested,
and closed once the operations in flight on it have finished.

One pool per connection of a deployment. Operations borrow with ``async with pool.use() as conn``.
A connector without ``pool_size`` shares one :class:`~interlace.sdk.Connection` among all operations
(the SDK contract says it must be safe to); with ``pool_size`` N, up to N objects exist and each serves
one operation at a time. A failed ``open`` is retried on the next use. ``aclose`` waits for borrowers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from interlace.errors import InterlaceError
from interlace.observability.metrics import ConnectionMetrics
from interlace.sdk import Connection, ConnectionConfig, Connector, FatalError, TokenStore

__all__ = ["ConnectionPool"]

_log = logging.getLogger("interlace.connections")

AnyConnection = Connection[ConnectionConfig]


class ConnectionPool:
    """The live connections of one named connection (see the module docstring)."""

    def __init__(self, name: str, connector: Connector, config: ConnectionConfig) -> None:
        self.name = name
        self.connector = connector
        self.config = config
        self._size = connector.pool_size or 1
        self._shared = connector.pool_size is None
        self._idle: asyncio.LifoQueue[AnyConnection] | None = None
        self._created = 0
        self._opened: list[AnyConnection] = []
        self._open_lock = asyncio.Lock()
        self._borrowed = 0
        self._drained: asyncio.Event | None = None
        self._closed = False
        self.last_error: str | None = None
        self.token_store: TokenStore | None = None
        """Given to each connection object before it opens (rotated OAuth2 refresh tokens)."""
        self.metrics: ConnectionMetrics | None = None
        """Counts the operations run on it and those that failed (None: not counted)."""

    def _new(self) -> AnyConnection:
        connection: AnyConnection = self.connector.connection(self.config, name=self.name)
        connection.token_store = self.token_store
        return connection

    async def _open(self, connection: AnyConnection) -> None:
        try:
            await connection.open()
        except InterlaceError as exc:
            self.last_error = str(exc)
            raise
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            raise FatalError(
                f"connection {self.name} ({self.connector.name}) failed to open: {self.last_error}"
            ) from exc
        self.last_error = None
        self._opened.append(connection)

    async def _shared_connection(self) -> AnyConnection:
        if self._opened:
            return self._opened[0]
        async with self._open_lock:
            if not self._opened:
                await self._open(self._new())
            return self._opened[0]

    async def _borrow(self) -> AnyConnection:
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
        if self._idle.empty() and self._created < self._size:
            self._created += 1
            connection = self._new()
            try:
                await self._open(connection)
            except BaseException:
                self._created -= 1
                raise
            return connection
        return await self._idle.get()

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[Any]:
        """Borrow an opened connection for one operation."""
        if self._closed:
            raise FatalError(
                f"connection {self.name} is closed: its deployment was replaced or stopped", status=503
            )
        self._borrowed += 1
        metrics = self.metrics
        if metrics is not None:
            metrics.operations.inc()
        try:
            if self._shared:
                yield await self._shared_connection()
                return
            connection = await self._borrow()
            try:
                yield connection
            finally:
                assert self._idle is not None
                self._idle.put_nowait(connection)
        except Exception:
            if metrics is not None:
                metrics.errors.inc()
            raise
        finally:
            self._borrowed -= 1
            if self._borrowed == 0 and self._drained is not None:
                self._drained.set()

    async def test(self) -> None:
        """Open the connection if needed and ping it; raises the connector's error when it fails."""
        async with self.use() as connection:
            try:
                await connection.ping()
            except InterlaceError as exc:
                self.last_error = str(exc)
                raise
            self.last_error = None

    @property
    def state(self) -> str:
        """``closed``, ``idle`` (never opened), ``failed`` (last open or ping failed) or ``open``."""
        if self._closed:
            return "closed"
        if self.last_error is not None:
            return "failed"
        return "open" if self._opened else "idle"

    async def aclose(self, grace: float = 30.0) -> None:
        """Refuse new borrowers, wait (up to ``grace`` seconds) for the ones in flight, close every object."""
        if self._closed:
            return
        self._closed = True
        if self._borrowed:
            self._drained = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), grace)
        opened, self._opened = self._opened, []
        for connection in opened:
            try:
                await connection.aclose()
            except Exception:
                _log.exception("connection %s did not close cleanly", self.name)
