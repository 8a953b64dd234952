"""The ``db.poll`` trigger: new rows of a table, found by polling with a durable cursor.

Rows are read in the order of the key column (or of an order column such as a timestamp, the key
breaking ties), ``batch`` at a time, after the cursor. Each row is one message (a JSON object of its
columns). The cursor advances, durably, past a row only when that row and every row before it were
acknowledged: a restart goes on after the last processed row, and nothing is skipped. A row handed back
(nack with requeue) is read again: once the rows in flight are settled the trigger rewinds to the
cursor, so rows after it may run again (at least once); a row the runtime dead-lettered is settled, and
the cursor moves past it. With an order column, a row committed later with an earlier value than the
cursor is not seen: use a column set by the database when the row is committed, or the key.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, cast

from pydantic import AfterValidator, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connectors.db.connection import DbConnection
from interlace.connectors.db.convert import json_value
from interlace.connectors.db.cursor import TableCursor, decode_value, encode_value
from interlace.sdk import AckWindow, Checkpoint, CheckpointValue, Param, Payload, TriggerEvent

__all__ = ["poll_rows"]

_PLAIN = "A plain SQL name: letters, digits and _"
_SQL_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def _sql_name(value: str) -> str:
    # Table and column names go into the SQL text: only plain names (optionally schema.table).
    if not _SQL_NAME.match(value):
        raise ValueError("must be a plain SQL name: letters, digits and _ (schema.table allowed)")
    return value


SqlName = Annotated[str, AfterValidator(_sql_name)]


@dataclass(frozen=True, slots=True)
class _Query:
    """The SQL of one polled table."""

    table: str
    key: str
    order: str | None
    batch: int

    @property
    def columns(self) -> list[str]:
        return [self.order, self.key] if self.order else [self.key]

    def after(self, cursor: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        key, order = self.key, self.order
        parameters: dict[str, Any] = {"limit": self.batch}
        if cursor is None:
            where = f"WHERE {order} IS NOT NULL" if order else ""
        elif order is None:
            where = f"WHERE {key} > :after_key"
            parameters["after_key"] = decode_value(cursor["key"])
        else:
            where = f"WHERE {order} > :after_order OR ({order} = :after_order AND {key} > :after_key)"
            parameters["after_key"] = decode_value(cursor["key"])
            parameters["after_order"] = decode_value(cursor["order"])
        ordering = ", ".join(self.columns)
        return f"SELECT * FROM {self.table} {where} ORDER BY {ordering} LIMIT :limit", parameters

    def latest(self) -> str:
        descending = ", ".join(f"{column} DESC" for column in self.columns)
        return f"SELECT {', '.join(self.columns)} FROM {self.table} ORDER BY {descending} LIMIT 1"

    def position(self, row: Mapping[str, Any]) -> CheckpointValue:
        position = {"key": encode_value(row[self.key])}
        if self.order:
            position["order"] = encode_value(row[self.order])
        return cast("CheckpointValue", position)


async def _rows(db: DbConnection, query: _Query, after: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    sql, parameters = query.after(after)

    async def work(connection: AsyncConnection) -> list[dict[str, Any]]:
        result = await connection.execute(text(sql), parameters)
        return [dict(row) for row in result.mappings()]

    return await db.run("poll", work)


async def _latest(db: DbConnection, query: _Query) -> CheckpointValue | None:
    async def work(connection: AsyncConnection) -> dict[str, Any] | None:
        row = (await connection.execute(text(query.latest()))).mappings().first()
        return None if row is None else dict(row)

    row = await db.run("poll", work)
    return None if row is None else query.position(row)


async def poll_rows(
    conn: DbConnection,
    checkpoint: Checkpoint,
    *,
    table: Annotated[SqlName, Param(f"The table. {_PLAIN} (`schema.table` allowed).", example="patients")],
    keyColumn: Annotated[
        SqlName,
        Param(
            f"A unique column that increases with each new row (an identity or sequence). {_PLAIN}.",
            example="id",
        ),
    ],
    orderColumn: Annotated[
        SqlName | None,
        Param(
            "Poll in the order of this column (a timestamp set on change) instead, the key breaking ties."
            " Rows whose value is NULL are never taken.",
            example="updated_at",
        ),
    ] = None,
    poll: Annotated[
        float,
        Param("Seconds between two looks for new rows (at once again after a full batch)."),
        Field(gt=0),
    ] = 1.0,
    batch: Annotated[int, Param("Rows read per query."), Field(ge=1, le=100_000)] = 100,
    start: Annotated[
        Literal["beginning", "end"],
        Param("Without a cursor yet: take the rows already there (`beginning`) or only later ones (`end`)."),
    ] = "beginning",
    cursor: Annotated[
        Literal["database", "state"],
        Param(
            "Where the cursor is kept: a table `interlace_cursors` in the polled database (`database`,"
            " created when missing; shared by every node polling it), or `state`: the checkpoint the runtime"
            " keeps in the project's `.interlace/checkpoints/` (one node, read-only databases)."
        ),
    ] = "database",
) -> AsyncIterator[TriggerEvent]:
    """New rows of a table, found by polling in the order of a key (or timestamp) column; a durable
    cursor remembers the last row processed, so a restart goes on after it.

    Each row is a JSON message of its columns (properties `table`, `key`). The cursor (the last
    processed row's key, and order value) advances durably past a row only when that row and every row
    before it were acknowledged: a restarted runtime goes on after the last processed row, nothing is
    skipped. A row handed back is read again once the rows in flight are settled (rows after it may run
    again: at least once); a row dead-lettered after its last attempt is passed. With the inbound
    endpoint's `max-in-flight: 1` rows are processed strictly in order; with `coordination: true` one node
    polls. With an `orderColumn`, a row committed later with a smaller value than the cursor is not
    seen: prefer a column the database sets at commit, or the key."""
    query = _Query(table, keyColumn, orderColumn, batch)
    store: Checkpoint = TableCursor(conn, checkpoint.name) if cursor == "database" else checkpoint
    committed = await store.load()
    if committed is None and start == "end":
        committed = await _latest(conn, query)
        if committed is not None:
            await store.save(committed)
    window = AckWindow(store, committed)
    read_after = committed
    while True:
        if window.failed:
            read_after = await window.rewind()  # rows after the failed one finish first
            await asyncio.sleep(poll)
        rows = await _rows(conn, query, read_after)
        for row in rows:
            position = query.position(row)
            read_after = position
            key = json_value(row[keyColumn])
            yield TriggerEvent(
                Payload.of_json({name: json_value(value) for name, value in row.items()}),
                attributes={"table": table, "key": key},
                delivery=window.track(position),
                key=f"{table}/{key}",
            )
            if window.failed:
                break
        if len(rows) < batch and not window.failed:
            await asyncio.sleep(poll)
