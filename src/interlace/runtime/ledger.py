"""The bundle ledger: which bundle of each project the nodes sharing a coordination database run.

A server whose home project names a coordination database (``[coordination]``) keeps there, besides
the leases, every bundle deployed through any of its nodes (``interlace_bundles``: name, version and
the bundle's bytes) and the version of each project that is active (``interlace_active``: one row per
project, a change number from one sequence, the node that made the change; no version once the
project was undeployed). A change is announced on the channel ``interlace_bundles``; each node runs
what the ledger names (:mod:`interlace.runtime.cluster`), so a bundle deployed to one node is served by
all, and a node that starts later, or missed an announcement, catches up when it reads the ledger.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["CHANNEL", "ActiveBundle", "BundleLedger"]

CHANNEL: Final = "interlace_bundles"
_log = logging.getLogger("interlace.runtime")

_CREATE: Final = """
CREATE TABLE IF NOT EXISTS interlace_bundles (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    bundle BYTEA NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS interlace_active (
    name TEXT PRIMARY KEY,
    version TEXT,
    change BIGINT NOT NULL,
    node TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE SEQUENCE IF NOT EXISTS interlace_bundle_changes"""

_ACTIVATE: Final = """
INSERT INTO interlace_active (name, version, change, node)
VALUES ($1, $2, nextval('interlace_bundle_changes'), $3)
ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, change = EXCLUDED.change,
    node = EXCLUDED.node, at = now()
RETURNING change"""


@dataclass(frozen=True, slots=True)
class ActiveBundle:
    """Project ``name`` runs ``version`` (None: undeployed) since change ``change``, made by ``node``."""

    name: str
    version: str | None
    change: int
    node: str


def _ledger_errors() -> tuple[type[Exception], ...]:
    import asyncpg

    return (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


class BundleLedger:
    """The ledger in the database at ``dsn``, written and read by node ``node``. Connects lazily (a
    small pool, and one connection that listens), and again after losing the database. Used from the
    runtime's event loop; every method raises the database's errors (see :attr:`errors`)."""

    def __init__(self, dsn: str, node: str) -> None:
        self.dsn = dsn
        self.node = node
        self._pool: Any = None
        self._listener: Any = None
        self._connecting = asyncio.Lock()

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What the methods raise when the database cannot be reached or refuses."""
        return _ledger_errors()

    async def _connection_pool(self) -> Any:
        async with self._connecting:
            if self._pool is None:
                import asyncpg  # imported by the servers that coordinate, not by every one

                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=2)
                try:
                    async with pool.acquire() as connection, connection.transaction():
                        # Nodes starting together would race to create the tables.
                        await connection.execute(
                            "SELECT pg_advisory_xact_lock(hashtext('interlace_bundles'))"
                        )
                        await connection.execute(_CREATE)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool
            return self._pool

    async def publish(self, name: str, version: str, bundle: bytes | None) -> int:
        """Note that ``version`` of ``name`` is active (with its bundle's bytes, unless the ledger has
        them already: a rollback); the change's number."""
        pool = await self._connection_pool()
        async with pool.acquire() as connection, connection.transaction():
            if bundle is not None:
                await connection.execute(
                    "INSERT INTO interlace_bundles (name, version, bundle) VALUES ($1, $2, $3) "
                    "ON CONFLICT (name, version) DO UPDATE SET bundle = EXCLUDED.bundle",
                    name,
                    version,
                    bundle,
                )
            change = int(await connection.fetchval(_ACTIVATE, name, version, self.node))
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(change))
        return change

    async def has(self, name: str, version: str) -> bool:
        """Whether the ledger holds the bundle of ``version`` of ``name``."""
        pool = await self._connection_pool()
        found = await pool.fetchval(
            "SELECT 1 FROM interlace_bundles WHERE name = $1 AND version = $2", name, version
        )
        return found is not None

    async def undeploy(self, name: str) -> None:
        """Note that ``name`` is undeployed (every node stops it) and forget its bundles."""
        pool = await self._connection_pool()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("DELETE FROM interlace_bundles WHERE name = $1", name)
            change = await connection.fetchval(_ACTIVATE, name, None, self.node)
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(change))

    async def remove(self, name: str, version: str) -> None:
        """Forget the bundle of ``version`` of ``name`` (not the active one)."""
        pool = await self._connection_pool()
        await pool.execute("DELETE FROM interlace_bundles WHERE name = $1 AND version = $2", name, version)

    async def active(self) -> list[ActiveBundle]:
        """What the ledger says each project runs, in the order of the changes."""
        pool = await self._connection_pool()
        rows = await pool.fetch("SELECT name, version, change, node FROM interlace_active ORDER BY change")
        return [ActiveBundle(row["name"], row["version"], int(row["change"]), row["node"]) for row in rows]

    async def bundle(self, name: str, version: str) -> bytes | None:
        """The bytes of the bundle of ``version`` of ``name``; None when the ledger no longer holds it."""
        pool = await self._connection_pool()
        data = await pool.fetchval(
            "SELECT bundle FROM interlace_bundles WHERE name = $1 AND version = $2", name, version
        )
        return None if data is None else bytes(data)

    async def listen(self, announced: Callable[[], None]) -> None:
        """Call ``announced`` on every change announced from now on (until :meth:`aclose`, or until the
        listening connection is lost: then call again)."""
        import asyncpg

        await self._connection_pool()
        await self._stop_listening()
        connection = await asyncpg.connect(self.dsn)
        await connection.add_listener(CHANNEL, lambda *_: announced())
        self._listener = connection

    @property
    def listening(self) -> bool:
        """Whether the listening connection is open."""
        return self._listener is not None and not self._listener.is_closed()

    async def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            try:
                await listener.close(timeout=2)
            except Exception:
                listener.terminate()

    async def reset(self) -> None:
        """Drop the connections after an error (the next call connects again)."""
        await self._stop_listening()
        async with self._connecting:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    async def aclose(self) -> None:
        await self._stop_listening()
        async with self._connecting:
            pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
