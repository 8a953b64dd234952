"""The live ``db`` connection: one SQLAlchemy async engine with its pool, and atomic units of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from interlace.connectors.db.config import DbConfig, engine_url, shown_url
from interlace.connectors.db.failures import StatementFailed, connect_failure, statement_failure
from interlace.sdk import Connection, ConnectorError, FatalError

__all__ = ["DbConnection"]

T = TypeVar("T")

# Each driver's name for the connect timeout, in seconds.
_CONNECT_TIMEOUT = {"asyncpg": "timeout", "aiomysql": "connect_timeout", "aiosqlite": "timeout"}


class DbConnection(Connection[DbConfig]):
    """One async engine, whose pool (up to ``pool-size`` database connections, checked before use)
    serves all operations on the connection; safe to use from concurrent tasks, each unit of work
    getting a database connection of its own."""

    def __init__(self, config: DbConfig, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self._url: URL = engine_url(config)
        self._engine: AsyncEngine | None = None

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite``, ``postgresql`` or ``mysql`` (MariaDB too)."""
        return self._url.get_backend_name()

    @property
    def shown_url(self) -> str:
        """The URL as messages show it, the password hidden."""
        return shown_url(self._url)

    async def open(self) -> None:
        options: dict[str, Any] = {"echo": self.config.echo, "pool_pre_ping": True}
        database = self._url.database
        if not (self.dialect == "sqlite" and database in (None, "", ":memory:")):
            # An in-memory SQLite database lives in one connection, kept by a static pool.
            options |= {
                "pool_size": self.config.pool_size,
                "max_overflow": 0,
                "pool_timeout": self.config.timeout,
            }
        timeout_argument = _CONNECT_TIMEOUT.get(self._url.get_driver_name())
        if timeout_argument is not None:
            options["connect_args"] = {timeout_argument: self.config.timeout}
        try:
            self._engine = create_async_engine(self._url, **options)
        except (sa_exc.ArgumentError, sa_exc.InvalidRequestError, ImportError) as exc:
            raise FatalError(
                f"connection {self.name}: cannot use the database URL {self.shown_url}: {exc}"
            ) from exc

    async def ping(self) -> None:
        await self.run("ping", lambda connection: connection.execute(text("SELECT 1")))

    async def aclose(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    async def run(self, operation: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``work`` on a database connection of the pool, in one transaction: committed when it
        returns, rolled back when it raises. Failures become the connector's errors (see
        :mod:`.failures`); ``operation`` names the operation in messages."""
        where = f"db.{operation} on connection {self.name}"
        engine = self._engine
        if engine is None:
            raise FatalError(f"{where}: the connection is not open")
        password = self._url.password
        secret = password if isinstance(password, str) else None
        connection = engine.connect()
        try:
            await connection.start()
        except (sa_exc.SQLAlchemyError, OSError, TimeoutError) as exc:
            raise connect_failure(exc, where, self.shown_url, secret) from exc
        try:
            async with connection.begin():
                return await work(connection)
        except ConnectorError:
            raise
        except StatementFailed as exc:
            raise statement_failure(exc.cause, where, secret, exc.position) from exc.cause
        except sa_exc.SQLAlchemyError as exc:
            raise statement_failure(exc, where, secret) from exc
        except (OSError, TimeoutError) as exc:
            raise connect_failure(exc, where, self.shown_url, secret) from exc
        finally:
            await connection.close()
