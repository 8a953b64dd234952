"""Where the ``db.poll`` trigger got to: a cursor (the last processed row's key and order values).

Column values are kept as JSON that reads back as the same Python value (:func:`encode_value`). The
cursor lives in the inbound endpoint's :class:`~interlace.sdk.Checkpoint`, which the runtime keeps in
its state folder (one node), or in :class:`TableCursor`: a table ``interlace_cursors`` of the polled
database itself (created when missing), so that every node polling that database shares it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connectors.db.connection import DbConnection
from interlace.sdk import CheckpointValue

__all__ = ["CURSOR_TABLE", "TableCursor", "decode_value", "encode_value"]

CURSOR_TABLE: Final = "interlace_cursors"


def encode_value(value: object) -> object:
    """A column value as JSON that :func:`decode_value` turns back into the same Python value."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def decode_value(value: object) -> object:
    if isinstance(value, dict) and len(value) == 1:
        (kind, text_value), *_ = value.items()
        if kind == "datetime":
            return dt.datetime.fromisoformat(str(text_value))
        if kind == "date":
            return dt.date.fromisoformat(str(text_value))
        if kind == "decimal":
            return Decimal(str(text_value))
    return value


class TableCursor:
    """A cursor in row ``name`` of the table ``interlace_cursors`` of the database behind ``connection``;
    a :class:`~interlace.sdk.Checkpoint`."""

    def __init__(self, connection: DbConnection, name: str) -> None:
        self.connection = connection
        self.name = name
        self._ready = False

    def describe(self) -> str:
        return f"cursor {self.name!r} in table {CURSOR_TABLE}"

    async def _create(self, db: AsyncConnection) -> None:
        if not self._ready:
            await db.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {CURSOR_TABLE}"
                    " (name VARCHAR(200) NOT NULL PRIMARY KEY, cursor_value TEXT NOT NULL)"
                )
            )

    async def load(self) -> CheckpointValue | None:
        async def work(db: AsyncConnection) -> str | None:
            await self._create(db)
            result = await db.execute(
                text(f"SELECT cursor_value FROM {CURSOR_TABLE} WHERE name = :name"), {"name": self.name}
            )
            row = result.first()
            return None if row is None else str(row[0])

        stored = await self.connection.run("cursor", work)
        self._ready = True
        if stored is None:
            return None
        value = orjson.loads(stored)
        return value if isinstance(value, dict) else None

    async def save(self, value: CheckpointValue) -> None:
        data = orjson.dumps(value).decode()

        async def work(db: AsyncConnection) -> None:
            await self._create(db)
            # Update first, insert when there was nothing: portable across PostgreSQL, MariaDB and SQLite.
            updated = await db.execute(
                text(f"UPDATE {CURSOR_TABLE} SET cursor_value = :value WHERE name = :name"),
                {"name": self.name, "value": data},
            )
            if updated.rowcount == 0:
                await db.execute(
                    text(f"INSERT INTO {CURSOR_TABLE} (name, cursor_value) VALUES (:name, :value)"),
                    {"name": self.name, "value": data},
                )

        await self.connection.run("cursor", work)
        self._ready = True
