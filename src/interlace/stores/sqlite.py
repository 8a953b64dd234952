"""The SQLite store: the embedded default, a table in a WAL-mode database file on this node.

One file holds many stores (one ``store`` value each in the table ``interlace_messages``). Durability of
a returned ``put``: with ``synchronous=full`` every commit is synced to disk, so it survives a power loss;
with ``normal`` the WAL is synced at checkpoints only, so it survives a crash of the process, and a power
loss may take the last commits.

Why the standard ``sqlite3`` module on one worker thread per store, rather than aiosqlite: every
operation is a whole transaction run in one hop to that thread, and concurrent writes (puts, claims,
acks) are grouped into one transaction, so one disk sync serves all the writes that arrived while the
previous one ran (:mod:`interlace.stores.group_commit`: a put still returns only once its transaction
is committed, and an operation that fails fails its own caller only). aiosqlite would cost a thread hop
per statement and commit each caller separately.

Claims are rows marked with the consumer's owner token and a lease; a live store renews its lease, a
closing store gives its claims back, and a store gives back the claims of processes of this host that
are gone when it opens and at each renewal (every third of the lease), so after a crash and restart the
claimed messages return at once, in their place.

The bound is exact, for every process sharing the file: triggers keep each store's message count and
bytes in ``interlace_usage`` within the transactions that change them, and a put checks them in its own
transaction. The file (and its WAL and shared-memory files, which SQLite creates with the file's mode)
holds message payloads: it is created readable by its owner only, and so is a folder created for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from interlace.stores._common import (
    LeaseRenewal,
    closed_error,
    encode_for,
    new_owner,
    owner_is_gone,
    store_error,
)
from interlace.stores.bounds import Room, StoreBounds, StoreUsage, put_within_bounds
from interlace.stores.group_commit import Failed, GroupCommit
from interlace.stores.message import StoredMessage, StoreError, decode_message

__all__ = ["SqliteStore"]

T = TypeVar("T")
_Op = Callable[[sqlite3.Connection], object]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS interlace_messages (
    seq INTEGER PRIMARY KEY,
    store TEXT NOT NULL,
    id TEXT NOT NULL,
    body BLOB NOT NULL,
    owner TEXT,
    claimed_until REAL,
    UNIQUE (store, id)
);
CREATE INDEX IF NOT EXISTS interlace_messages_order ON interlace_messages (store, seq);
CREATE TABLE IF NOT EXISTS interlace_seen (
    store TEXT NOT NULL,
    id TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (store, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS interlace_seen_age ON interlace_seen (store, stored_at);
CREATE TABLE IF NOT EXISTS interlace_usage (
    store TEXT PRIMARY KEY,
    messages INTEGER NOT NULL,
    bytes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS interlace_usage_put AFTER INSERT ON interlace_messages BEGIN
    INSERT INTO interlace_usage (store, messages, bytes) VALUES (NEW.store, 1, length(NEW.body))
    ON CONFLICT (store) DO UPDATE SET messages = messages + 1, bytes = bytes + length(NEW.body);
END;
CREATE TRIGGER IF NOT EXISTS interlace_usage_take AFTER DELETE ON interlace_messages BEGIN
    UPDATE interlace_usage SET messages = messages - 1, bytes = bytes - length(OLD.body)
    WHERE store = OLD.store;
END;
CREATE TRIGGER IF NOT EXISTS interlace_usage_change AFTER UPDATE OF body ON interlace_messages BEGIN
    UPDATE interlace_usage SET bytes = bytes - length(OLD.body) + length(NEW.body) WHERE store = NEW.store;
END;
"""
# Counted afresh when a store opens: the file may come from a version without the usage triggers.
_RECOUNT = (
    "INSERT OR REPLACE INTO interlace_usage (store, messages, bytes) "
    "SELECT ?, count(*), coalesce(sum(length(body)), 0) FROM interlace_messages WHERE store = ?"
)
_USAGE = "SELECT messages, bytes FROM interlace_usage WHERE store = ?"
_OWNER_ONLY = 0o600
_RELEASE_OWNER = (
    "UPDATE interlace_messages SET owner = NULL, claimed_until = NULL WHERE store = ? AND owner = ?"
)


class SqliteStore:
    """A message store in an SQLite file (see the module docstring for durability and claims)."""

    kind: Final = "sqlite"

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        synchronous: Literal["full", "normal"] = "full",
        lease: float = 30.0,
        dedupe_window: float | None = None,
        bounds: StoreBounds | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._name = name
        self._bounds = bounds or StoreBounds()
        self._room = Room()
        self._path = path
        self._synchronous = synchronous
        self._lease = lease
        self._dedupe_window = dedupe_window
        self._clock = clock
        self._owner = new_owner()
        self._where = f"sqlite {path}"
        self._db: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._commits: GroupCommit[sqlite3.Connection] = GroupCommit(self._run_batch)
        self._renewal = LeaseRenewal(name, lease / 3, self._renew)
        self._last_prune = 0.0

    @property
    def name(self) -> str:
        return self._name

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"store-{self._name}")
        try:
            await self._in_thread(self._connect, "open its database")
        except StoreError:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise
        self._renewal.start()

    async def aclose(self) -> None:
        executor = self._executor
        if executor is None:
            return
        await self._renewal.stop()
        await self._commits.wait_idle()
        try:
            await self._in_thread(self._disconnect, "give back its claims")
        finally:
            self._executor = None
            executor.shutdown(wait=False)

    async def put(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)

        async def try_put() -> StoreUsage | None:
            return await self._write(lambda db: self._insert(db, message.id, body), "store a message")

        await put_within_bounds(self._name, self._bounds, self._room, try_put)

    async def fetch(self, limit: int = 1) -> list[StoredMessage]:
        if limit < 1:
            return []
        rows = await self._write(lambda db: self._claim(db, limit), "claim messages")
        return [decode_message(body) for body in rows]

    async def ack(self, message_id: str) -> None:
        await self.delete(message_id)

    async def release(self, message: StoredMessage) -> None:
        body = encode_for(self._name, message)
        sql = (
            "UPDATE interlace_messages SET body = ?, owner = NULL, claimed_until = NULL "
            "WHERE store = ? AND id = ? AND owner = ?"
        )
        params = (body, self._name, message.id, self._owner)
        await self._write(lambda db: db.execute(sql, params), "release a message")

    async def size(self) -> int:
        return (await self.usage()).messages

    async def usage(self) -> StoreUsage:
        rows = await self._read(_USAGE, (self._name,))
        return StoreUsage(int(rows[0][0]), int(rows[0][1])) if rows else StoreUsage(0, 0)

    async def browse(self, offset: int = 0, limit: int = 50) -> list[StoredMessage]:
        sql = "SELECT body FROM interlace_messages WHERE store = ? ORDER BY seq LIMIT ? OFFSET ?"
        rows = await self._read(sql, (self._name, max(limit, 0), max(offset, 0)))
        return [decode_message(row[0]) for row in rows]

    async def get(self, message_id: str) -> StoredMessage | None:
        sql = "SELECT body FROM interlace_messages WHERE store = ? AND id = ?"
        rows = await self._read(sql, (self._name, message_id))
        return decode_message(rows[0][0]) if rows else None

    async def delete(self, message_id: str) -> bool:
        sql = "DELETE FROM interlace_messages WHERE store = ? AND id = ?"
        cursor = await self._write(lambda db: db.execute(sql, (self._name, message_id)), "delete a message")
        if cursor.rowcount > 0:
            self._room.freed(cursor.rowcount)
        return cursor.rowcount > 0

    async def purge(self) -> int:
        sql = "DELETE FROM interlace_messages WHERE store = ?"
        cursor = await self._write(lambda db: db.execute(sql, (self._name,)), "purge")
        self._room.freed(self._room.waiting)
        return cursor.rowcount

    # -- writes: grouped into one transaction per turn of the worker thread (stores.group_commit) -------

    async def _write(self, op: Callable[[sqlite3.Connection], T], action: str) -> T:
        if self._executor is None:
            raise closed_error(self._name)
        try:
            return await self._commits.run(op)
        except StoreError:
            raise
        except Exception as exc:
            raise store_error(self._name, self._where, action, exc) from exc

    async def _run_batch(self, ops: list[_Op]) -> list[object]:
        return await self._in_thread(functools.partial(self._transaction, ops), None)

    def _transaction(self, ops: Sequence[_Op]) -> list[object]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            outcomes = [_in_savepoint(db, op) for op in ops]
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
        return outcomes

    def _insert(self, db: sqlite3.Connection, message_id: str, body: bytes) -> StoreUsage | None:
        """Store the message (None), ignore it (None: its id is held, or seen within the window), or
        leave it out because the store is full (its usage)."""
        held = "SELECT 1 FROM interlace_messages WHERE store = ? AND id = ?"
        if db.execute(held, (self._name, message_id)).fetchone() is not None:
            return None
        now = self._clock()
        if self._dedupe_window is not None:
            if now - self._last_prune >= 1.0:
                self._last_prune = now
                db.execute(
                    "DELETE FROM interlace_seen WHERE store = ? AND stored_at < ?",
                    (self._name, now - self._dedupe_window),
                )
            row = db.execute(
                "SELECT stored_at FROM interlace_seen WHERE store = ? AND id = ?", (self._name, message_id)
            ).fetchone()
            if row is not None and now - float(row[0]) < self._dedupe_window:
                return None
        counted = db.execute(_USAGE, (self._name,)).fetchone()
        usage = StoreUsage(int(counted[0]), int(counted[1])) if counted else StoreUsage(0, 0)
        if self._bounds.refuses(usage.messages, usage.bytes, len(body)):
            return usage
        if self._dedupe_window is not None:
            db.execute(
                "INSERT OR REPLACE INTO interlace_seen (store, id, stored_at) VALUES (?, ?, ?)",
                (self._name, message_id, now),
            )
        db.execute(
            "INSERT INTO interlace_messages (store, id, body) VALUES (?, ?, ?)",
            (self._name, message_id, body),
        )
        return None

    def _claim(self, db: sqlite3.Connection, limit: int) -> list[bytes]:
        now = self._clock()
        rows = db.execute(
            "SELECT seq, body FROM interlace_messages WHERE store = ? "
            "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY seq LIMIT ?",
            (self._name, now, limit),
        ).fetchall()
        db.executemany(
            "UPDATE interlace_messages SET owner = ?, claimed_until = ? WHERE seq = ?",
            [(self._owner, now + self._lease, row[0]) for row in rows],
        )
        return [row[1] for row in rows]

    async def _renew(self) -> None:
        sql = "UPDATE interlace_messages SET claimed_until = ? WHERE store = ? AND owner = ?"

        def renew(db: sqlite3.Connection) -> None:
            db.execute(sql, (self._clock() + self._lease, self._name, self._owner))
            self._return_claims_of_gone_owners(db)

        await self._write(renew, "renew claims")

    def _return_claims_of_gone_owners(self, db: sqlite3.Connection) -> None:
        owners = db.execute(
            "SELECT DISTINCT owner FROM interlace_messages WHERE store = ? AND owner IS NOT NULL",
            (self._name,),
        ).fetchall()
        gone = [(self._name, owner) for (owner,) in owners if owner != self._owner and owner_is_gone(owner)]
        db.executemany(_RELEASE_OWNER, gone)

    # -- the worker thread -------------------------------------------------------------------------------

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        if self._executor is None:
            raise closed_error(self._name)
        return await self._in_thread(lambda: self._connection().execute(sql, params).fetchall(), "read")

    async def _in_thread(self, call: Callable[[], T], action: str | None) -> T:
        # ``action`` None: the caller turns sqlite errors into StoreErrors itself.
        if self._executor is None:
            raise closed_error(self._name)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except (sqlite3.Error, OSError) as exc:
            if action is None:
                raise
            raise store_error(self._name, self._where, action, exc) from exc

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise closed_error(self._name)
        return self._db

    def _connect(self) -> None:
        _owner_only_file(self._path)
        db = sqlite3.connect(self._path, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={'FULL' if self._synchronous == 'full' else 'NORMAL'}")
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(_RECOUNT, (self._name, self._name))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._return_claims_of_gone_owners(db)
        except BaseException:
            db.close()
            raise
        self._db = db

    def _disconnect(self) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        try:
            db.execute(
                _RELEASE_OWNER,
                (self._name, self._owner),
            )
        finally:
            db.close()


def _in_savepoint(db: sqlite3.Connection, op: _Op) -> object:
    """``op``'s result, or :class:`Failed` when it raised and was rolled back alone; raises when its
    error ended the whole transaction (a trigger's ``RAISE(ROLLBACK)``, a full disk, an I/O error)."""
    db.execute("SAVEPOINT op")
    try:
        result = op(db)
    except Exception as exc:
        if not db.in_transaction:
            raise
        db.execute("ROLLBACK TO op")
        db.execute("RELEASE op")
        return Failed(exc)
    db.execute("RELEASE op")
    return result


def _owner_only_file(path: Path) -> None:
    """Create ``path`` (and the folders missing above it) readable by its owner only; an existing file of
    this owner, and its WAL and shared-memory files, are made so too."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, _OWNER_ONLY))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            if each.stat().st_uid == os.getuid() and each.stat().st_mode & 0o077:
                each.chmod(_OWNER_ONLY)
