"""New rows of a database table as an inbound endpoint's source, found by polling with a durable cursor.

Rows are read in the order of the key column (or of an order column such as a timestamp, the key
breaking ties), ``batch`` at a time, after the cursor. Each row is one message (a JSON object of its
columns). The cursor advances, durably, past a row only when that row and every row before it were
acknowledged: a restart goes on after the last processed row, and nothing is skipped. A row handed back
(nack with requeue) is read again: once the rows in flight are settled the source rewinds to the
cursor, so rows after it may run again (at least once); after its last attempt a row is dead-lettered
into the endpoint's dead-letter store, and the cursor moves past it. With an order column, a row
committed later with an earlier value than the cursor is not seen: use a column set by the database
when the row is committed, or the key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connections import ConnectionPool
from interlace.connectors.db import DbConnection, json_value
from interlace.inbound.cursor import CursorStore, decode_value, encode_value
from interlace.message import Payload
from interlace.sdk import FatalError, TriggerEvent

__all__ = ["DbPollSource"]

_log = logging.getLogger("interlace.inbound")


@dataclass(slots=True)
class _Pending:
    position: dict[str, Any]
    outcome: Literal["pending", "done", "failed"] = "pending"


@dataclass(slots=True)
class _Window:
    """The rows handed out since the last rewind, in order; the committed cursor follows the longest
    settled prefix."""

    committed: dict[str, Any] | None
    rows: list[_Pending] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    save_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def failed(self) -> bool:
        return any(row.outcome == "failed" for row in self.rows)

    @property
    def settled(self) -> bool:
        return all(row.outcome != "pending" for row in self.rows)

    def advance(self) -> bool:
        """Move the committed cursor past the settled rows at the head; True when it moved."""
        moved = False
        while self.rows and self.rows[0].outcome == "done":
            self.committed = self.rows.pop(0).position
            moved = True
        return moved


class DbPollSource:
    """New rows of ``table`` on the ``db`` connection ``pool`` (see the module docstring); an
    :class:`~interlace.inbound.base.EventSource`. ``cursor`` makes the cursor store, given the opened
    database connection."""

    kind = "db-poll"

    def __init__(
        self,
        pool: ConnectionPool,
        *,
        table: str,
        key_column: str,
        order_column: str | None = None,
        poll: float = 1.0,
        batch: int = 100,
        start: Literal["beginning", "end"] = "beginning",
        cursor: Callable[[DbConnection], CursorStore],
    ) -> None:
        self.pool = pool
        self.table = table
        self.key_column = key_column
        self.order_column = order_column
        self.poll = poll
        self.batch = batch
        self.start = start
        self._cursor = cursor
        self.cursor_store: CursorStore | None = None

    def describe(self) -> str:
        order = f"{self.order_column}, {self.key_column}" if self.order_column else self.key_column
        return f"new rows of {self.table} by {order} on connection {self.pool.name}"

    def _columns(self) -> list[str]:
        return [self.order_column, self.key_column] if self.order_column else [self.key_column]

    def _query(self, after: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        key, order = self.key_column, self.order_column
        ordering = f"{order}, {key}" if order else key
        parameters: dict[str, Any] = {"limit": self.batch}
        if after is None:
            where = f"WHERE {order} IS NOT NULL" if order else ""
        elif order is None:
            where = f"WHERE {key} > :after_key"
            parameters["after_key"] = decode_value(after["key"])
        else:
            where = f"WHERE {order} > :after_order OR ({order} = :after_order AND {key} > :after_key)"
            parameters["after_key"] = decode_value(after["key"])
            parameters["after_order"] = decode_value(after["order"])
        return f"SELECT * FROM {self.table} {where} ORDER BY {ordering} LIMIT :limit", parameters

    def _position(self, row: Mapping[str, Any]) -> dict[str, Any]:
        position = {"key": encode_value(row[self.key_column])}
        if self.order_column:
            position["order"] = encode_value(row[self.order_column])
        return position

    async def _rows(self, db: DbConnection, after: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        sql, parameters = self._query(after)

        async def work(connection: AsyncConnection) -> list[dict[str, Any]]:
            result = await connection.execute(text(sql), parameters)
            return [dict(row) for row in result.mappings()]

        return await db.run("poll", work)

    async def _latest(self, db: DbConnection) -> dict[str, Any] | None:
        columns = ", ".join(self._columns())
        descending = ", ".join(f"{column} DESC" for column in self._columns())
        sql = f"SELECT {columns} FROM {self.table} ORDER BY {descending} LIMIT 1"

        async def work(connection: AsyncConnection) -> dict[str, Any] | None:
            row = (await connection.execute(text(sql))).mappings().first()
            return None if row is None else dict(row)

        row = await db.run("poll", work)
        return None if row is None else self._position(row)

    async def events(self) -> AsyncGenerator[TriggerEvent, None]:
        async with self.pool.use() as db:
            if not isinstance(db, DbConnection):
                raise FatalError(
                    f"db-poll needs a db connection ({self.pool.name} is {self.pool.connector.name})"
                )
            store = self.cursor_store = self._cursor(db)
            committed = await store.load()
            if committed is None and self.start == "end":
                committed = await self._latest(db)
                if committed is not None:
                    await store.save(committed)
            window = _Window(committed)
            read_after = committed
            while True:
                if window.failed:
                    while not window.settled:  # rows after the failed one finish before the rewind
                        window.changed.clear()
                        await window.changed.wait()
                    window.rows.clear()
                    read_after = window.committed
                    await asyncio.sleep(self.poll)
                rows = await self._rows(db, read_after)
                for row in rows:
                    pending = _Pending(self._position(row))
                    window.rows.append(pending)
                    read_after = pending.position
                    key = json_value(row[self.key_column])
                    yield TriggerEvent(
                        Payload.of_json({name: json_value(value) for name, value in row.items()}),
                        attributes={"table": self.table, "key": key},
                        delivery=_RowDelivery(window, pending, store),
                        key=f"{self.table}/{key}",
                    )
                    if window.failed:
                        break
                if len(rows) < self.batch and not window.failed:
                    await asyncio.sleep(self.poll)


class _RowDelivery:
    __slots__ = ("_pending", "_store", "_window")

    def __init__(self, window: _Window, pending: _Pending, store: CursorStore) -> None:
        self._window = window
        self._pending = pending
        self._store = store

    async def ack(self) -> None:
        await self._settle("done")

    async def nack(self, *, requeue: bool) -> None:
        await self._settle("failed" if requeue else "done")

    async def _settle(self, outcome: Literal["done", "failed"]) -> None:
        window = self._window
        self._pending.outcome = outcome
        window.changed.set()
        if window.advance():
            async with window.save_lock:
                committed = window.committed
                if committed is not None:
                    await self._store.save(committed)
