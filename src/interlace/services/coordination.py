"""Coordination: among nodes sharing a PostgreSQL database, exactly one runs each coordinated task or
inbound endpoint, by holding a lease on it.

A lease is a row of ``interlace_leases`` (name, holder, expiry). A node takes a lease that is free or
expired, renews its own every ``renew`` seconds (each renewal moves the expiry ``lease`` seconds ahead)
and deletes it when it stops, announcing it on the channel ``interlace_leases``: the nodes waiting for
it try at once rather than at their next try. A node that dies stops renewing, and another node takes
the lease over once it expired. Expiries are computed by the database's clock, so the nodes' clocks do
not matter. A holder that cannot renew (the database is unreachable, or the lease was taken) stops its
work at once: with ``renew`` well below ``lease``, it stops before another node can take over.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import secrets
import socket
from collections.abc import Callable, Coroutine
from typing import Any

from interlace.errors import ConfigError, interlace_extra, missing_library
from interlace.services.schedule import Wait, wait_or_stop

__all__ = ["LEASE_TABLE", "Coordinator", "default_node_name"]

_log = logging.getLogger("interlace.services")

LEASE_TABLE = "interlace_leases"


def _lease_errors() -> tuple[type[Exception], ...]:
    """What taking or giving up a lease may raise: the network's and asyncpg's errors (asyncpg is
    imported by the servers that coordinate, not by every one)."""
    import asyncpg

    return (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


_CREATE = f"""
CREATE TABLE IF NOT EXISTS {LEASE_TABLE} (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
)"""

# Taken when free or expired, renewed when already ours; the row comes back only when we hold it.
_ACQUIRE = f"""
INSERT INTO {LEASE_TABLE} AS lease (name, holder, expires)
VALUES ($1, $2, now() + make_interval(secs => $3))
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
WHERE lease.holder = EXCLUDED.holder OR lease.expires < now()
RETURNING holder"""

_CHANNEL = "interlace_leases"
_RELEASE = f"""
WITH gone AS (DELETE FROM {LEASE_TABLE} WHERE name = $1 AND holder = $2 RETURNING name)
SELECT pg_notify('{_CHANNEL}', name) FROM gone"""


def default_node_name() -> str:
    """A name for a node: host name, process id and a random part (two runtimes of one process, or a
    restarted process, are different nodes)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Coordinator:
    """The leases of one node in the coordination database at ``dsn``.

    Connects lazily (a small pool), and again after losing the database. Used by the supervisor from
    the runtime's event loop; ``aclose`` after they stopped (their leases are released by then).
    """

    def __init__(
        self,
        dsn: str,
        *,
        node: str | None = None,
        lease: float = 15.0,
        renew: float = 5.0,
        wait: Wait = wait_or_stop,
    ) -> None:
        if renew >= lease:
            raise ValueError(f"renew must be shorter than lease ({lease:g}s) (got {renew:g}s)")
        if importlib.util.find_spec("asyncpg") is None:
            raise ConfigError(missing_library("coordination", "asyncpg", interlace_extra("postgres")))
        self.dsn = dsn
        self.node = node or default_node_name()
        self.lease = lease
        self.renew = renew
        self._wait = wait
        self._pool: Any = None
        self._listener: Any = None
        self._freed: dict[str, list[asyncio.Event]] = {}  # by lease: set when another node gives it up
        self._connecting = asyncio.Lock()

    async def _connection_pool(self) -> Any:
        async with self._connecting:
            if self._pool is None:
                import asyncpg  # imported by the servers that coordinate, not by every one

                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=4)
                try:
                    async with pool.acquire() as connection, connection.transaction():
                        # Nodes starting together would race to create the table (one of them
                        # failing on the catalog's unique index), so they take turns.
                        await connection.execute(f"SELECT pg_advisory_xact_lock(hashtext('{LEASE_TABLE}'))")
                        await connection.execute(_CREATE)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool
                await self._listen()
            return self._pool

    async def _listen(self) -> None:
        """Learn of the leases other nodes give up (best effort: without it, the next try finds them)."""
        import asyncpg

        try:
            self._listener = await asyncpg.connect(self.dsn)
            await self._listener.add_listener(_CHANNEL, self._released)
        except _lease_errors() as exc:
            _log.info("coordination: released leases are found at the next try (%s)", exc)
            await self._stop_listening()

    def _released(self, connection: object, pid: int, channel: str, name: str) -> None:
        for freed in self._freed.get(name, ()):
            freed.set()

    async def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            listener.terminate()

    async def acquire(self, name: str) -> bool:
        """Take or renew lease ``name``; True when this node holds it now. Raises the database's error."""
        pool = await self._connection_pool()
        holder = await pool.fetchval(_ACQUIRE, name, self.node, self.lease)
        return bool(holder == self.node)

    async def release(self, name: str) -> None:
        """Give lease ``name`` up (if this node holds it), so another node may take it at once."""
        pool = await self._connection_pool()
        await pool.fetch(_RELEASE, name, self.node)

    async def holder(self, name: str) -> str | None:
        """The node holding lease ``name`` now, or None."""
        pool = await self._connection_pool()
        value = await pool.fetchval(
            f"SELECT holder FROM {LEASE_TABLE} WHERE name = $1 AND expires >= now()", name
        )
        return None if value is None else str(value)

    async def _try(self, name: str) -> bool:
        try:
            return await self.acquire(name)
        except _lease_errors() as exc:
            _log.warning("coordination: lease %s cannot be taken or renewed: %s", name, exc)
            await self._reset()
            return False

    async def _reset(self) -> None:
        async with self._connecting:
            await self._stop_listening()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    async def run_exclusively(
        self,
        name: str,
        work: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
        stop: asyncio.Event,
        standby: Callable[[bool], None],
    ) -> None:
        """Run ``work`` while this node holds lease ``name``, until ``stop``.

        While another node holds the lease, ``standby(True)``, and the lease is tried every ``renew``
        seconds. While held, it is renewed; when a renewal fails, ``work``'s stop event is set and the
        lease tried again once ``work`` returned. On ``stop``, ``work`` is stopped and the lease
        released. Work that ends by itself keeps the lease (a ``once`` task is not run again elsewhere).
        """
        # Listened for from before each try: a lease given up while the try is under way (found held)
        # wakes the standby that follows it, rather than being missed until the next try.
        freed = asyncio.Event()
        self._freed.setdefault(name, []).append(freed)
        try:
            while not stop.is_set():
                freed.clear()
                if not await self._try(name):
                    standby(True)
                    if await self._standby(freed, stop):
                        return
                    continue
                standby(False)
                _log.info("coordination: node %s holds %s", self.node, name)
                if await self._hold(name, work, stop):
                    return
        finally:
            standby(False)
            waiting = self._freed.get(name, [])
            waiting.remove(freed)
            if not waiting:
                self._freed.pop(name, None)

    async def _standby(self, freed: asyncio.Event, stop: asyncio.Event) -> bool:
        """Wait ``renew`` seconds, less when the lease is given up (``freed``); True when stopped."""
        wake = asyncio.Event()
        watchers = [asyncio.ensure_future(event.wait()) for event in (stop, freed)]
        for watcher in watchers:
            watcher.add_done_callback(lambda _: wake.set())
        try:
            await self._wait(wake, self.renew)
        finally:
            for watcher in watchers:
                watcher.cancel()
        return stop.is_set()

    async def _hold(
        self, name: str, work: Callable[[asyncio.Event], Coroutine[Any, Any, None]], stop: asyncio.Event
    ) -> bool:
        """Run ``work`` and renew the lease; True when stopped (lease released), False when it was lost."""
        inner = asyncio.Event()
        task = asyncio.create_task(work(inner), name=f"coordinated {name}")
        try:
            while True:
                if await self._wait(stop, self.renew):
                    inner.set()
                    await task
                    try:
                        await self.release(name)
                    except _lease_errors() as exc:
                        _log.warning("coordination: lease %s not released (it expires): %s", name, exc)
                    return True
                if not await self._try(name):
                    _log.warning("coordination: node %s lost %s; stopping it here", self.node, name)
                    inner.set()
                    await task
                    return False
        except BaseException:
            # Cancelled (the runtime gave up waiting): the work stops, the lease is left to expire.
            task.cancel()
            await asyncio.wait({task})
            raise

    async def aclose(self) -> None:
        """Close the connections; leases not released expire."""
        async with self._connecting:
            await self._stop_listening()
            pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
