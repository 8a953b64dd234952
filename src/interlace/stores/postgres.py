"""The PostgreSQL store: a table shared by every node, so any node can store and any node can consume.

A returned ``put`` is committed (as durable as the server's ``synchronous_commit``, on by default).
Messages are ordered by an identity column. ``fetch`` claims the oldest unclaimed rows with
``FOR UPDATE SKIP LOCKED``, so two consumers never claim the same row, and marks them with the
consumer's owner token and a lease (``claimed_until``, server time). A live store renews its lease; a
closing store gives its claims back; the claims of a node that died return when their lease runs out.
Many stores can share the table, one ``store`` value each; the de-duplication window keeps the ids it has
seen in ``<table>_seen``.

The bound is checked against the store's count and bytes as the server counted them at most a second
before, plus this node's puts and removals since (:class:`~interlace.stores.bounds.UsageGauge`): a count
per put would scan the store's rows, and a shared counter row would make every put wait for the one
before it. Nodes putting at once may therefore go over the bound by what they store within a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import asyncpg

from interlace.stores._common import LeaseRenewal, closed_error, encode_for, new_owner, safe_url, store_error
from interlace.stores.bounds import Room, StoreBounds, StoreUsage, UsageGauge, put_within_bounds
from interlace.stores.message import StoredMessage, decode_message

__all__ = ["PostgresStore"]

T = TypeVar("T")

# What a failing server, network or pool raises: each becomes a StoreError naming the store.
_FAILURES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    TimeoutError,
)


class PostgresStore:
    """A message store in a PostgreSQL table (see the module docstring for claims and durability)."""

    kind: Final = "postgres"

    def __init__(
        self,
        name: str,
        dsn: str,
        *,
        table: str = "interlace_messages",
        pool_size: int = 4,
        lease: float = 30.0,
        timeout: float = 10.0,
        dedupe_window: float | None = None,
        bounds: StoreBounds | None = None,
    ) -> None:
        self._name = name
        self._bounds = bounds or StoreBounds()
        self._room = Room()
        self._gauge = UsageGauge(self._count_usage)
        self._dsn = dsn
        self._pool_size = pool_size
        self._lease = lease
        self._timeout = timeout
        self._dedupe_window = dedupe_window
        self._owner = new_owner()
        self._where = f"postgres {safe_url(dsn)} table {table}"
        self._pool: Any = None
        self._renewal = LeaseRenewal(name, lease / 3, self._renew)
        t, seen = f'"{table}"', f'"{table}_seen"'
        self._schema = f"""
            CREATE TABLE IF NOT EXISTS {t} (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                store text NOT NULL,
                id text NOT NULL,
                body bytea NOT NULL,
                owner text,
                claimed_until timestamptz,
                UNIQUE (store, id)
            );
            CREATE INDEX IF NOT EXISTS "{table}_order" ON {t} (store, seq);
            CREATE TABLE IF NOT EXISTS {seen} (
                store text NOT NULL,
                id text NOT NULL,
                stored_at timestamptz NOT NULL,
                PRIMARY KEY (store, id)
            );
        """
        self._lock_key = f"interlace.stores:{table}"
        self._insert = (
            f"INSERT INTO {t} (store, id, body) VALUES ($1, $2, $3) ON CONFLICT (store, id) DO NOTHING"
        )
        self._insert_unseen = f"""
            WITH fresh AS (
                INSERT INTO {seen} AS s (store, id, stored_at) VALUES ($1, $2, now())
                ON CONFLICT (store, id) DO UPDATE SET stored_at = now()
                WHERE s.stored_at < now() - $4 * interval '1 second'
                RETURNING 1
            )
            INSERT INTO {t} (store, id, body) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM fresh)
            ON CONFLICT (store, id) DO NOTHING
        """
        self._prune_seen = (
            f"DELETE FROM {seen} WHERE store = $1 AND stored_at < now() - $2 * interval '1 second'"
        )
        self._claim = f"""
            UPDATE {t} SET owner = $2, claimed_until = now() + $3 * interval '1 second'
            WHERE seq IN (
                SELECT seq FROM {t}
                WHERE store = $1 AND (claimed_until IS NULL OR claimed_until < now())
                ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
            )
            RETURNING seq, body
        """
        self._delete = f"DELETE FROM {t} WHERE store = $1 AND id = $2 RETURNING length(body)"
        self._holds = f"SELECT 1 FROM {t} WHERE store = $1 AND id = $2"
        self._release = (
            f"UPDATE {t} SET body = $3, owner = NULL, claimed_until = NULL "
            "WHERE store = $1 AND id = $2 AND owner = $4"
        )
        self._release_all = (
            f"UPDATE {t} SET owner = NULL, claimed_until = NULL WHERE store = $1 AND owner = $2"
        )
        self._renew_sql = (
            f"UPDATE {t} SET claimed_until = now() + $3 * interval '1 second' WHERE store = $1 AND owner = $2"
        )
        self._count = f"SELECT count(*), coalesce(sum(length(body)), 0) FROM {t} WHERE store = $1"
        self._page = f"SELECT body FROM {t} WHERE store = $1 ORDER BY seq LIMIT $2 OFFSET $3"
        self._one = f"SELECT body FROM {t} WHERE store = $1 AND id = $2"
        self._purge = f"DELETE FROM {t} WHERE store = $1"

    @property
    def name(self) -> str:
        return self._name

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            pool = await asyncio.wait_for(
                asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=self._pool_size,
                    timeout=self._timeout,
                    command_timeout=self._timeout,
                ),
                self._timeout,
            )
        except _FAILURES as exc:
            raise store_error(self._name, self._where, "connect", exc) from exc
        self._pool = pool
        try:
            await self._create_tables()
        except BaseException:
            self._pool = None
            pool.terminate()
            raise
        self._renewal.start()

    async def _create_tables(self) -> None:
        async def create(conn: Any) -> None:
            # Nodes starting together would race on CREATE TABLE IF NOT EXISTS: one lock serialises them.
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self._lock_key)
                await conn.execute(self._schema)

        await self._with(create, "create its table")

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        await self._renewal.stop()
        try:
            async with asyncio.timeout(self._timeout):
                async with pool.acquire() as conn:
                    await conn.execute(self._release_all, self._name, self._owner)
                await pool.close()
        except _FAILURES:
            pool.terminate()  # the claims return when their lease runs out

    async def put(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        args: tuple[object, ...] = (self._name, message.id, body)
        sql = self._insert
        if self._dedupe_window is not None:
            sql, args = self._insert_unseen, (*args, self._dedupe_window)

        async def try_put() -> StoreUsage | None:
            full = await self._gauge.reserve(self._bounds, len(body))
            if full is not None:
                held = await self._with(lambda conn: conn.fetchval(self._holds, *args[:2]), "store a message")
                return None if held else full
            try:
                inserted = _row_count(await self._execute("store a message", sql, *args))
            except BaseException:
                self._gauge.unreserve(len(body))
                raise
            if not inserted:
                self._gauge.unreserve(len(body))
            return None

        await put_within_bounds(self._name, self._bounds, self._room, try_put)

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        if limit < 1:
            return []

        async def claim(conn: Any) -> list[Any]:
            rows: list[Any] = await conn.fetch(self._claim, self._name, self._owner, self._lease, limit)
            return rows

        rows = await self._with(claim, "claim messages")
        return [decode_message(row["body"]) for row in sorted(rows, key=lambda row: int(row["seq"]))]

    async def ack(self, message_id: str) -> None:
        await self._remove(message_id, "acknowledge a message")

    async def _remove(self, message_id: str, action: str) -> bool:
        rows: list[Any] = await self._with(
            lambda conn: conn.fetch(self._delete, self._name, message_id), action
        )
        for row in rows:
            self._gauge.removed(1, int(row[0]))
        self._room.freed(len(rows))
        return bool(rows)

    async def release(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        await self._execute("release a message", self._release, self._name, message.id, body, self._owner)

    async def size(self) -> int:
        return (await self.usage()).messages

    async def usage(self) -> StoreUsage:
        return await self._gauge.recount()

    async def _count_usage(self) -> StoreUsage:
        row = await self._with(lambda conn: conn.fetchrow(self._count, self._name), "count messages")
        return StoreUsage(int(row[0]), int(row[1]))

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        rows: list[Any] = await self._with(
            lambda conn: conn.fetch(self._page, self._name, max(limit, 0), max(offset, 0)), "browse"
        )
        return [decode_message(row["body"]) for row in rows]

    async def get(self, message_id: str) -> StoredMessage | None:
        body = await self._with(
            lambda conn: conn.fetchval(self._one, self._name, message_id), "read a message"
        )
        return None if body is None else decode_message(body)

    async def delete(self, message_id: str) -> bool:
        return await self._remove(message_id, "delete a message")

    async def purge(self) -> int:
        purged = _row_count(await self._execute("purge", self._purge, self._name))
        self._gauge.forget()
        self._room.freed(self._room.waiting)
        return purged

    async def _renew(self) -> None:
        await self._execute("renew its claims", self._renew_sql, self._name, self._owner, self._lease)
        if self._dedupe_window is not None:
            await self._execute("forget old ids", self._prune_seen, self._name, self._dedupe_window)

    async def _execute(self, action: str, sql: str, *args: object) -> str:
        status: str = await self._with(lambda conn: conn.execute(sql, *args), action)
        return status

    async def _with(self, call: Callable[[Any], Awaitable[T]], action: str) -> T:
        pool = self._pool
        if pool is None:
            raise closed_error(self._name)
        try:
            async with pool.acquire(timeout=self._timeout) as conn:
                return await call(conn)
        except _FAILURES as exc:
            raise store_error(self._name, self._where, action, exc) from exc


def _row_count(status: str) -> int:
    # asyncpg answers a command with its tag: "DELETE 3", "UPDATE 1", "INSERT 0 1".
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
