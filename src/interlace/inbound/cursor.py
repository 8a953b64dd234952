"""Durable cursors: where a polling source got to, kept across restarts.

A cursor is a small JSON object (the last processed row's key and order values). ``FileCursorStore``
keeps it in a file of the project's state folder (``.interlace/cursors/``), for one node;
``TableCursorStore`` keeps it in a table ``interlace_cursors`` of the polled database itself (created
when missing), so every node polling that database shares it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connectors.db import DbConnection

__all__ = ["CursorStore", "FileCursorStore", "TableCursorStore", "decode_value", "encode_value"]

CURSOR_TABLE = "interlace_cursors"


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


class CursorStore(Protocol):
    """Keeps one cursor. ``load`` is called when a source starts, ``save`` after each advance (never
    concurrently with another ``save`` of the same store); both may raise the storage's error."""

    async def load(self) -> dict[str, Any] | None: ...

    async def save(self, cursor: dict[str, Any]) -> None: ...

    def describe(self) -> str: ...


class FileCursorStore:
    """A cursor in a JSON file, replaced atomically (written aside, synced, renamed)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"cursor in {self.path}"

    async def load(self) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            try:
                value = orjson.loads(self.path.read_bytes())
            except FileNotFoundError:
                return None
            return value if isinstance(value, dict) else None

        return await asyncio.to_thread(read)

    async def save(self, cursor: dict[str, Any]) -> None:
        data = orjson.dumps(cursor)

        def write() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.path)

        await asyncio.to_thread(write)


class TableCursorStore:
    """A cursor in row ``name`` of the table ``interlace_cursors`` of the database behind ``connection``."""

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

    async def load(self) -> dict[str, Any] | None:
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

    async def save(self, cursor: dict[str, Any]) -> None:
        data = orjson.dumps(cursor).decode()

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
